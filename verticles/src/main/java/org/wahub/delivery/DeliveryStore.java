package org.wahub.delivery;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.wahub.event.EventLog;
import org.wahub.hub.event.EventType;
import org.wahub.hub.message.MessageStatus;
import org.wahub.hub.message.PendingMessage;

/**
 * The delivery side's SQL, one named statement per operation. Time is always passed in ({@code now}
 * from the verticle's clock), never read from the database, so leases, due checks and audit times
 * agree with the limiter. Every transition writes its audit row in the same statement.
 *
 * <p>Claims take a lease and bump the fence; every completion is conditional on that fence and on
 * the row still being {@code sending}, so a stale worker can never overwrite a newer result: its
 * write matches no row and the method says so by returning false.
 */
final class DeliveryStore {

  /**
   * A claimed message: what the provider needs plus the fence that completes it, and when it could
   * first be sent ({@code order_at}: accepted, or its sendAt) for the queue-wait metric.
   */
  record Claimed(UUID id, long fence, int attempts, String chatId, String recipient, String kind, JsonObject content,
                 Instant orderAt) {
  }

  static final String MESSAGE_EXPIRE_DUE = """
      WITH upd AS (
        UPDATE messages SET status = 'expired', finalized_at = $2, updated_at = $2,
               last_error_code = 'expired', last_error = 'not sent before expiresAt'
         WHERE instance_id = $1 AND status = 'queued' AND expires_at <= $2
        RETURNING id, tenant_id, instance_id, recipient, attempts, metadata, expires_at),
      ev AS (""" + EventLog.messageEventsFrom("upd", "'message.expired'", "$2",
          "jsonb_build_object('status', 'expired', 'expiresAt', s.expires_at, 'error', "
              + EventLog.errorData("'expired'", "'not sent before expiresAt'") + ")", null) + """
      )
      INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt)
      SELECT id, instance_id, $2, 'expired', 'queued', 'expired', attempts FROM upd
      RETURNING message_id""";

  static final String MESSAGE_NEXT_EXPIRY = """
      SELECT min(expires_at) AS expiry FROM messages
       WHERE instance_id = $1 AND status = 'queued' AND expires_at IS NOT NULL""";

  // The head of each chat is its oldest pending message (by order_at, seq). One ordered pass over the
  // instance's pending messages (messages_pending_chat) yields them; a chat whose head is in flight
  // has no candidate. Bounded, so the order of the cut matters: expired heads first (they must be
  // expired), then due ones oldest first (what is sent next), then the rest by when they change
  // (becoming due or expiring), so the earliest wake-up is never cut off.
  // Each head comes with the next queued messages of its chat ($4 in all, the head included, one
  // index range each): after a send the loop knows the chat's new head without reading again.
  static final String MESSAGE_HEADS = """
      SELECT f.id, f.chat_id, f.order_at, f.seq, f.attempts, f.next_attempt_at, f.expires_at, f.status FROM (
        SELECT h.chat_id, h.order_at, h.seq,
               CASE WHEN h.expires_at <= $2 THEN 0
                    WHEN greatest(h.order_at, coalesce(h.next_attempt_at, h.order_at)) <= $2 THEN 1 ELSE 2 END AS k1,
               CASE WHEN h.expires_at <= $2 OR greatest(h.order_at, coalesce(h.next_attempt_at, h.order_at)) <= $2 THEN NULL
                    ELSE least(greatest(h.order_at, coalesce(h.next_attempt_at, h.order_at)), h.expires_at) END AS k2
          FROM (
            SELECT DISTINCT ON (chat_id) chat_id, order_at, seq, next_attempt_at, expires_at, status
              FROM messages WHERE instance_id = $1 AND status IN ('queued', 'sending')
             ORDER BY chat_id, order_at, seq) h
         WHERE h.status = 'queued'
         ORDER BY k1, k2, h.order_at, h.seq
         LIMIT $3) h
      CROSS JOIN LATERAL (
        SELECT m.id, m.chat_id, m.order_at, m.seq, m.attempts, m.next_attempt_at, m.expires_at, m.status
          FROM messages m
         WHERE m.instance_id = $1 AND m.chat_id = h.chat_id AND m.status IN ('queued', 'sending')
           AND (m.order_at, m.seq) >= (h.order_at, h.seq)
         ORDER BY m.order_at, m.seq
         LIMIT $4) f
       ORDER BY h.k1, h.k2, h.order_at, h.seq, h.chat_id, f.order_at, f.seq""";

