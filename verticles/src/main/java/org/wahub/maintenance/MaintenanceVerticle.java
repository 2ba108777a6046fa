package org.wahub.maintenance;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.HubConfig;
import org.wahub.db.Pools;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Background upkeep of the database, one per node. For now: idempotency-key retention. Every node
 * runs it; the statements lock the rows they change with SKIP LOCKED, so two nodes share the work
 * instead of colliding. Runs on a re-armed timer, never two rounds at once.
 */
public final class MaintenanceVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceVerticle.class);

  private final HubConfig config;
  private final PgConnectOptions connectOptions;
  private Pool pool;
  private KeyRetention keys;
  private long timer = -1;
  private boolean stopped;
  private Future<?> round = Future.succeededFuture();

  public MaintenanceVerticle(HubConfig config, PgConnectOptions connectOptions) {
    this.config = config;
    this.connectOptions = connectOptions;
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, config);
    keys = new KeyRetention(pool, config.explicitKeyTtl(), config.derivedKeyTtl(), 1000);
    arm();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    // let a round in progress finish its statement before the pool goes
    return round.recover(err -> Future.succeededFuture()).compose(x -> pool.close());
  }

  private void arm() {
    if (!stopped) {
      timer = vertx.setTimer(config.maintenanceInterval().toMillis(), id -> runRound());
    }
  }

  private void runRound() {
    round = keys.pruneAll()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("idempotency keys past their retention forgotten {}", kv("count", n));
          }
        })
        // a database that is down now will be retried next round; never stop the timer
        .onFailure(err -> LOG.warn("key retention round failed {}", kv("error", String.valueOf(err.getMessage()))))
        .onComplete(ar -> arm());
  }
}
