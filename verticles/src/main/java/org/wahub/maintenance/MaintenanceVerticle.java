package org.wahub.maintenance;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.HubConfig;
import org.wahub.db.Pools;
import org.wahub.event.EventLog;
import org.wahub.health.FleetMonitor;
import org.wahub.webhook.WebhookDeliveryStore;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Background upkeep of the database, one per node. Each job has its own re-armed timer
 * ({@code HUB_MAINTENANCE_<JOB>_INTERVAL_MS}, default {@code HUB_MAINTENANCE_INTERVAL_MS}) and never
 * runs twice at once: idempotency-key retention ({@code keys}), pruning webhook deliveries that
 * ended longer ago than HUB_WEBHOOK_DELIVERY_RETENTION_DAYS ({@code webhook_deliveries}), archiving
 * dead letters ({@code archive}) and pruning history ({@code history}) by the {@link Retention}
 * policy, and pruning outbox events older than HUB_EVENT_RETENTION_DAYS that webhook fan-out has
 * read ({@code events}); beside them the fleet statistics behind the gauges and /health ({@link FleetMonitor}).
 * Every node runs it; the statements lock the rows they change with SKIP LOCKED, so two nodes
 * share the work instead of colliding.
 *
 * <p>Message leases are not swept here: an orphaned send is resolved by its instance's own actor
 * when it starts (only it knows whether its provider deduplicates, which decides between resending
 * and in_doubt); webhook delivery leases are taken over by any node's claim.
 */
public final class MaintenanceVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceVerticle.class);
  private static final int BATCH = 1000;

  /** One upkeep job: what it does and how its result is logged. */
  private record Job(String name, Duration interval, Supplier<Future<Integer>> once, String done) {
  }

  private final HubConfig config;
  private final PgConnectOptions connectOptions;
  private final FleetMonitor fleet;
  private final Clock clock = Clock.systemUTC();
  private final List<Long> timers = new ArrayList<>();
  private final List<Future<?>> rounds = new ArrayList<>();
  private Pool pool;
  private boolean stopped;

  public MaintenanceVerticle(HubConfig config, PgConnectOptions connectOptions, FleetMonitor fleet) {
    this.config = config;
    this.connectOptions = connectOptions;
    this.fleet = fleet;
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, config);
    KeyRetention keys = new KeyRetention(pool, config.explicitKeyTtl(), config.derivedKeyTtl(), BATCH);
    WebhookDeliveryStore deliveries = new WebhookDeliveryStore(pool);
    Retention retention = new Retention(pool, config.retention(), BATCH);
    EventLog events = new EventLog(pool);
    List<Job> jobs = List.of(
        new Job("keys", config.maintenanceInterval("keys"), keys::pruneAll, "idempotency keys past their retention forgotten"),
        new Job("webhook_deliveries", config.maintenanceInterval("webhook_deliveries"),
            // only ended deliveries (succeeded, failed, cancelled) are pruned
            () -> Batches.until(BATCH, () -> deliveries.deleteEndedBefore(clock.instant().minus(config.webhookDeliveryRetention()), BATCH)),
            "ended webhook deliveries past their retention pruned"),
        new Job("archive", config.maintenanceInterval("archive"), () -> retention.archiveFailed(clock.instant()),
            "failed messages archived"),
        new Job("history", config.maintenanceInterval("history"), () -> retention.pruneHistory(clock.instant()),
            "history rows past their retention pruned"),
        new Job("events", config.maintenanceInterval("events"),
            () -> Batches.until(BATCH, () -> events.pruneBefore(clock.instant().minus(config.eventRetention()), BATCH)),
            "outbox events past their retention pruned"));
    for (int i = 0; i < jobs.size(); i++) {
      timers.add(-1L);
      rounds.add(Future.succeededFuture());
      arm(i, jobs.get(i));
    }
    return fleet.start(vertx, pool);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    timers.forEach(vertx::cancelTimer);
    // let a round in progress finish its statement before the pool goes
    List<Future<?>> running = rounds.stream().<Future<?>>map(r -> r.recover(err -> Future.succeededFuture())).toList();
    return fleet.stop().compose(x -> Future.join(running)).compose(x -> pool.close());
  }

  private void arm(int slot, Job job) {
    if (!stopped) {
      timers.set(slot, vertx.setTimer(job.interval().toMillis(), id -> run(slot, job)));
    }
  }

  private void run(int slot, Job job) {
    rounds.set(slot, job.once().get()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info(job.done() + " {}", kv("count", n));
          }
        })
        // a database that is down now is tried again next round; never stop the timer
        .onFailure(err -> LOG.warn("maintenance job failed {} {}", kv("job", job.name()), kv("error", String.valueOf(err.getMessage()))))
        .onComplete(ar -> arm(slot, job)));
  }
}
