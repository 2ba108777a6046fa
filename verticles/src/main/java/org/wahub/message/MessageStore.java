package org.wahub.message;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads of messages for the API: one message with its history, and keyset-paginated lists. */
public final class MessageStore {

  static final String MESSAGE_GET_FOR_TENANT =
      "SELECT " + MessageView.COLUMNS + " FROM messages WHERE id = $1 AND tenant_id = $2";
  // acceptance is the row's own created_at; every later transition and attempt is an event row
  static final String MESSAGE_EVENTS_FOR_MESSAGE =
      "SELECT created_at AS at, 'accepted' AS kind, NULL::text AS from_status, 'queued' AS to_status, 0 AS attempt, "
          + "NULL::text AS detail, 0::bigint AS id FROM messages WHERE id = $1 "
          + "UNION ALL SELECT at, kind, from_status, to_status, attempt, detail, id FROM message_events WHERE message_id = $1 "
          + "ORDER BY id";
  // Lists walk seq upwards (oldest first), so a cursor stays valid however many rows arrive later.
  // Archived dead letters (V18) are listed only when asked for (archived = true), the others only without it.
  static final String MESSAGE_LIST_BY_TENANT =
      "SELECT " + MessageView.COLUMNS + " FROM messages WHERE tenant_id = $1 AND seq > $2 "
          + "AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR chat_id = $4) AND (archived_at IS NOT NULL) = $6 "
          + "ORDER BY seq LIMIT $5";
  static final String MESSAGE_LIST_BY_INSTANCE =
      "SELECT " + MessageView.COLUMNS + " FROM messages WHERE instance_id = $1 AND tenant_id = $2 AND seq > $3 "
          + "AND ($4::text IS NULL OR chat_id = $4) AND (archived_at IS NOT NULL) = $6 ORDER BY seq LIMIT $5";
  static final String MESSAGE_LIST_BY_INSTANCE_STATUS =
      "SELECT " + MessageView.COLUMNS + " FROM messages WHERE instance_id = $1 AND tenant_id = $2 AND status = $3 "
          + "AND seq > $4 AND ($5::text IS NULL OR chat_id = $5) AND (archived_at IS NOT NULL) = $7 ORDER BY seq LIMIT $6";

  /** One page: rows plus the seq of the last one (the next cursor), if more may follow. */
  public record Page(List<JsonObject> items, Long lastSeq) {
  }

  public record Filter(String instanceId, String status, String chatId, long afterSeq, int limit, boolean archived) {
  }

  private final Pool pool;

  public MessageStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Optional<JsonObject>> get(String tenantId, UUID id, boolean withHistory) {
    return pool.preparedQuery(MESSAGE_GET_FOR_TENANT).execute(Tuple.of(id, tenantId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(Optional.empty());
      }
      JsonObject message = MessageView.from(rows.iterator().next());
      // a poll shows its votes: each option with its count and voters (the inbound side's ballots)
      Future<JsonObject> withPoll = !"poll".equals(message.getString("kind")) ? Future.succeededFuture(message)
          : new org.wahub.inbound.InboundStore(pool).pollResults(id, message.getJsonObject("content"))
              .map(results -> message.put("poll", results));
      if (!withHistory) {
        return withPoll.map(Optional::of);
      }
      return withPoll.compose(m -> pool.preparedQuery(MESSAGE_EVENTS_FOR_MESSAGE).execute(Tuple.of(id))
          .map(events -> Optional.of(m.put("history", MessageView.history(events)))));
    });
  }

  public Future<Page> list(String tenantId, Filter f) {
    Future<RowSet<Row>> rows;
    if (f.instanceId() == null) {
      rows = pool.preparedQuery(MESSAGE_LIST_BY_TENANT)
          .execute(Tuple.of(tenantId, f.afterSeq(), f.status(), f.chatId(), f.limit() + 1, f.archived()));
    } else if (f.status() == null) {
      rows = pool.preparedQuery(MESSAGE_LIST_BY_INSTANCE)
          .execute(Tuple.of(f.instanceId(), tenantId, f.afterSeq(), f.chatId(), f.limit() + 1, f.archived()));
    } else {
      rows = pool.preparedQuery(MESSAGE_LIST_BY_INSTANCE_STATUS)
          .execute(Tuple.from(new Object[] {f.instanceId(), tenantId, f.status(), f.afterSeq(), f.chatId(), f.limit() + 1,
              f.archived()}));
    }
    return rows.map(rs -> {
      List<JsonObject> items = new ArrayList<>();
      long last = 0;
      int n = 0;
      for (Row r : rs) {
        if (n++ == f.limit()) {
          return new Page(items, last);
        }
        items.add(MessageView.from(r));
        last = r.getLong("seq");
      }
      return new Page(items, null);
    });
  }
}
