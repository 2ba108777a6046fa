package org.wahub.webhook;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.wahub.api.Sql;
import org.wahub.event.EventLog;
import org.wahub.hub.event.EventFilter;
import org.wahub.hub.event.EventPosition;
import org.wahub.hub.webhook.WebhookKeys;
import org.wahub.hub.webhook.WebhookSecret;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.wahub.webhook.WebhookStore.utc;

/**
 * Webhook deliveries in PostgreSQL: the fan-out from the outbox, the claim, the completions, the
 * lease rescue, and what the API reads and replays. Time is always passed in from the caller's
 * clock. A claim takes a lease and bumps the fence; every completion names that fence and needs
 * the row still {@code sending}, so a stale worker (a lease that ran out, a replay, a deleted
 * endpoint) can never overwrite a newer state: its write matches no row and says so.
 */
public final class WebhookDeliveryStore {

  /** One advisory lock serializes the fan-out across nodes; it assigns no transaction id. */
  static final long FANOUT_LOCK_KEY = 0x7768_6b5f_6661_6eL; // "whk_fan"
  // The fan-out is idempotent (the cursor only moves forward, a delivery is unique per endpoint and
  // event), so its commit need not wait for the WAL flush: a fan-out lost in a crash is done again
  // from the older cursor, and any later durable commit (a claim, a send) flushes it first anyway.
  static final String FANOUT_LOCK_TRY =
      "SELECT pg_try_advisory_xact_lock($1) AS locked, set_config('synchronous_commit', 'off', true) AS sync";
  static final String CURSOR_GET = "SELECT tx::text AS tx, seq FROM webhook_dispatch_cursor";
  static final String CURSOR_SET = "UPDATE webhook_dispatch_cursor SET tx = $1::text::xid8, seq = $2";
  /**
   * No enabled endpoint anywhere: nothing to fan out, so the cursor jumps to the last readable
   * event (the page's rule: below the oldest running transaction) without reading any. The drain
   * census showed the fan-out decoding every event of a hub that has no endpoints. One snapshot
   * decides both, so this gives an endpoint created meanwhile what the page path gives it: the
   * events read after its row was visible (the planner then applies its events_since).
   * Params: $1 cursor tx (text), $2 cursor seq. Returns {@code idle}.
   */
  static final String FANOUT_SKIP_WITHOUT_ENDPOINTS = """
      WITH snap AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
      idle AS MATERIALIZED (SELECT NOT EXISTS (SELECT 1 FROM webhooks WHERE enabled) AS idle),
      target AS (
        SELECT e.tx, e.seq FROM events e
         WHERE (SELECT idle FROM idle) AND (e.tx, e.seq) > ($1::text::xid8, $2::bigint)
           AND e.tx < (SELECT xmin FROM snap)
         ORDER BY e.tx DESC, e.seq DESC
         LIMIT 1),
      moved AS (UPDATE webhook_dispatch_cursor SET tx = t.tx, seq = t.seq FROM target t RETURNING 1)
      SELECT (SELECT idle FROM idle) AS idle, (SELECT count(*) FROM moved) AS moved""";
  static final String WEBHOOKS_FOR_FANOUT =
      "SELECT id, tenant_id, instance_id, event_types, events_since FROM webhooks WHERE enabled AND tenant_id = ANY($1)";
  /** The fan-out's rows, one statement whatever their number; an event already fanned out is skipped. */
  static final String DELIVERY_INSERT_MANY = """
      INSERT INTO webhook_deliveries (id, webhook_id, event_tx, event_seq, event_type, message_id, order_key, body,
                                      next_attempt_at, created_at, updated_at)
      SELECT t.id, t.webhook_id, t.tx::xid8, t.seq, t.type, t.message_id, t.order_key, t.body, $9, $9, $9
        FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
             AS t(id, webhook_id, tx, seq, type, message_id, order_key, body)
      ON CONFLICT (webhook_id, event_tx, event_seq) DO NOTHING
      RETURNING webhook_id""";

  static final String DELIVERY_INSERT_PING = """
      INSERT INTO webhook_deliveries (id, webhook_id, event_type, body, next_attempt_at, created_at, updated_at)
      VALUES ($1, $2, 'webhook.test', $3, $4, $4, $4)
      RETURNING""" + " " + Delivery.COLUMNS;

