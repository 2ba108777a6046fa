package org.wahub.health;

import org.wahub.api.Access;
import org.wahub.api.ApiRoutes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.wahub.api.ApiError;
import org.wahub.auth.Authenticator;
import org.wahub.auth.Principal;
import org.wahub.hub.health.HealthCheck;
import org.wahub.hub.health.HealthEvaluator;
import org.wahub.hub.health.HealthInputs;
import org.wahub.hub.health.HealthReport;
import org.wahub.hub.health.HealthThresholds;
import org.wahub.hub.instance.InstanceState;
import org.wahub.metrics.HubMetrics;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Probes without auth. Live: the process answers. Ready: the database answers within a second and
 * has the schema this build expects; a load balancer stops sending traffic otherwise.
 *
 * <p>{@code GET /health} (any key) is the operator's view: the overall status from the hub/ rule
 * ({@link HealthEvaluator}), the checks behind it and the queue per instance. It reads the latest
 * {@link FleetSnapshot} (at most {@code HUB_STATS_REFRESH_MS} old) and this node's latency window,
 * so a request costs no query, however often dashboards ask. The admin sees every instance, a
 * tenant only its own.
 */
public final class HealthRoutes {

  static final String SCHEMA_CHECK =
      "SELECT count(*) FROM flyway_schema_history WHERE success AND version = $1";
  private static final long DB_PROBE_TIMEOUT_MS = 1000;
  static final long CACHE_NANOS = 1_000_000_000L;
  private static final AtomicLong PROBES_RUN = new AtomicLong();

  private final Vertx vertx;
  private final Pool pool;
  private final String schemaVersion;
  private final FleetMonitor fleet;
  private final HubMetrics metrics;
  private final HealthEvaluator rule;
  private Future<Boolean> last;
  private long lastCompletedAt;

  public HealthRoutes(Vertx vertx, Pool pool, String schemaVersion, FleetMonitor fleet, HubMetrics metrics,
                      HealthThresholds thresholds) {
    this.vertx = vertx;
    this.pool = pool;
    this.schemaVersion = schemaVersion;
    this.fleet = fleet;
    this.metrics = metrics;
    this.rule = new HealthEvaluator(thresholds);
  }

  public void mount(ApiRoutes routes) {
    routes.get("/health/live", Access.PUBLIC, ctx -> send(ctx, 200, new JsonObject().put("status", "UP")));
    routes.get("/health/ready", Access.PUBLIC, this::ready);
    routes.get("/health", Access.ANY_KEY, this::report);
  }

  private void report(RoutingContext ctx) {
    FleetSnapshot snapshot = fleet.latest();
    if (snapshot == null) {
      throw ApiError.unavailable("the hub has not counted its queues yet (is the database reachable?); retry shortly");
    }
    Principal p = Authenticator.principal(ctx);
    String tenant = p.isAdmin() ? null : p.tenantId();
    send(ctx, 200, report(snapshot, tenant, metrics.p95SendLatencyMs(tenant, Instant.now()), rule));
  }