  // Claims the message hub/ picked, if it is still queued and unexpired (an operator may have
  // cancelled it since the heads were read): lease, fence and attempt in one statement.
  static final String MESSAGE_CLAIM = """
      WITH claimed AS (
        UPDATE messages m SET status = 'sending', lease_owner = $3, lease_until = $4, fence = m.fence + 1,
               attempts = m.attempts + 1, updated_at = $2
         WHERE m.id = $1 AND m.instance_id = $5 AND m.status = 'queued'
           AND (m.expires_at IS NULL OR m.expires_at > $2)
        RETURNING m.id, m.fence, m.attempts, m.chat_id, m.recipient, m.kind, m.payload, m.order_at),
      ev AS (
        INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt)
        SELECT id, $5, $2, 'attempt', 'queued', 'sending', attempts FROM claimed)
      SELECT * FROM claimed""";

  static final String MESSAGE_COMPLETE_SENT = """
      WITH upd AS (
        UPDATE messages SET status = 'sent', provider_message_id = $3, sent_at = $4, finalized_at = $4, updated_at = $4,
               lease_owner = NULL, lease_until = NULL, last_error_code = NULL, last_error = NULL
         WHERE id = $1 AND fence = $2 AND status = 'sending'
        RETURNING id, tenant_id, instance_id, recipient, attempts, metadata),
      ev AS (""" + EventLog.messageEventsFrom("upd", "'message.sent'", "$4",
          "jsonb_build_object('status', 'sent', 'providerMessageId', $3::text)", null) + """
      )
      INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt, detail)
      SELECT id, instance_id, $4, 'sent', 'sending', 'sent', attempts, $3 FROM upd
      RETURNING message_id""";

  static final String MESSAGE_RETRY_LATER = """
      WITH upd AS (
        UPDATE messages SET status = 'queued', next_attempt_at = $3, last_error_code = $4, last_error = $5,
               updated_at = $6, lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND fence = $2 AND status = 'sending'
        RETURNING id, instance_id, attempts)
      INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt, detail)
      SELECT id, instance_id, $6, 'retry_scheduled', 'sending', 'queued', attempts, $4 || ': ' || $5 FROM upd
      RETURNING message_id""";

  static final String MESSAGE_FINISH = """
      WITH upd AS (
        UPDATE messages SET status = $3, finalized_at = $6, updated_at = $6, last_error_code = $4, last_error = $5,
               lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND fence = $2 AND status = 'sending'
        RETURNING id, tenant_id, instance_id, recipient, attempts, metadata),
      ev AS (""" + EventLog.messageEventsFrom("upd", "'message.' || $3::text", "$6",
          "jsonb_build_object('status', $3::text, 'error', " + EventLog.errorData("$4::text", "$5::text") + ")", null) + """
      )
      INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt, detail)
      SELECT id, instance_id, $6, $3, 'sending', $3, attempts, $4 || ': ' || $5 FROM upd
      RETURNING message_id""";

  // Not handed over after all (shutdown before the send started): the attempt did not happen.
  static final String MESSAGE_RELEASE = """
      WITH upd AS (
        UPDATE messages SET status = 'queued', attempts = attempts - 1, updated_at = $3,
               lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND fence = $2 AND status = 'sending'
        RETURNING id, instance_id, attempts)
      INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt, detail)
      SELECT id, instance_id, $3, 'released', 'sending', 'queued', attempts, 'released unsent at shutdown' FROM upd
      RETURNING message_id""";

