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

  /**
   * Published (body: the tenant id) after the admin changed a tenant's quotas, so every node drops
   * that tenant's cached principals, which carry the quotas.
   */
  public static final String TENANT_QUOTAS_CHANGED = "wahub.tenants.quotas-changed";

  /**
   * Published locally by the node's {@link org.wahub.event.EventNotifier} when events committed
   * (PostgreSQL {@code NOTIFY wahub_events}, from any node). Body: the tenant id as a String, or
   * {@link #EVENTS_ALL_TENANTS} when every reader must look (the LISTEN connection was
   * re-established, so notifications may have been missed). Readers of the outbox (SSE streams,
   * webhook dispatch) consume it with {@code localConsumer} and page from their position.
   */
  public static final String EVENTS_COMMITTED = "wahub.events.committed";

  /** The body of {@link #EVENTS_COMMITTED} that wakes every reader. */
  public static final String EVENTS_ALL_TENANTS = "";

  /**
   * Published locally by a writer of this node right after a commit that wrote outbox events
   * ({@link org.wahub.event.EventSignal}). Body: the tenant id. The node's EventNotifier wakes the
   * local readers at once and tells the other nodes with one coalesced NOTIFY.
   */
  public static final String EVENTS_WRITTEN = "wahub.events.written";

  /**
   * Published when webhook deliveries became due outside the outbox (a test ping, a replay) or an
   * endpoint was enabled again: every node's WebhookVerticle runs a round (any node may claim).
   */
  public static final String WEBHOOKS_WAKE = "wahub.webhooks.wake";

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

  /**
   * One adapter's open stream ({@code GET /instances/:id/adapter/stream}): the instance's session
   * sends it dispatches and control events; {@code connection} is unique per connection, so a
   * replaced stream never receives the new one's traffic. Not local-only: the stream and the
   * instance may live on different nodes.
   */
  public static String adapterStream(String instanceId, String connection) {
    return instance(instanceId, "adapter." + connection);
  }

  private static String instance(String instanceId, String verb) {
    return "wahub.instance." + instanceId + "." + verb;
  }
}
