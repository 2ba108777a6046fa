package org.wahub;

/**
 * Every event-bus address of the hub. Per-instance addresses are built here too, so a grep for
 * an address finds both ends.
 */
public final class Addresses {

  private Addresses() {
  }

  /**
   * Point-to-point, local only: validated intake requests for one intake shard. Requests of one
   * instance always go to the same IdempotencyVerticle, so concurrent batches of different
   * verticles never queue behind each other on that instance's row lock.
   */
  public static String intake(int shard) {
    return "wahub.intake." + shard;
  }

  /**
   * Published after an instance row was created, changed or deleted. Body:
   * {@code {"id", "op": "created"|"updated"|"deleted"}}. The InstanceSupervisor reconciles on it.
   */
  public static final String INSTANCE_CHANGED = "wahub.instances.changed";

  /** Published when an API key is revoked, so every node drops it from its cache at once. */
  public static final String KEY_REVOKED = "wahub.keys.revoked";

  /** Per-instance address: wake the send loop because new work was committed. */
  public static String instanceWake(String instanceId) {
    return instance(instanceId, "wake");
  }

  /**
   * Per-instance request/reply address of its InstanceVerticle. The body is
   * {@code {"action": "status"|"restart"|"stop"|"start"|"qr"|"simulate", …}}; the reply is
   * {@code {"status": <http status>, "body": {…}}} or {@code {"status": 4xx, "error": {code, title, detail}}}.
   * Not local-only: in a cluster the instance's owner answers.
   */
  public static String instanceOps(String instanceId) {
    return instance(instanceId, "ops");
  }

  private static String instance(String instanceId, String verb) {
    return "wahub.instance." + instanceId + "." + verb;
  }
}
