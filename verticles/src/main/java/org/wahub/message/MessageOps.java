package org.wahub.message;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.wahub.hub.message.MessageStatus;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The store of the dead-letter operations (DESIGN §6): retry, cancel, delete one message, and
 * retry many by filter. Every change is ONE conditional statement that also writes its audit row
 * to {@code message_events} (a data-modifying CTE), so a change and its history commit together
 * and two racing operators can never both win.
 *
 * <p>Lock order is the house order — message rows first, then the instance row (the same order as
 * the send loop's {@code UPDATE messages} followed by the queue-depth trigger) — so these statements
 * cannot deadlock with the delivery side. {@code instances.queue_depth} is only ever changed by the
 * triggers; a retry reads it from the locked instance row to honour the queue cap exactly like the
 * intake does.
 *
 * <p>When a conditional statement matches nothing, the row is read again (a fresh snapshot) to
 * tell "absent" from "wrong status". If that read finds a status the operation accepts (the row
 * changed in between), the operation is simply tried again, a bounded number of times.
 */
public final class MessageOps {

  /** Statuses an operator may retry: terminal ones the domain lets go back to QUEUED (failed, in_doubt). */
  public static final Set<MessageStatus> RETRYABLE = statuses(s -> s.isTerminal() && s.canTransitionTo(MessageStatus.QUEUED));
  /** Statuses an operator may cancel: those the domain lets become CANCELLED (queued, failed, in_doubt). */
  public static final Set<MessageStatus> CANCELLABLE = statuses(s -> s.canTransitionTo(MessageStatus.CANCELLED));
  /** Statuses that block a delete: the pending ones (queued, sending). */
  public static final Set<MessageStatus> PENDING = statuses(MessageStatus::isPending);

  /**
   * Retry one failed / in-doubt message: back to {@code queued} with a fresh attempt budget
   * (attempts 0, no next_attempt_at, no lease, not finalized); last_error_code/last_error stay for
   * the history. Locks the message row (re-checking the status on its newest version), then its
   * instance row, and only updates while {@code queue_depth < max_queue}. Params: $1 id, $2 tenant,
   * $3 allowed from-statuses, $4 audit detail. Always returns one row: the updated message (all
   * columns null when nothing changed), {@code eligible} (the message exists in an allowed status)
   * and the instance's cap, so "eligible but not updated" means the queue is full.
   */
  static final String MESSAGE_RETRY_IF_DEAD = """
      WITH target AS MATERIALIZED (
        SELECT id AS t_id, instance_id AS t_instance, status AS t_status, attempts AS t_attempts
          FROM messages
         WHERE id = $1 AND tenant_id = $2 AND status = ANY($3::text[])
           FOR UPDATE
      ),
      cap AS MATERIALIZED (
        SELECT i.id AS cap_instance, i.max_queue, i.queue_depth, i.per_minute
          FROM instances i
         WHERE i.id = (SELECT t_instance FROM target)
           FOR UPDATE
      ),
      upd AS (
        UPDATE messages m
           SET status = 'queued', attempts = 0, next_attempt_at = NULL, finalized_at = NULL, archived_at = NULL,
               lease_owner = NULL, lease_until = NULL, updated_at = now()
          FROM target t, cap c
         WHERE m.id = t.t_id AND c.queue_depth < c.max_queue
        RETURNING %s, t.t_status AS from_status, t.t_attempts AS from_attempts
      ),
      ev AS (
        INSERT INTO message_events (message_id, instance_id, kind, from_status, to_status, attempt, detail)
        SELECT id, instance_id, 'manual_retry', from_status, 'queued', from_attempts, $4 FROM upd
      )
      SELECT u.*, t.t_status IS NOT NULL AS eligible, c.cap_instance, c.max_queue, c.per_minute
        FROM (VALUES (1)) AS one (x)
        LEFT JOIN target t ON true
        LEFT JOIN cap c ON true
        LEFT JOIN upd u ON true
      """.formatted(MessageView.COLUMNS);

  /**
   * Cancel one queued / failed / in-doubt message (finalized now). Cancelling a queued message
   * frees its queue slot (the trigger lowers queue_depth). Params: $1 id, $2 tenant, $3 allowed
   * from-statuses, $4 audit detail. Returns the updated message, or no row.
   */
  static final String MESSAGE_CANCEL_IF_CANCELLABLE = """
      WITH target AS MATERIALIZED (
        SELECT id AS t_id, status AS t_status, attempts AS t_attempts
          FROM messages
         WHERE id = $1 AND tenant_id = $2 AND status = ANY($3::text[])
           FOR UPDATE
      ),
      upd AS (
        UPDATE messages m
           SET status = 'cancelled', finalized_at = now(), next_attempt_at = NULL,
               lease_owner = NULL, lease_until = NULL, updated_at = now()
          FROM target t
         WHERE m.id = t.t_id
        RETURNING %s, t.t_status AS from_status, t.t_attempts AS from_attempts
      ),
      ev AS (
        INSERT INTO message_events (message_id, instance_id, kind, from_status, to_status, attempt, detail)
        SELECT id, instance_id, 'cancelled', from_status, 'cancelled', from_attempts, $4 FROM upd
      ),
      out AS (%s)
      SELECT * FROM upd
      """.formatted(MessageView.COLUMNS, org.wahub.event.EventLog.messageEventsFrom(
          "(SELECT u.*, $2::text AS tenant_id FROM upd u)", "'message.cancelled'", "now()",
          "jsonb_build_object('status', 'cancelled', 'from', s.from_status)", null));

  /**
   * Delete one message that is not pending. Its message_events go with it (ON DELETE CASCADE), and
   * so does its idempotency key: the unique dedupe_id lives on this row, so after a delete the
   * same key (explicit or derived) is accepted again as a NEW message. That is the point of
   * deleting rather than cancelling. Params: $1 id, $2 tenant, $3 pending statuses.
   */
  static final String MESSAGE_DELETE_IF_SETTLED = """
      DELETE FROM messages
       WHERE id = $1 AND tenant_id = $2 AND NOT (status = ANY($3::text[]))
      RETURNING id, instance_id, status
      """;

  /** The fresh re-read after a conditional statement matched nothing. */
  static final String MESSAGE_STATUS_FOR_TENANT = "SELECT status FROM messages WHERE id = $1 AND tenant_id = $2";

  /**
   * Retry many dead messages of one instance, oldest (by seq) first, at most min(limit, free queue
   * capacity). Params: $1 tenant, $2 instance, $3 status, $4 finalized-before (nullable), $5 limit,
   * $6 audit detail.
   *
   * <p>Order of work: lock the candidate message rows first (at most the limit, and at most the
   * capacity a plain read of the instance shows, so a full queue locks nothing), then the instance
   * row, then update only as many of the candidates as the locked row's free capacity allows.
   * Candidates another statement changed meanwhile are re-checked by the lock and drop out.
   * {@code matching} counts the filter's rows in the statement's snapshot; matching - retried is
   * what is left.
   */
  static final String MESSAGE_RETRY_MANY_IF_DEAD = """
      WITH picked AS MATERIALIZED (
        SELECT m.id AS p_id, m.seq AS p_seq, m.status AS p_status, m.attempts AS p_attempts
          FROM messages m
         WHERE m.instance_id = $2 AND m.tenant_id = $1 AND m.status = $3
           AND ($4::timestamptz IS NULL OR m.finalized_at < $4::timestamptz)
           AND m.archived_at IS NULL -- an archived dead letter is retried only by its id
         ORDER BY m.seq
         LIMIT least($5::int, (SELECT greatest(i.max_queue - i.queue_depth, 0) FROM instances i
                                WHERE i.id = $2 AND i.tenant_id = $1))
           FOR UPDATE
      ),
      inst AS MATERIALIZED (
        SELECT i.max_queue, i.queue_depth
          FROM instances i
         WHERE i.id = $2 AND i.tenant_id = $1 AND (SELECT count(*) FROM picked) > 0
           FOR UPDATE
      ),
      chosen AS MATERIALIZED (
        SELECT p.* FROM picked p
         ORDER BY p.p_seq
         LIMIT coalesce((SELECT greatest(max_queue - queue_depth, 0) FROM inst), 0)
      ),
      upd AS (
        UPDATE messages m
           SET status = 'queued', attempts = 0, next_attempt_at = NULL, finalized_at = NULL,
               lease_owner = NULL, lease_until = NULL, updated_at = now()
          FROM chosen c
         WHERE m.id = c.p_id
        RETURNING m.id, m.instance_id, c.p_seq, c.p_status, c.p_attempts
      ),
      ev AS (
        INSERT INTO message_events (message_id, instance_id, kind, from_status, to_status, attempt, detail)
        SELECT id, instance_id, 'manual_retry', p_status, 'queued', p_attempts, $6 FROM upd
      )
      SELECT EXISTS (SELECT 1 FROM instances WHERE id = $2 AND tenant_id = $1) AS instance_found,
             (SELECT coalesce(array_agg(id ORDER BY p_seq), '{}'::uuid[]) FROM upd) AS ids,
             (SELECT count(*) FROM messages m
               WHERE m.instance_id = $2 AND m.tenant_id = $1 AND m.status = $3
                 AND ($4::timestamptz IS NULL OR m.finalized_at < $4::timestamptz)) AS matching
      """;

  /** What one single-message operation did. */
  public sealed interface Outcome {
    /** Changed: the message as it is now (with history) and the status it came from. */
    record Changed(JsonObject message, String instanceId, MessageStatus from) implements Outcome {
    }

    /** No such message for this tenant. */
    record Missing() implements Outcome {
    }

    /** The message exists but its status does not allow the operation. */
    record WrongStatus(MessageStatus current) implements Outcome {
    }

    /** A retry would exceed the instance's queue cap. */
    record QueueFull(String instanceId, int cap, int perMinute) implements Outcome {
    }

    /** The row kept changing under the operation (only after several tries). */
    record Contended() implements Outcome {
    }
  }

  /** What a delete did. */
  public sealed interface DeleteOutcome {
    record Deleted(String instanceId, MessageStatus was) implements DeleteOutcome {
    }

    record Missing() implements DeleteOutcome {
    }

    record Pending(MessageStatus current) implements DeleteOutcome {
    }

    record Contended() implements DeleteOutcome {
    }
  }

  /** The bulk retry's filter. */
  public record BulkFilter(String instanceId, MessageStatus status, OffsetDateTime finalizedBefore, int limit) {
  }

  /** The bulk retry's result; {@code instanceFound} false means 404. */
  public record BulkResult(boolean instanceFound, List<String> ids, long remaining) {
  }

  private static final int TRIES = 3;

  private final Pool pool;

  public MessageOps(Pool pool) {
    this.pool = pool;
  }

  public Future<Outcome> retry(String tenantId, UUID id, String detail) {
    return retry(tenantId, id, detail, TRIES);
  }

  private Future<Outcome> retry(String tenantId, UUID id, String detail, int triesLeft) {
    return pool.preparedQuery(MESSAGE_RETRY_IF_DEAD).execute(Tuple.of(id, tenantId, wires(RETRYABLE), detail))
        .compose(rows -> {
          Row r = rows.iterator().next();
          if (r.getUUID("id") != null) {
            return changed(r);
          }
          if (Boolean.TRUE.equals(r.getBoolean("eligible"))) {
            return Future.succeededFuture(new Outcome.QueueFull(r.getString("cap_instance"),
                r.getInteger("max_queue"), r.getInteger("per_minute")));
          }
          return reread(tenantId, id, RETRYABLE, triesLeft, () -> retry(tenantId, id, detail, triesLeft - 1));
        });
  }

  public Future<Outcome> cancel(String tenantId, UUID id, String detail) {
    return cancel(tenantId, id, detail, TRIES);
  }

  private Future<Outcome> cancel(String tenantId, UUID id, String detail, int triesLeft) {
    return pool.preparedQuery(MESSAGE_CANCEL_IF_CANCELLABLE).execute(Tuple.of(id, tenantId, wires(CANCELLABLE), detail))
        .compose(rows -> rows.size() > 0
            ? changed(rows.iterator().next())
            : reread(tenantId, id, CANCELLABLE, triesLeft, () -> cancel(tenantId, id, detail, triesLeft - 1)));
  }

  public Future<DeleteOutcome> delete(String tenantId, UUID id) {
    return delete(tenantId, id, TRIES);
  }

  private Future<DeleteOutcome> delete(String tenantId, UUID id, int triesLeft) {
    return pool.preparedQuery(MESSAGE_DELETE_IF_SETTLED).execute(Tuple.of(id, tenantId, wires(PENDING)))
        .compose(rows -> {
          if (rows.size() > 0) {
            Row r = rows.iterator().next();
            return Future.succeededFuture(new DeleteOutcome.Deleted(r.getString("instance_id"), status(r)));
          }
          return currentStatus(tenantId, id).compose(current -> {
            if (current.isEmpty()) {
              return Future.succeededFuture(new DeleteOutcome.Missing());
            }
            if (PENDING.contains(current.get())) {
              return Future.succeededFuture(new DeleteOutcome.Pending(current.get()));
            }
            return triesLeft > 1 ? delete(tenantId, id, triesLeft - 1) : Future.succeededFuture(new DeleteOutcome.Contended());
          });
        });
  }

  public Future<BulkResult> retryMany(String tenantId, BulkFilter f, String detail) {
    Tuple params = Tuple.from(new Object[] {tenantId, f.instanceId(), f.status().wire(), f.finalizedBefore(), f.limit(), detail});
    return pool.preparedQuery(MESSAGE_RETRY_MANY_IF_DEAD).execute(params).map(rows -> {
      Row r = rows.iterator().next();
      UUID[] ids = r.getArrayOfUUIDs("ids");
      List<String> out = new ArrayList<>(ids == null ? 0 : ids.length);
      if (ids != null) {
        for (UUID u : ids) {
          out.add(u.toString());
        }
      }
      long remaining = Math.max(0, r.getLong("matching") - out.size());
      return new BulkResult(r.getBoolean("instance_found"), out, remaining);
    });
  }

  // ---- helpers

  private Future<Outcome> changed(Row r) {
    JsonObject message = MessageView.from(r);
    UUID id = r.getUUID("id");
    MessageStatus from = MessageStatus.parse(r.getString("from_status")).orElseThrow();
    return pool.preparedQuery(MessageStore.MESSAGE_EVENTS_FOR_MESSAGE).execute(Tuple.of(id))
        .map(events -> new Outcome.Changed(message.put("history", MessageView.history(events)),
            r.getString("instance_id"), from));
  }

  /** After a miss: absent, a status the operation refuses, or (the row moved meanwhile) try again. */
  private Future<Outcome> reread(String tenantId, UUID id, Set<MessageStatus> accepted, int triesLeft,
                                 Supplier<Future<Outcome>> again) {
    return currentStatus(tenantId, id).compose(current -> {
      if (current.isEmpty()) {
        return Future.succeededFuture(new Outcome.Missing());
      }
      if (!accepted.contains(current.get())) {
        return Future.succeededFuture(new Outcome.WrongStatus(current.get()));
      }
      return triesLeft > 1 ? again.get() : Future.succeededFuture(new Outcome.Contended());
    });
  }

  private Future<Optional<MessageStatus>> currentStatus(String tenantId, UUID id) {
    return pool.preparedQuery(MESSAGE_STATUS_FOR_TENANT).execute(Tuple.of(id, tenantId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(status(rows.iterator().next())));
  }

  private static MessageStatus status(Row r) {
    String wire = r.getString("status");
    return MessageStatus.parse(wire).orElseThrow(() -> new IllegalStateException("unknown status in database: " + wire));
  }

  static String[] wires(Set<MessageStatus> statuses) {
    return statuses.stream().map(MessageStatus::wire).toArray(String[]::new);
  }

  private static Set<MessageStatus> statuses(java.util.function.Predicate<MessageStatus> p) {
    EnumSet<MessageStatus> set = EnumSet.noneOf(MessageStatus.class);
    Arrays.stream(MessageStatus.values()).filter(p).forEach(set::add);
    return java.util.Collections.unmodifiableSet(set);
  }
}