  /** The answer of GET /health for the admin ({@code tenant} null) or one tenant. */
  static JsonObject report(FleetSnapshot snapshot, String tenant, long p95Ms, HealthEvaluator rule) {
    long stuck = 0;
    long failed = 0;
    long errors = 0;
    EnumMap<InstanceState, Long> states = new EnumMap<>(InstanceState.class);
    long[] total = new long[7];
    io.vertx.core.json.JsonArray perInstance = new io.vertx.core.json.JsonArray();
    for (FleetSnapshot.InstanceStats i : snapshot.instances()) {
      if (tenant != null && !tenant.equals(i.tenantId())) {
        continue;
      }
      stuck += i.stuck();
      failed += i.failed();
      errors += i.errors1h();
      states.merge(i.state(), 1L, Long::sum);
      long[] v = {i.queued(), i.sending(), i.stuck(), i.sent1h(), i.errors1h(), i.failed(), i.inDoubt()};
      for (int k = 0; k < v.length; k++) {
        total[k] += v[k];
      }
      perInstance.add(queue(v).put("id", i.id()).put("state", i.state().name()));
    }
    long webhooks = tenant == null
        ? snapshot.webhookEndpointsFailing().values().stream().mapToLong(Long::longValue).sum()
        : snapshot.webhookEndpointsFailing().getOrDefault(tenant, 0L);
    HealthReport r = rule.evaluate(new HealthInputs(stuck, failed, errors, p95Ms, states, webhooks));
    io.vertx.core.json.JsonArray checks = new io.vertx.core.json.JsonArray();
    for (HealthCheck c : r.checks()) {
      JsonObject check = new JsonObject().put("name", c.name()).put("status", c.status().wire())
          .put("value", c.value()).put("threshold", c.threshold());
      if (c.message() != null) {
        check.put("message", c.message());
      }
      checks.add(check);
    }
    JsonObject byState = new JsonObject();
    for (InstanceState s : InstanceState.values()) {
      byState.put(s.name(), states.getOrDefault(s, 0L));
    }
    return new JsonObject()
        .put("status", r.status().wire())
        .put("checkedAt", snapshot.at().toString())
        .put("checks", checks)
        .put("instances", byState)
        .put("queue", new JsonObject().put("total", queue(total)).put("instances", perInstance));
  }

  private static JsonObject queue(long[] v) {
    return new JsonObject().put("queued", v[0]).put("sending", v[1]).put("stuck", v[2]).put("sent1h", v[3])
        .put("errors1h", v[4]).put("failed", v[5]).put("inDoubt", v[6]);
  }

  private void ready(RoutingContext ctx) {
    probe().onComplete(ar -> {
      JsonObject db = new JsonObject();
      boolean ok = ar.succeeded() && ar.result();
      db.put("status", ok ? "UP" : "DOWN");
      if (ar.failed()) {
        db.put("error", "database unreachable");
      } else if (!ar.result()) {
        db.put("error", "schema version " + schemaVersion + " not applied");
      }
      send(ctx, ok ? 200 : 503, new JsonObject().put("status", ok ? "UP" : "DOWN")
          .put("checks", new JsonObject().put("database", db.put("schemaVersion", schemaVersion))));
    });
  }

  /**
   * The probe's answer, shared: while one runs every reader waits for it, and its answer (up or
   * down) serves for {@link #CACHE_NANOS}. The route needs no key, so without this every request
   * to it would be a query on the pool that delivery uses. Confined to this verticle's event loop.
   */
  private Future<Boolean> probe() {
    long now = System.nanoTime();
    if (last != null && (!last.isComplete() || now - lastCompletedAt < CACHE_NANOS)) {
      return last;
    }
    PROBES_RUN.incrementAndGet();
    Future<Boolean> fresh = runProbe();
    last = fresh;
    fresh.onComplete(ar -> lastCompletedAt = System.nanoTime());
    return fresh;
  }

  private Future<Boolean> runProbe() {
    Promise<Boolean> probe = Promise.promise();
    long timer = vertx.setTimer(DB_PROBE_TIMEOUT_MS, t -> probe.tryFail("database did not answer within " + DB_PROBE_TIMEOUT_MS + " ms"));
    pool.preparedQuery(SCHEMA_CHECK).execute(Tuple.of(schemaVersion))
        .map(rows -> rows.iterator().next().getLong(0) > 0)
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            probe.tryComplete(ar.result());
          } else {
            probe.tryFail(ar.cause());
          }
        });
    return probe.future();
  }

  /** Database probes run by this process since it started (for tests and metrics). */
  public static long probesRun() {
    return PROBES_RUN.get();
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    if (status == 503) {
      ctx.response().putHeader("Retry-After", "5");
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(body.encode());
  }

}