  /**
   * Claims up to $3 due deliveries of one endpoint, oldest due first. A delivery waits while an
   * earlier event with the same order key (the same message) is still open for that endpoint, so
   * one message's events arrive in order even with several requests in flight.
   */
  static final String DELIVERY_CLAIM_DUE_FOR_WEBHOOK = """
      WITH picked AS (
        SELECT d.id FROM webhook_deliveries d
         WHERE d.webhook_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                            WHERE p.webhook_id = d.webhook_id AND p.order_key = d.order_key
                              AND p.status IN ('pending', 'sending')
                              AND (p.event_tx, p.event_seq) < (d.event_tx, d.event_seq))
         ORDER BY d.next_attempt_at, d.event_tx, d.event_seq, d.id
         LIMIT $3
           FOR UPDATE OF d SKIP LOCKED)
      UPDATE webhook_deliveries d SET status = 'sending', attempts = d.attempts + 1, fence = d.fence + 1,
             lease_owner = $4, lease_until = $5, updated_at = $2
        FROM picked, webhooks w
       WHERE d.id = picked.id AND w.id = d.webhook_id AND w.enabled
      RETURNING d.id, d.webhook_id, d.fence, d.attempts, d.body, w.url, w.secret, w.previous_secret,
                w.previous_secret_expires_at""";

  static final String DELIVERY_COMPLETE_SUCCEEDED = """
      UPDATE webhook_deliveries SET status = 'succeeded', finished_at = $3, updated_at = $3, last_attempt_at = $4,
             last_status = $5, last_error_code = NULL, last_error = NULL, last_duration_ms = $6,
             lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND fence = $2 AND status = 'sending'
      RETURNING id""";

  /** A failed attempt with attempts left; on an endpoint disabled meanwhile the delivery ends as cancelled. */
  static final String DELIVERY_RETRY_LATER = """
      UPDATE webhook_deliveries d SET status = CASE WHEN w.enabled THEN 'pending' ELSE 'cancelled' END,
             finished_at = CASE WHEN w.enabled THEN NULL ELSE $3 END, next_attempt_at = $9,
             updated_at = $3, last_attempt_at = $4, last_status = $5, last_error_code = $6, last_error = $7,
             last_duration_ms = $8, lease_owner = NULL, lease_until = NULL
        FROM webhooks w
       WHERE d.id = $1 AND d.fence = $2 AND d.status = 'sending' AND w.id = d.webhook_id
      RETURNING d.id""";

  /** No attempts left ('failed'), or the endpoint said 410 ('cancelled'). */
  static final String DELIVERY_FINISH = """
      UPDATE webhook_deliveries SET status = $9, finished_at = $3, updated_at = $3, last_attempt_at = $4,
             last_status = $5, last_error_code = $6, last_error = $7, last_duration_ms = $8,
             lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND fence = $2 AND status = 'sending'
      RETURNING id""";

  /** The endpoint answered 410: it is disabled, and what waits for it ends. */
  static final String WEBHOOK_DISABLE_GONE =
      "UPDATE webhooks SET enabled = false, disabled_reason = 'gone', disabled_at = $2, updated_at = $2, "
          + "version = version + 1 WHERE id = $1 AND enabled RETURNING id";
  static final String DELIVERY_CANCEL_PENDING_FOR_WEBHOOK =
      "UPDATE webhook_deliveries SET status = 'cancelled', finished_at = $2, updated_at = $2, last_error_code = $3, "
          + "last_error = $4 WHERE webhook_id = $1 AND status = 'pending'";

  /** Leases that ran out (a node died mid-request): due again now. Also the next lease of another node to run out. */
  static final String DELIVERY_RESCUE_EXPIRED_MANY = """
      WITH rescued AS (
        UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, lease_owner = NULL, lease_until = NULL,
               updated_at = $1, last_error_code = 'interrupted',
               last_error = 'the node sending it stopped before the endpoint answered'
         WHERE status = 'sending' AND lease_until < $1
        RETURNING id)
      SELECT (SELECT count(*) FROM rescued) AS rescued,
             (SELECT min(lease_until) FROM webhook_deliveries
               WHERE status = 'sending' AND lease_until >= $1 AND lease_owner <> $2) AS next_expiry""";

