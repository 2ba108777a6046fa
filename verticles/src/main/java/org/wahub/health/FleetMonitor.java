package org.wahub.health;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.metrics.HubMetrics;

import java.time.Clock;
import java.time.Duration;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Keeps the latest {@link FleetSnapshot}: one aggregate query every {@code HUB_STATS_REFRESH_MS} on
 * a re-armed one-shot timer (never two at once), feeding the queue and instance gauges and
 * {@code GET /health}. The snapshot is shared by every API verticle of the process; it is
 * immutable and published through a volatile field, so readers on any event loop see a whole one.
 *
 * <p>{@link #start} runs on the maintenance verticle's context; it completes after the first
 * refresh (or its failure), so the hub answers /health from its first request on.
 */
public final class FleetMonitor {

  private static final Logger LOG = LoggerFactory.getLogger(FleetMonitor.class);

  private final HubMetrics metrics;
  private final Duration interval;
  private final Clock clock;
  private volatile FleetSnapshot latest;
  private Vertx vertx;
  private FleetStats stats;
  private long timer = -1;
  private boolean stopped;
  private Future<?> running = Future.succeededFuture();

  public FleetMonitor(HubMetrics metrics, Duration interval, Clock clock) {
    this.metrics = metrics;
    this.interval = interval;
    this.clock = clock;
  }

  /** The latest aggregate, or null before the first one succeeded. */
  public FleetSnapshot latest() {
    return latest;
  }

  public Future<Void> start(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.stats = new FleetStats(pool);
    stopped = false;
    return refresh();
  }

  /** Stops the timer; completes once a refresh in flight has finished with the pool. */
  public Future<Void> stop() {
    stopped = true;
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return running.<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  private Future<Void> refresh() {
    Future<FleetSnapshot> read = stats.read(clock.instant());
    running = read;
    return read.onSuccess(s -> {
          latest = s;
          metrics.fleet(s);
        })
        // a database that is away now is asked again next round; never stop the timer
        .onFailure(e -> LOG.warn("fleet statistics not refreshed {}", kv("error", String.valueOf(e.getMessage()))))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture())
        .onComplete(x -> arm());
  }

  private void arm() {
    if (!stopped) {
      timer = vertx.setTimer(Math.max(1, interval.toMillis()), t -> {
        timer = -1;
        refresh();
      });
    }
  }
}
