package org.wahub.support;

import io.vertx.core.json.JsonObject;

/**
 * Writes outbox events the way another hub node would (a row in {@code events}, committed in its
 * own transaction, then a NOTIFY), so webhook tests do not depend on which change emits which
 * event; the NOTIFY reaches the hub through its LISTEN, as in production.
 */
public final class Outbox {

  private Outbox() {
  }

  /** One event; its data carries the ids first, as EventLog.messageData writes them, then {@code data}. */
  public static void append(TestHub hub, String tenantId, String instanceId, String messageId, String type, JsonObject data) {
    JsonObject body = new JsonObject().put("tenantId", tenantId).put("instanceId", instanceId).put("messageId", messageId);
    if (data != null) {
      body.mergeIn(data);
    }
    hub.sql.update("INSERT INTO events (tenant_id, instance_id, message_id, type, at, data) "
        + "VALUES (?, ?, ?::uuid, ?, now(), ?::jsonb)", tenantId, instanceId, messageId, type,
        body.encode());
    notifyCommitted(hub, tenantId);
  }

  /** What another node sends after committing events of a tenant (a bare tenant id is accepted too). */
  public static void notifyCommitted(TestHub hub, String tenantId) {
    hub.sql.rows("SELECT pg_notify('wahub_events', ?)", "other-node/" + tenantId);
  }
}
