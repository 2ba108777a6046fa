package org.wahub.maintenance;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.wahub.hub.retention.RetentionPolicy;

import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Carries out the {@link RetentionPolicy}: archives old dead letters and deletes old history rows,
 * in batches of {@code batch} rows, each batch one short statement (SKIP LOCKED where rows change,
 * so two nodes share the work and an operator's retry of the same message never waits on it).
 */
public final class Retention {

  // archiving is not a change of the message (updated_at stays); its history says when it happened
  static final String MESSAGE_ARCHIVE_FAILED = """
      WITH picked AS (
        SELECT id FROM messages
         WHERE status = 'failed' AND archived_at IS NULL AND finalized_at < $1
         ORDER BY finalized_at
         LIMIT $3
           FOR UPDATE SKIP LOCKED
      ),
      upd AS (
        UPDATE messages m SET archived_at = $2
          FROM picked p WHERE m.id = p.id
        RETURNING m.id, m.instance_id, m.attempts)
      INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt, detail)
      SELECT id, instance_id, $2, 'archived', 'failed', 'failed', attempts, 'left the dead-letter list after HUB_FAILED_ARCHIVE_DAYS'
        FROM upd""";

  static final String MESSAGE_EVENTS_PRUNE = """
      DELETE FROM message_events WHERE id IN (SELECT id FROM message_events WHERE at < $1 LIMIT $2)""";

  static final String INSTANCE_EVENTS_PRUNE = """
      DELETE FROM instance_events WHERE id IN (SELECT id FROM instance_events WHERE at < $1 LIMIT $2)""";

  private final Pool pool;
  private final RetentionPolicy policy;
  private final int batch;

  public Retention(Pool pool, RetentionPolicy policy, int batch) {
    this.pool = pool;
    this.policy = policy;
    this.batch = batch;
  }

  /** Archives failed messages past the policy's age; the count archived. */
  public Future<Integer> archiveFailed(Instant now) {
    Tuple args = Tuple.of(policy.archiveFailedBefore(now).atOffset(ZoneOffset.UTC), now.atOffset(ZoneOffset.UTC), batch);
    return Batches.until(batch, () -> pool.preparedQuery(MESSAGE_ARCHIVE_FAILED).execute(args).map(r -> r.rowCount()));
  }

  /** Deletes history rows past the policy's age, message history then instance history; the count deleted. */
  public Future<Integer> pruneHistory(Instant now) {
    Tuple args = Tuple.of(policy.pruneHistoryBefore(now).atOffset(ZoneOffset.UTC), batch);
    return Batches.until(batch, () -> pool.preparedQuery(MESSAGE_EVENTS_PRUNE).execute(args).map(r -> r.rowCount()))
        .compose(m -> Batches.until(batch, () -> pool.preparedQuery(INSTANCE_EVENTS_PRUNE).execute(args).map(r -> r.rowCount()))
            .map(i -> m + i));
  }
}