  // On start, every 'sending' row of the instance is an orphan of an earlier incarnation (only the
  // instance's own verticle claims, and a graceful stop finishes or releases its send): resend it
  // with the same id when the provider deduplicates, otherwise nobody can know -> in_doubt.
  static final String MESSAGE_RESCUE_ORPHANS = """
      WITH upd AS (
        UPDATE messages SET status = CASE WHEN $3 THEN 'queued' ELSE 'in_doubt' END,
               finalized_at = CASE WHEN $3 THEN NULL ELSE $2 END, updated_at = $2, fence = fence + 1,
               lease_owner = NULL, lease_until = NULL, last_error_code = 'interrupted',
               last_error = 'the hub stopped while this message was being handed to the provider'
         WHERE instance_id = $1 AND status = 'sending'
        RETURNING id, tenant_id, instance_id, recipient, attempts, metadata, status),
      ev AS (""" + EventLog.messageEventsFrom("upd", "'message.in_doubt'", "$2",
          "jsonb_build_object('status', 'in_doubt', 'error', " + EventLog.errorData("'interrupted'",
              "'the hub stopped while this message was being handed to the provider'") + ")", "s.status = 'in_doubt'") + """
      )
      INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt, detail)
      SELECT id, instance_id, $2, 'interrupted', 'sending', status, attempts,
             CASE WHEN $3 THEN 'resent with the same id (the provider deduplicates)' ELSE 'outcome unknown' END FROM upd
      RETURNING message_id""";

  // one completion event per attempt, stamped after the provider answered (see SendLoop);
  // an attempt cut short by a crash is stamped when it is rescued, later still: both err on the safe side
  static final String ATTEMPTS_SINCE =
      "SELECT at FROM message_events WHERE instance_id = $1 "
          + "AND kind IN ('sent', 'retry_scheduled', 'failed', 'in_doubt', 'interrupted') AND at > $2";
  static final String RESTARTS_SINCE =
      "SELECT at FROM instance_events WHERE instance_id = $1 AND kind = 'restart' AND at > $2";

  // The state row, its audit row and its domain events ($7: the types, in order, from hub/ EventRules)
  // in one statement: the events exist iff the state row changed. instance.needs_qr carries the QR ($8).
  static final String INSTANCE_STATE_SET = """
      WITH upd AS (
        UPDATE instances SET state = $2, state_since = $3, last_error = $4 WHERE id = $1 RETURNING id, tenant_id),
      ev AS (
        INSERT INTO\s""" + EventLog.INSERT_COLUMNS + """
        SELECT u.tenant_id, u.id, NULL, t.type, $3,
               jsonb_build_object('tenantId', u.tenant_id, 'instanceId', u.id, 'from', $6::text, 'to', $2::text,
                                  'reason', $4::text, 'kind', $5::text)
               || CASE WHEN t.type = 'instance.needs_qr' THEN jsonb_build_object('qr', $8::text) ELSE '{}'::jsonb END
          FROM upd u CROSS JOIN unnest($7::text[]) WITH ORDINALITY AS t(type, ord)
         ORDER BY t.ord)
      INSERT INTO instance_events (instance_id, at, kind, from_state, to_state, detail)
      SELECT id, $3, $5, $6, $2, $4 FROM upd""";
  static final String INSTANCE_EVENT_INSERT =
      "INSERT INTO instance_events (instance_id, at, kind, detail) VALUES ($1, $2, $3, $4)";
  static final String INSTANCE_DESIRED_SET = "UPDATE instances SET desired_state = $2 WHERE id = $1";