  /** At shutdown: this node's requests in flight will not be recorded, so they are due again. */
  static final String DELIVERY_RELEASE_FOR_OWNER = """
      UPDATE webhook_deliveries d SET status = CASE WHEN w.enabled THEN 'pending' ELSE 'cancelled' END,
             finished_at = CASE WHEN w.enabled THEN NULL ELSE $2 END, next_attempt_at = $2,
             lease_owner = NULL, lease_until = NULL, updated_at = $2, last_error_code = 'interrupted',
             last_error = 'the hub stopped before the endpoint answered'
        FROM webhooks w
       WHERE d.lease_owner = $1 AND d.status = 'sending' AND w.id = d.webhook_id""";

  /** Per enabled endpoint with pending deliveries: whether one is due now, and the next due time after now. */
  static final String WEBHOOK_DUE_MANY = """
      SELECT id, due_now, next_at FROM (
        SELECT w.id,
               EXISTS (SELECT 1 FROM webhook_deliveries d
                        WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= $1) AS due_now,
               (SELECT min(d.next_attempt_at) FROM webhook_deliveries d
                 WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at > $1) AS next_at
          FROM webhooks w WHERE w.enabled) x
       WHERE due_now OR next_at IS NOT NULL""";

  static final String DELIVERY_LIST_FOR_WEBHOOK = "SELECT " + Delivery.COLUMNS + " FROM webhook_deliveries "
      + "WHERE webhook_id = $1 AND id > $2 AND ($3::text IS NULL OR status = $3) ORDER BY id LIMIT $4";
  static final String DELIVERY_GET_FOR_WEBHOOK =
      "SELECT " + Delivery.COLUMNS + " FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2";
  /** A replay: an ended delivery is due again with a fresh schedule, same id (webhook-id) and body. */
  static final String DELIVERY_REPLAY = """
      UPDATE webhook_deliveries d SET status = 'pending', attempts = 0, next_attempt_at = $3, finished_at = NULL,
             updated_at = $3
        FROM webhooks w
       WHERE d.id = $1 AND d.webhook_id = $2 AND w.id = d.webhook_id AND w.enabled
         AND d.status IN ('succeeded', 'failed', 'cancelled')
      RETURNING""" + " " + prefixed("d.", Delivery.COLUMNS);

  /** Retention: ended deliveries that ended before $1, oldest first, one batch. */
  static final String DELIVERY_DELETE_ENDED_BEFORE = """
      WITH doomed AS (
        SELECT id FROM webhook_deliveries WHERE finished_at < $1 ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      DELETE FROM webhook_deliveries d USING doomed WHERE d.id = doomed.id""";

  // ---- row shapes

