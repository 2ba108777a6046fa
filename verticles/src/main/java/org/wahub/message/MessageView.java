package org.wahub.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.wahub.api.Sql;

/** The API shape of a message row (DESIGN §6) and of its history entries. */
public final class MessageView {

  public static final String COLUMNS = "id, seq, instance_id, chat_id, recipient, kind, payload, metadata, "
      + "idempotency_key, status, attempts, next_attempt_at, send_at, expires_at, provider_message_id, "
      + "last_error_code, last_error, created_at, updated_at, sent_at, delivered_at, read_at, finalized_at, archived_at";

  private MessageView() {
  }

  public static JsonObject from(Row r) {
    JsonObject json = new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("instanceId", r.getString("instance_id"))
        .put("to", r.getString("recipient"))
        .put("chatId", r.getString("chat_id"))
        .put("kind", r.getString("kind"))
        .put("content", r.getValue("payload"))
        .put("status", r.getString("status"))
        .put("attempts", r.getInteger("attempts"))
        .put("nextAttemptAt", Sql.iso(r.getOffsetDateTime("next_attempt_at")))
        .put("sendAt", Sql.iso(r.getOffsetDateTime("send_at")))
        .put("expiresAt", Sql.iso(r.getOffsetDateTime("expires_at")))
        .put("idempotencyKey", r.getString("idempotency_key"))
        .put("providerMessageId", r.getString("provider_message_id"))
        .put("lastError", r.getString("last_error_code") == null ? null
            : new JsonObject().put("code", r.getString("last_error_code")).put("message", r.getString("last_error")))
        .put("metadata", r.getValue("metadata"))
        .put("createdAt", Sql.iso(r.getOffsetDateTime("created_at")))
        .put("updatedAt", Sql.iso(r.getOffsetDateTime("updated_at")))
        .put("sentAt", Sql.iso(r.getOffsetDateTime("sent_at")))
        .put("deliveredAt", Sql.iso(r.getOffsetDateTime("delivered_at")))
        .put("readAt", Sql.iso(r.getOffsetDateTime("read_at")))
        .put("finalizedAt", Sql.iso(r.getOffsetDateTime("finalized_at")))
        .put("archivedAt", Sql.iso(r.getOffsetDateTime("archived_at")));
    return json;
  }

  public static JsonObject historyEntry(Row r) {
    return new JsonObject()
        .put("at", Sql.iso(r.getOffsetDateTime("at")))
        .put("event", r.getString("kind"))
        .put("from", r.getString("from_status"))
        .put("to", r.getString("to_status"))
        .put("attempt", r.getInteger("attempt"))
        .put("detail", r.getString("detail"));
  }

  public static JsonArray history(Iterable<Row> rows) {
    JsonArray out = new JsonArray();
    rows.forEach(r -> out.add(historyEntry(r)));
    return out;
  }
}