  static final String INSTANCE_COUNTERS = """
      SELECT (SELECT count(*) FROM message_events WHERE instance_id = $1 AND kind = 'sent' AND at > $2) AS sent1h,
             (SELECT count(*) FROM message_events WHERE instance_id = $1 AND kind = 'sent' AND at > $3) AS sent24h,
             (SELECT count(*) FROM message_events WHERE instance_id = $1
                 AND kind IN ('retry_scheduled', 'failed', 'in_doubt') AND at > $2) AS failures1h,
             (SELECT count(*) FROM instance_events WHERE instance_id = $1 AND kind = 'disconnected' AND at > $2)
                 AS disconnects1h,
             (SELECT queue_depth FROM instances WHERE id = $1) AS depth,
             (SELECT min(created_at) FROM messages WHERE instance_id = $1 AND status = 'queued') AS oldest""";

  private final Pool pool;
  /** Told after each commit that wrote outbox events ({@link org.wahub.event.EventSignal}). */
  private final Runnable eventsWritten;

  DeliveryStore(Pool pool) {
    this(pool, () -> { });
  }

  DeliveryStore(Pool pool, Runnable eventsWritten) {
    this.pool = pool;
    this.eventsWritten = eventsWritten;
  }

  private void tell(boolean wroteEvents) {
    if (wroteEvents) {
      eventsWritten.run();
    }
  }

