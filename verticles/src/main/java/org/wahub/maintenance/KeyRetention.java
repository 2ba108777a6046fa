package org.wahub.maintenance;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;

/**
 * Forgets idempotency keys whose message finished longer ago than the key's retention (DESIGN §4:
 * explicit keys 7 days after completion, derived keys 24 h). The row stays, with its history; only
 * its key and dedupe id are cleared, so the same key is then accepted as a new message. Messages
 * still queued or sending keep their keys however old they are.
 */
public final class KeyRetention {

  static final String PRUNE = """
      WITH doomed AS (
        SELECT id FROM messages
         WHERE dedupe_id IS NOT NULL AND finalized_at IS NOT NULL
           -- the index bound first (the shorter retention), then each row's own retention
           AND finalized_at < now() - make_interval(secs => least($1::float8, $2::float8))
           AND finalized_at < now() - make_interval(secs => CASE WHEN key_derived THEN $2::float8 ELSE $1::float8 END)
         ORDER BY finalized_at
         LIMIT $3::int
           FOR UPDATE SKIP LOCKED
      )
      UPDATE messages m SET idempotency_key = NULL, dedupe_id = NULL
        FROM doomed WHERE m.id = doomed.id
      """;

  private final Pool pool;
  private final Duration explicitTtl;
  private final Duration derivedTtl;
  private final int batch;

  public KeyRetention(Pool pool, Duration explicitTtl, Duration derivedTtl, int batch) {
    this.pool = pool;
    this.explicitTtl = explicitTtl;
    this.derivedTtl = derivedTtl;
    this.batch = batch;
  }

  /** Prunes one batch (oldest first); the count tells whether another batch may be waiting. */
  private Future<Integer> pruneBatch() {
    return pool.preparedQuery(PRUNE)
        .execute(Tuple.of((double) explicitTtl.toSeconds(), (double) derivedTtl.toSeconds(), batch))
        .map(rows -> rows.rowCount());
  }

  /** Prunes batches until one comes back short; the total pruned. */
  public Future<Integer> pruneAll() {
    return Batches.until(batch, this::pruneBatch);
  }
}
