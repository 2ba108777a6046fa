package org.wahub.instance;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.wahub.api.Sql;

import java.time.OffsetDateTime;

/** One instance row. {@link #toJson()} is the API view: it never contains provider secrets. */
public record Instance(
    String id, String tenantId, String name, String providerType, JsonObject providerConfig,
    int perMinute, int perHour, int perDay, int minIntervalMs, int jitterMs, int maxQueue,
    int queueDepth, String desiredState, String state, OffsetDateTime stateSince, String lastError,
    int version, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

  /** What an instance id may look like: it appears in URLs, bus addresses and provider webhooks. */
  public static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  static final String COLUMNS = "id, tenant_id, name, provider_type, provider_config, per_minute, per_hour, per_day, "
      + "min_interval_ms, jitter_ms, max_queue, queue_depth, desired_state, state, state_since, last_error, version, "
      + "created_at, updated_at";

  public static Instance from(Row r) {
    Object cfg = r.getValue("provider_config");
    return new Instance(r.getString("id"), r.getString("tenant_id"), r.getString("name"), r.getString("provider_type"),
        cfg instanceof JsonObject o ? o : new JsonObject(),
        r.getInteger("per_minute"), r.getInteger("per_hour"), r.getInteger("per_day"),
        r.getInteger("min_interval_ms"), r.getInteger("jitter_ms"), r.getInteger("max_queue"),
        r.getInteger("queue_depth"), r.getString("desired_state"), r.getString("state"),
        r.getOffsetDateTime("state_since"), r.getString("last_error"), r.getInteger("version"),
        r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("provider", ProviderConfigs.publicView(providerType, providerConfig))
        .put("limits", new JsonObject().put("perMinute", perMinute).put("perHour", perHour).put("perDay", perDay))
        .put("pacing", new JsonObject().put("minIntervalMs", minIntervalMs).put("jitterMs", jitterMs))
        .put("maxQueueSize", maxQueue)
        .put("queueDepth", queueDepth)
        .put("desiredState", desiredState)
        .put("state", state)
        .put("stateSince", Sql.iso(stateSince))
        .put("lastError", lastError)
        .put("createdAt", Sql.iso(createdAt))
        .put("updatedAt", Sql.iso(updatedAt));
  }
}