  /** One delivery as the API shows it (never its body: that is the event, which the receiver has or will get). */
  public record Delivery(UUID id, String webhookId, String eventType, String eventPosition, String messageId,
                         String status, int attempts, OffsetDateTime nextAttemptAt, OffsetDateTime lastAttemptAt,
                         Integer lastStatus, String lastErrorCode, String lastError, Integer lastDurationMs,
                         OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime finishedAt) {

    static final String COLUMNS = "id, webhook_id, event_type, event_tx::text AS event_tx, event_seq, message_id, status, "
        + "attempts, next_attempt_at, last_attempt_at, last_status, last_error_code, last_error, last_duration_ms, "
        + "created_at, updated_at, finished_at";

    static Delivery from(Row r) {
      String tx = r.getString("event_tx");
      return new Delivery(r.getUUID("id"), r.getString("webhook_id"), r.getString("event_type"),
          tx == null ? null : tx + "-" + r.getLong("event_seq"), r.getString("message_id"), r.getString("status"),
          r.getInteger("attempts"), r.getOffsetDateTime("next_attempt_at"), r.getOffsetDateTime("last_attempt_at"),
          r.getInteger("last_status"), r.getString("last_error_code"), r.getString("last_error"),
          r.getInteger("last_duration_ms"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"),
          r.getOffsetDateTime("finished_at"));
    }

    public JsonObject toJson() {
      boolean open = status.equals("pending") || status.equals("sending");
      return new JsonObject()
          .put("id", id.toString())
          .put("webhookId", webhookId)
          .put("eventType", eventType)
          .put("eventPosition", eventPosition)
          .put("messageId", messageId)
          .put("status", status)
          .put("attempts", attempts)
          .put("nextAttemptAt", open ? Sql.iso(nextAttemptAt) : null)
          .put("lastAttemptAt", Sql.iso(lastAttemptAt))
          .put("lastStatus", lastStatus)
          .put("lastError", lastErrorCode == null ? null
              : new JsonObject().put("code", lastErrorCode).put("detail", lastError))
          .put("lastDurationMs", lastDurationMs)
          .put("createdAt", Sql.iso(createdAt))
          .put("finishedAt", Sql.iso(finishedAt));
    }
  }

  /** A claimed delivery: what the request needs, and the fence that completes it. */
  record Claimed(UUID id, String webhookId, long fence, int attempts, String body, String url, WebhookKeys keys) {
  }

  /** An enabled endpoint of a tenant with events in the page. */
  record HookRow(String id, String tenantId, String instanceId, List<String> eventTypes, Instant eventsSince) {
  }

  /** A delivery the fan-out creates. */
  record NewDelivery(UUID id, String webhookId, EventLog.Event event, String orderKey, String body) {
  }

  /** Builds the deliveries of one page of events for the endpoints of their tenants. */
  @FunctionalInterface
  interface FanOutPlanner {
    List<NewDelivery> plan(List<EventLog.Event> events, List<HookRow> hooks);
  }

  /**
   * What one fan-out page did. {@code locked}: false when another node holds the fan-out (it will
   * do the work); {@code scanned} events read; {@code webhooks} that got new deliveries;
   * {@code heldBack}: committed events wait behind a running transaction.
   */
  record FanOut(boolean locked, int scanned, Set<String> webhooks, boolean heldBack) {
  }

  /** An endpoint with pending deliveries: one is due now, and/or the next one after now. */
  record DueEndpoint(String webhookId, boolean dueNow, Instant nextAt) {
  }

  /** What the lease rescue did, and when another node's next lease runs out (null: none). */
  record Rescue(long rescued, Instant nextExpiry) {
  }

  private final Pool pool;

  public WebhookDeliveryStore(Pool pool) {
    this.pool = pool;
  }

  // ---- dispatch

  /**
   * One page of the fan-out, in one transaction: take the fan-out lock (or leave it to the node
   * that has it), read up to {@code limit} events after the cursor, let {@code planner} match them
   * to the endpoints of their tenants, insert the deliveries (due at once) and advance the cursor
   * past every readable event, matched or not.
   */
  Future<FanOut> fanOutPage(int limit, Instant now, FanOutPlanner planner) {
    return pool.withTransaction(c -> c.preparedQuery(FANOUT_LOCK_TRY).execute(Tuple.of(FANOUT_LOCK_KEY))
        .compose(lock -> {
          if (!lock.iterator().next().getBoolean("locked")) {
            return Future.succeededFuture(new FanOut(false, 0, Set.of(), false));
          }
          // a statement of its own, after the lock: its snapshot sees the last holder's cursor
          return c.preparedQuery(CURSOR_GET).execute().compose(cur -> {
            Row r = cur.iterator().next();
            return c.preparedQuery(FANOUT_SKIP_WITHOUT_ENDPOINTS).execute(Tuple.of(r.getString("tx"), r.getLong("seq")))
                .compose(skip -> skip.iterator().next().getBoolean("idle")
                    ? Future.succeededFuture(new FanOut(true, 0, Set.of(), false))
                    : readAndInsert(c, new EventPosition(Long.parseLong(r.getString("tx")), r.getLong("seq")), limit,
                        now, planner));
          });
        }));
  }

  /**
   * Reads through {@link EventLog} on this transaction's connection (gap-safe: only transactions
   * older than every running one), so the page, the inserts and the cursor commit together.
   */
  private Future<FanOut> readAndInsert(SqlConnection c, EventPosition after, int limit, Instant now, FanOutPlanner planner) {
    return new EventLog(c).page(null, after, EventFilter.ALL, limit).compose(page -> {
      List<EventLog.Event> events = page.events();
      Future<Set<String>> inserted;
      if (events.isEmpty()) {
        inserted = Future.succeededFuture(Set.of());
      } else {
        Set<String> tenants = new LinkedHashSet<>();
        events.forEach(e -> tenants.add(e.tenantId()));
        inserted = c.preparedQuery(WEBHOOKS_FOR_FANOUT).execute(Tuple.of(tenants.toArray(String[]::new)))
            .compose(hookRows -> {
              List<HookRow> hooks = new ArrayList<>(hookRows.size());
              for (Row h : hookRows) {
                hooks.add(new HookRow(h.getString("id"), h.getString("tenant_id"), h.getString("instance_id"),
                    List.of(h.getArrayOfStrings("event_types")), instant(h.getOffsetDateTime("events_since"))));
              }
              List<NewDelivery> planned = hooks.isEmpty() ? List.of() : planner.plan(events, hooks);
              return planned.isEmpty() ? Future.succeededFuture(Set.<String>of()) : insertMany(c, planned, now);
            });
      }
      // the cursor moves past every readable event looked at, matched or not
      Future<Void> advanced = page.next().compareTo(after) > 0
          ? c.preparedQuery(CURSOR_SET).execute(Tuple.of(Long.toString(page.next().tx()), page.next().seq())).mapEmpty()
          : Future.succeededFuture();
      return inserted.compose(ids -> advanced.map(x -> new FanOut(true, events.size(), ids, page.heldBack())));
    });
  }

  private static Future<Set<String>> insertMany(SqlConnection c, List<NewDelivery> planned, Instant now) {
    int n = planned.size();
    UUID[] ids = new UUID[n];
    String[] hooks = new String[n];
    String[] txs = new String[n];
    Long[] seqs = new Long[n];
    String[] types = new String[n];
    String[] messages = new String[n];
    String[] keys = new String[n];
    String[] bodies = new String[n];
    for (int i = 0; i < n; i++) {
      NewDelivery d = planned.get(i);
      ids[i] = d.id();
      hooks[i] = d.webhookId();
      txs[i] = Long.toString(d.event().position().tx());
      seqs[i] = d.event().position().seq();
      types[i] = d.event().type();
      messages[i] = d.event().messageId() == null ? null : d.event().messageId().toString();
      keys[i] = d.orderKey();
      bodies[i] = d.body();
    }
    return c.preparedQuery(DELIVERY_INSERT_MANY)
        .execute(Tuple.from(new Object[] {ids, hooks, txs, seqs, types, messages, keys, bodies, utc(now)}))
        .map(rows -> {
          Set<String> out = new LinkedHashSet<>();
          rows.forEach(r -> out.add(r.getString("webhook_id")));
          return out;
        });
  }

  /** Claims up to {@code max} due deliveries of one endpoint under a lease until {@code leaseUntil}. */
  Future<List<Claimed>> claimDue(String webhookId, int max, Instant now, String owner, Instant leaseUntil) {
    return pool.preparedQuery(DELIVERY_CLAIM_DUE_FOR_WEBHOOK)
        .execute(Tuple.of(webhookId, utc(now), max, owner, utc(leaseUntil)))
        .map(rows -> {
          List<Claimed> out = new ArrayList<>(rows.size());
          for (Row r : rows) {
            String previous = r.getString("previous_secret");
            OffsetDateTime expires = r.getOffsetDateTime("previous_secret_expires_at");
            WebhookKeys keys = new WebhookKeys(WebhookSecret.parse(r.getString("secret")),
                previous == null ? null : WebhookSecret.parse(previous), instant(expires));
            out.add(new Claimed(r.getUUID("id"), r.getString("webhook_id"), r.getLong("fence"), r.getInteger("attempts"),
                r.getString("body"), r.getString("url"), keys));
          }
          return out;
        });
  }

  /** The result of one attempt, for the completion statements. */
  record Attempt(Instant at, Integer status, String errorCode, String error, int durationMs) {
  }

  /** Delivered. False when the claim was stale (the write had no effect). */
  Future<Boolean> completeSucceeded(Claimed c, Attempt a, Instant now) {
    return pool.preparedQuery(DELIVERY_COMPLETE_SUCCEEDED)
        .execute(Tuple.of(c.id(), c.fence(), utc(now), utc(a.at()), a.status(), a.durationMs()))
        .map(rows -> rows.rowCount() == 1);
  }

  Future<Boolean> retryLater(Claimed c, Attempt a, Instant nextAt, Instant now) {
    return pool.preparedQuery(DELIVERY_RETRY_LATER).execute(Tuple.from(new Object[] {
        c.id(), c.fence(), utc(now), utc(a.at()), a.status(), a.errorCode(), a.error(), a.durationMs(), utc(nextAt)}))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Exhausted: the delivery is listed as failed. */
  Future<Boolean> finishFailed(Claimed c, Attempt a, Instant now) {
    return finish(pool, c, a, now, "failed").map(rows -> rows.rowCount() == 1);
  }

  /** 410 Gone: this delivery ends as cancelled, the endpoint is disabled and its waiting deliveries end too. */
  Future<Boolean> finishGone(Claimed c, Attempt a, Instant now) {
    return pool.withTransaction(conn -> finish(conn, c, a, now, "cancelled")
        .compose(done -> conn.preparedQuery(WEBHOOK_DISABLE_GONE).execute(Tuple.of(c.webhookId(), utc(now)))
            .compose(x -> conn.preparedQuery(DELIVERY_CANCEL_PENDING_FOR_WEBHOOK).execute(Tuple.of(c.webhookId(), utc(now),
                "endpoint_gone", "the endpoint answered 410 Gone and was disabled")))
            .map(x -> done.rowCount() == 1)));
  }

  private static Future<RowSet<Row>> finish(io.vertx.sqlclient.SqlClient client, Claimed c, Attempt a, Instant now, String status) {
    return client.preparedQuery(DELIVERY_FINISH).execute(Tuple.from(new Object[] {
        c.id(), c.fence(), utc(now), utc(a.at()), a.status(), a.errorCode(), a.error(), a.durationMs(), status}));
  }

  Future<Rescue> rescueExpired(Instant now, String owner) {
    return pool.preparedQuery(DELIVERY_RESCUE_EXPIRED_MANY).execute(Tuple.of(utc(now), owner)).map(rows -> {
      Row r = rows.iterator().next();
      return new Rescue(r.getLong("rescued"), instant(r.getOffsetDateTime("next_expiry")));
    });
  }

  Future<Integer> releaseOwned(String owner, Instant now) {
    return pool.preparedQuery(DELIVERY_RELEASE_FOR_OWNER).execute(Tuple.of(owner, utc(now))).map(RowSet::rowCount);
  }

  Future<List<DueEndpoint>> dueEndpoints(Instant now) {
    return pool.preparedQuery(WEBHOOK_DUE_MANY).execute(Tuple.of(utc(now))).map(rows -> {
      List<DueEndpoint> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(new DueEndpoint(r.getString("id"), r.getBoolean("due_now"),
          instant(r.getOffsetDateTime("next_at")))));
      return out;
    });
  }

  // ---- API

  public Future<Delivery> insertPing(UUID id, String webhookId, String body, Instant now) {
    return pool.preparedQuery(DELIVERY_INSERT_PING).execute(Tuple.of(id, webhookId, body, utc(now)))
        .map(rows -> Delivery.from(rows.iterator().next()));
  }

  /** Deliveries of one endpoint after {@code after} (creation order), optionally of one status. */
  public Future<List<Delivery>> list(String webhookId, UUID after, String status, int limit) {
    return pool.preparedQuery(DELIVERY_LIST_FOR_WEBHOOK)
        .execute(Tuple.of(webhookId, after == null ? new UUID(0, 0) : after, status, limit))
        .map(rows -> {
          List<Delivery> out = new ArrayList<>(rows.size());
          rows.forEach(r -> out.add(Delivery.from(r)));
          return out;
        });
  }

  public Future<Optional<Delivery>> get(String webhookId, UUID id) {
    return pool.preparedQuery(DELIVERY_GET_FOR_WEBHOOK).execute(Tuple.of(id, webhookId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Delivery.from(rows.iterator().next())));
  }

  /** Replays an ended delivery of an enabled endpoint; empty when it is open, gone, or the endpoint is disabled. */
  public Future<Optional<Delivery>> replay(String webhookId, UUID id, Instant now) {
    return pool.preparedQuery(DELIVERY_REPLAY).execute(Tuple.of(id, webhookId, utc(now)))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(Delivery.from(rows.iterator().next())));
  }

  // ---- retention

  /** Deletes one batch of deliveries that ended before {@code cutoff}; the count tells whether more may wait. */
  public Future<Integer> deleteEndedBefore(Instant cutoff, int batch) {
    return pool.preparedQuery(DELIVERY_DELETE_ENDED_BEFORE).execute(Tuple.of(utc(cutoff), batch)).map(RowSet::rowCount);
  }

  static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  private static String prefixed(String prefix, String columns) {
    StringBuilder sb = new StringBuilder();
    for (String col : columns.split(",\\s*")) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(prefix).append(col);
    }
    return sb.toString();
  }
}
