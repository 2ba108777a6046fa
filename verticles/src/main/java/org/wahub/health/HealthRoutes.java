package org.wahub.health;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * Probes without auth. Live: the process answers. Ready: the database answers within a second and
 * has the schema this build expects; a load balancer stops sending traffic otherwise.
 */
public final class HealthRoutes {

  static final String SCHEMA_CHECK =
      "SELECT count(*) FROM flyway_schema_history WHERE success AND version = $1";
  private static final long DB_PROBE_TIMEOUT_MS = 1000;

  private final Vertx vertx;
  private final Pool pool;
  private final String schemaVersion;

  public HealthRoutes(Vertx vertx, Pool pool, String schemaVersion) {
    this.vertx = vertx;
    this.pool = pool;
    this.schemaVersion = schemaVersion;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> send(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
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
    probe.future().onComplete(ar -> {
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

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    if (status == 503) {
      ctx.response().putHeader("Retry-After", "5");
    }
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(body.encode());
  }

}
