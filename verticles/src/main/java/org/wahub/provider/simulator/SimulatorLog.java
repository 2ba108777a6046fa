package org.wahub.provider.simulator;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.wahub.api.Sql;

import java.time.OffsetDateTime;
import java.util.UUID;

/** The simulated phone's durable send log (table simulator_sends). */
public final class SimulatorLog {

  static final String SIM_SEND_INSERT =
      "INSERT INTO simulator_sends (instance_id, message_id, attempt, at, outcome, provider_message_id) "
          + "VALUES ($1, $2, $3, $4, $5, $6)";
  static final String SIM_SEND_FIND_SENT =
      "SELECT provider_message_id FROM simulator_sends WHERE message_id = $1 AND outcome = 'sent' LIMIT 1";
  static final String SIM_SEND_LIST =
      "SELECT id, message_id, attempt, at, outcome, provider_message_id FROM simulator_sends "
          + "WHERE instance_id = $1 AND id > $2 ORDER BY id LIMIT $3";

  private final Pool pool;

  public SimulatorLog(Pool pool) {
    this.pool = pool;
  }

  Future<Void> record(String instanceId, UUID messageId, int attempt, OffsetDateTime at, String outcome, String providerId) {
    return pool.preparedQuery(SIM_SEND_INSERT)
        .execute(Tuple.of(instanceId, messageId, attempt, at, outcome, providerId)).mapEmpty();
  }

  /** The provider id of an earlier successful send of this message, or null. */
  Future<String> sentBefore(UUID messageId) {
    return pool.preparedQuery(SIM_SEND_FIND_SENT).execute(Tuple.of(messageId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  /** One page of the log, oldest first; {@code nextCursor} continues after the last entry. */
  public Future<JsonObject> list(String instanceId, long afterId, int limit) {
    return pool.preparedQuery(SIM_SEND_LIST).execute(Tuple.of(instanceId, afterId, limit + 1)).map(rows -> {
      JsonArray items = new JsonArray();
      long last = 0;
      int n = 0;
      boolean more = false;
      for (Row r : rows) {
        if (n++ == limit) {
          more = true;
          break;
        }
        items.add(new JsonObject().put("messageId", r.getUUID("message_id").toString())
            .put("attempt", r.getInteger("attempt")).put("at", Sql.iso(r.getOffsetDateTime("at")))
            .put("outcome", r.getString("outcome")).put("providerMessageId", r.getString("provider_message_id")));
        last = r.getLong("id");
      }
      return new JsonObject().put("items", items).put("nextCursor", more ? Long.toString(last) : null);
    });
  }
}
