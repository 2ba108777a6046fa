package org.wahub.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.HubConfig;
import org.wahub.auth.Authenticator;
import org.wahub.auth.KeyCache;
import org.wahub.auth.KeyStore;
import org.wahub.auth.Principal;
import org.wahub.db.Pools;
import org.wahub.delivery.InstanceOpsRoutes;
import org.wahub.provider.SimulatorLog;
import org.wahub.health.HealthRoutes;
import org.wahub.instance.InstanceRoutes;
import org.wahub.instance.InstanceStore;
import org.wahub.intake.IntakeRoutes;
import org.wahub.message.MessageRoutes;
import org.wahub.message.MessageStore;
import org.wahub.tenant.TenantRoutes;
import org.wahub.tenant.TenantStore;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The HTTP API; one instance per event loop, all listening on the same port (Vert.x spreads the
 * connections). Thin: each resource's routes live in their feature package.
 */
public final class ApiVerticle extends VerticleBase {

  private static final Logger ACCESS = LoggerFactory.getLogger("wahub.access");

  private final HubConfig config;
  private final PgConnectOptions connectOptions;
  private final KeyCache keyCache;
  private final String schemaVersion;
  private Pool pool;
  private HttpServer server;

  public ApiVerticle(HubConfig config, PgConnectOptions connectOptions, KeyCache keyCache, String schemaVersion) {
    this.config = config;
    this.connectOptions = connectOptions;
    this.keyCache = keyCache;
    this.schemaVersion = schemaVersion;
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, config);
    Router router = router();
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.httpHost())
        .setPort(config.httpPort())
        .setIdleTimeout(120)
        // HTTP/1.1 only: with h2c allowed, Vert.x builds the connection (and calls the connection
        // handler that installs the slow-client guard) only once a whole first request is in
        .setHttp2ClearTextEnabled(false)
        .setMaxFormAttributeSize(config.maxBodyBytes()));
    SlowClientGuard guard = new SlowClientGuard(config.requestHeadTimeout(), config.requestBodyTimeout());
    return server.connectionHandler(guard::install).requestHandler(router).listen();
  }

  @Override
  public Future<?> stop() {
    return server.close().compose(x -> pool.close());
  }

  Router router() {
    KeyStore keys = new KeyStore(pool);
    Authenticator auth = new Authenticator(keys, keyCache);
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      RequestIds.assign(ctx);
      long start = System.nanoTime();
      ctx.addBodyEndHandler(v -> access(ctx, start));
      RequestGuard.check(ctx);
      ctx.next();
    });
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()).setHandleFileUploads(false));

    new HealthRoutes(vertx, pool, schemaVersion).mount(router);

    router.route("/tenants*").handler(auth::handle);
    router.route("/instances*").handler(auth::handle);
    router.route("/messages*").handler(auth::handle);
    new TenantRoutes(vertx, new TenantStore(pool, keys), keys, keyCache).mount(router);
    new InstanceRoutes(vertx, new InstanceStore(pool), config).mount(router);
    new InstanceOpsRoutes(vertx, new InstanceStore(pool), new SimulatorLog(pool)).mount(router);
    new IntakeRoutes(vertx, config).mount(router);
    new MessageRoutes(vertx, new MessageStore(pool), pool).mount(router);

    router.route().failureHandler(this::failure);
    router.errorHandler(404, ctx -> Problems.respond(ctx, ApiError.notFound("no route " + ctx.request().method() + " " + ctx.request().path())));
    router.errorHandler(405, ctx -> Problems.respond(ctx, ApiError.methodNotAllowed(ctx.request().method() + " is not allowed on " + ctx.request().path())));
    router.errorHandler(413, ctx -> Problems.respond(ctx, ApiError.payloadTooLarge(config.maxBodyBytes())));
    router.errorHandler(400, ctx -> Problems.respond(ctx, ctx.failure() != null ? ctx.failure()
        : ApiError.badRequest("bad_request", "the request could not be read")));
    router.errorHandler(500, ctx -> Problems.respond(ctx, ctx.failure() != null ? ctx.failure() : ApiError.internal()));
    return router;
  }

  private void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure == null) {
      int status = ctx.statusCode();
      failure = switch (status) {
        case 413 -> ApiError.payloadTooLarge(config.maxBodyBytes());
        case 404 -> ApiError.notFound("no route " + ctx.request().path());
        case 405 -> ApiError.methodNotAllowed(ctx.request().method() + " is not allowed on " + ctx.request().path());
        case 400 -> ApiError.badRequest("bad_request", "the request could not be read");
        default -> status >= 400 && status < 500
            ? new ApiError(status, "http_" + status, "Request failed", null)
            : ApiError.internal();
      };
    }
    Problems.respond(ctx, failure);
  }

  private static void access(RoutingContext ctx, long startNanos) {
    Principal p = Authenticator.principal(ctx);
    ACCESS.info("{} {} {}", kv("method", ctx.request().method().name()), kv("path", ctx.request().path()),
        kv("status", ctx.response().getStatusCode()),
        kv("durationMs", (System.nanoTime() - startNanos) / 1_000_000.0),
        kv("requestId", RequestIds.get(ctx)),
        kv("tenantId", p == null ? null : p.tenantId()));
  }
}