  /** The heads of at most {@code chats} chats, each followed by its next queued messages ({@code depth} in all). */
  Future<List<PendingMessage>> heads(String instanceId, Instant now, int chats, int depth) {
    return pool.preparedQuery(MESSAGE_HEADS).execute(Tuple.of(instanceId, utc(now), chats, depth)).map(rows -> {
      List<PendingMessage> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        Instant orderAt = instant(r.getOffsetDateTime("order_at"));
        // order_at is the later of sendAt and the accept time: a message is not due before it
        out.add(new PendingMessage(r.getUUID("id").toString(), r.getString("chat_id"), orderAt, r.getLong("seq"),
            r.getInteger("attempts"), instant(r.getOffsetDateTime("next_attempt_at")), orderAt,
            instant(r.getOffsetDateTime("expires_at")), MessageStatus.parse(r.getString("status")).orElseThrow()));
      }
      return out;
    });
  }

  /** Claims the picked message, or completes with null when it is no longer queued. */
  Future<Claimed> claim(String instanceId, UUID messageId, Instant now, String owner, Instant leaseUntil) {
    return pool.preparedQuery(MESSAGE_CLAIM)
        .execute(Tuple.of(messageId, utc(now), owner, utc(leaseUntil), instanceId)).map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          Object payload = r.getValue("payload");
          return new Claimed(r.getUUID("id"), r.getLong("fence"), r.getInteger("attempts"), r.getString("chat_id"),
              r.getString("recipient"), r.getString("kind"), payload instanceof JsonObject o ? o : new JsonObject(),
              instant(r.getOffsetDateTime("order_at")));
        });
  }

  /** Expires queued messages whose expiresAt has passed; completes with how many. */
  Future<Integer> expireDue(String instanceId, Instant now) {
    return pool.preparedQuery(MESSAGE_EXPIRE_DUE).execute(Tuple.of(instanceId, utc(now))).map(RowSet::size)
        .onSuccess(n -> tell(n > 0));
  }

  /** The earliest expiresAt among the instance's queued messages (any of them, not only chat heads), or null. */
  Future<Instant> nextExpiry(String instanceId) {
    return pool.preparedQuery(MESSAGE_NEXT_EXPIRY).execute(Tuple.of(instanceId))
        .map(rows -> instant(rows.iterator().next().getOffsetDateTime("expiry")));
  }

  Future<Boolean> completeSent(Claimed c, String providerMessageId, Instant now) {
    return applied(pool.preparedQuery(MESSAGE_COMPLETE_SENT)
        .execute(Tuple.of(c.id(), c.fence(), providerMessageId, utc(now)))).onSuccess(this::tell);
  }

  Future<Boolean> retryLater(Claimed c, Instant at, String code, String reason, Instant now) {
    return applied(pool.preparedQuery(MESSAGE_RETRY_LATER)
        .execute(Tuple.of(c.id(), c.fence(), utc(at), code, reason, utc(now))));
  }

  /** Ends the send as 'failed' or 'in_doubt' with a reason. */
  Future<Boolean> finish(Claimed c, String status, String code, String reason, Instant now) {
    return applied(pool.preparedQuery(MESSAGE_FINISH)
        .execute(Tuple.of(c.id(), c.fence(), status, code, reason, utc(now)))).onSuccess(this::tell);
  }

  Future<Boolean> release(Claimed c, Instant now) {
    return applied(pool.preparedQuery(MESSAGE_RELEASE).execute(Tuple.of(c.id(), c.fence(), utc(now))));
  }

  Future<Integer> rescueOrphans(String instanceId, Instant now, boolean resend) {
    return pool.preparedQuery(MESSAGE_RESCUE_ORPHANS).execute(Tuple.of(instanceId, utc(now), resend)).map(RowSet::size)
        .onSuccess(n -> tell(n > 0));
  }

  Future<List<Instant>> attemptsSince(String instanceId, Instant since) {
    return times(pool.preparedQuery(ATTEMPTS_SINCE).execute(Tuple.of(instanceId, utc(since))));
  }

  Future<List<Instant>> restartsSince(String instanceId, Instant since) {
    return times(pool.preparedQuery(RESTARTS_SINCE).execute(Tuple.of(instanceId, utc(since))));
  }

  /** Persists a state change with its audit row and {@code events} (in order); {@code qr} goes into instance.needs_qr. */
  Future<Void> setState(String instanceId, String state, String previous, Instant at, String detail, String kind,
                        List<EventType> events, String qr) {
    String[] types = events.stream().map(EventType::wire).toArray(String[]::new);
    return pool.preparedQuery(INSTANCE_STATE_SET)
        .execute(Tuple.from(new Object[] {instanceId, state, utc(at), detail, kind, previous, types, qr}))
        .onSuccess(x -> tell(types.length > 0)).mapEmpty();
  }

  Future<Void> event(String instanceId, Instant at, String kind, String detail) {
    return pool.preparedQuery(INSTANCE_EVENT_INSERT).execute(Tuple.of(instanceId, utc(at), kind, detail)).mapEmpty();
  }

  Future<Void> setDesired(String instanceId, String desired) {
    return pool.preparedQuery(INSTANCE_DESIRED_SET).execute(Tuple.of(instanceId, desired)).mapEmpty();
  }

  /** Counters and queue figures for the status endpoint, counted from the audit tables. */
  Future<JsonObject> counters(String instanceId, Instant now) {
    return pool.preparedQuery(INSTANCE_COUNTERS)
        .execute(Tuple.of(instanceId, utc(now.minusSeconds(3600)), utc(now.minusSeconds(86_400)))).map(rows -> {
          Row r = rows.iterator().next();
          Instant oldest = instant(r.getOffsetDateTime("oldest"));
          return new JsonObject()
              .put("queue", new JsonObject().put("depth", r.getInteger("depth"))
                  .put("oldestQueuedAt", oldest == null ? null : oldest.toString()))
              .put("counters", new JsonObject().put("sent1h", r.getLong("sent1h")).put("sent24h", r.getLong("sent24h"))
                  .put("failures1h", r.getLong("failures1h")).put("disconnects1h", r.getLong("disconnects1h")));
        });
  }

  private static Future<Boolean> applied(Future<RowSet<Row>> update) {
    return update.map(rows -> rows.size() == 1);
  }

  private static Future<List<Instant>> times(Future<RowSet<Row>> rows) {
    return rows.map(rs -> {
      List<Instant> out = new ArrayList<>(rs.size());
      rs.forEach(r -> out.add(r.getOffsetDateTime("at").toInstant()));
      return out;
    });
  }

  static OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
