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
import org.wahub.dashboard.DashboardRoutes;
import org.wahub.db.Pools;
import org.wahub.delivery.InstanceOpsRoutes;
import org.wahub.delivery.InstanceClient;
import org.wahub.provider.ProviderRegistry;
import org.wahub.provider.ProviderRoutes;
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
  /** Where provider types mount their inbound webhooks (DESIGN §7). */
  public static final String PROVIDER_WEBHOOKS = "/providers/";

  private final HubConfig config;
  private final PgConnectOptions connectOptions;
  private final KeyCache keyCache;
  private final String schemaVersion;
  private final org.wahub.metrics.HubMetrics metrics;
  private final org.wahub.health.FleetMonitor fleet;
  private Pool pool;
  private Pool authPool;
  private HttpServer server;
  private ApiRoutes routes;
  private Router router;
  private org.wahub.outbound.OutboundGuard guard;
  private org.wahub.event.EventRoutes events;

  public ApiVerticle(HubConfig config, PgConnectOptions connectOptions, KeyCache keyCache, String schemaVersion,
                     org.wahub.metrics.HubMetrics metrics, org.wahub.health.FleetMonitor fleet) {
    this.config = config;
    this.metrics = metrics;
    this.fleet = fleet;
    this.connectOptions = connectOptions;
    this.keyCache = keyCache;
    this.schemaVersion = schemaVersion;
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, config);
    authPool = Pools.auth(vertx, connectOptions, config);
    // checks webhook URLs when they are set (the WebhookVerticle's own guard checks them on every call)
    guard = new org.wahub.outbound.OutboundGuard(vertx, org.wahub.outbound.OutboundPolicy.from(config));
    router = router();
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
    // streams end first: an open event stream would otherwise hold the server's close until it times out
    return events.close().compose(x -> server.close()).compose(x -> guard.close()).compose(x -> pool.close()).compose(x -> authPool.close());
  }

  /** The routes this verticle serves, each with its access (after start). */
  public java.util.List<ApiRoutes.Entry> routeTable() {
    return routes.table();
  }

  /**
   * What the router really serves: every route that has a path, as (method, path) with the path as
   * it was declared (e.g. {@code /instances/:instanceId}, {@code /assets/*}); a route without a
   * method serves them all and appears with method null. Routes without a path (the handlers every
   * request passes) are left out. The OpenAPI test compares this with the document.
   */
  public java.util.List<ApiRoutes.Served> servedRoutes() {
    java.util.List<ApiRoutes.Served> out = new java.util.ArrayList<>();
    for (io.vertx.ext.web.Route r : router.getRoutes()) {
      // a path with parameters is matched by a regex too, but keeps its declared path; a route
      // declared by a regex alone has none, and shows as one no document can name
      // and a prefix route ("/assets/*") keeps its prefix without the star
      String declared = r.getPath() != null ? r.getPath() : r.isRegexPath() ? "regex:" + r : null;
      if (declared == null) {
        continue;
      }
      String path = r.getPath() != null && !r.isExactPath() ? declared + "*" : declared;
      java.util.Set<io.vertx.core.http.HttpMethod> methods = r.methods();
      if (methods == null || methods.isEmpty()) {
        out.add(new ApiRoutes.Served(null, path));
      } else {
        methods.forEach(m -> out.add(new ApiRoutes.Served(m, path)));
      }
    }
    return out;
  }

  Router router() {
    KeyStore keys = new KeyStore(pool);
    // look-ups of presented keys go to their own small pool, never the one delivery uses
    Authenticator auth = new Authenticator(new KeyStore(authPool), keyCache, config.authMaxInFlight());
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      RequestIds.assign(ctx);
      long start = System.nanoTime();
      ctx.addBodyEndHandler(v -> access(ctx, start));
      RequestGuard.check(ctx);
      ctx.next();
    });
    BodyHandler apiBodies = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()).setHandleFileUploads(false);
    // provider webhooks carry the provider's own batches, bounded by their own limit (HubConfig)
    BodyHandler providerBodies = BodyHandler.create(false).setBodyLimit(config.providerWebhookMaxBytes())
        .setHandleFileUploads(false);
    router.route().handler(ctx -> (ctx.request().path().startsWith(PROVIDER_WEBHOOKS) ? providerBodies : apiBodies).handle(ctx));

    routes = new ApiRoutes(router, auth);
    new HealthRoutes(vertx, pool, schemaVersion, fleet, metrics, config.healthThresholds()).mount(routes);
    new org.wahub.metrics.MetricsRoutes(vertx, metrics, config.metricsKey()).mount(routes);
    new TenantRoutes(vertx, new TenantStore(pool, keys, config), keys, keyCache).mount(routes);
    new InstanceRoutes(vertx, new InstanceStore(pool), config).mount(routes);
    InstanceClient instanceClient = new InstanceClient(vertx);
    new InstanceOpsRoutes(new InstanceStore(pool), instanceClient).mount(routes);
    ProviderRoutes providerRoutes = new ProviderRoutes(vertx, config, routes, pool, new InstanceStore(pool), instanceClient);
    ProviderRegistry.defaults().all().forEach(t -> t.mount(providerRoutes));
    new IntakeRoutes(vertx, config, metrics).mount(routes);
    new MessageRoutes(vertx, new MessageStore(pool), pool, metrics).mount(routes);
    new org.wahub.inbound.InboundRoutes(new org.wahub.inbound.InboundStore(pool), new InstanceStore(pool)).mount(routes);
    new org.wahub.webhook.WebhookRoutes(vertx, new org.wahub.webhook.WebhookStore(pool),
        new org.wahub.webhook.WebhookDeliveryStore(pool), new InstanceStore(pool), guard, config,
        java.time.Clock.systemUTC()).mount(routes);
    events = new org.wahub.event.EventRoutes(vertx, new org.wahub.event.EventLog(pool), new InstanceStore(pool), config);
    events.mount(routes);
    new DashboardRoutes().mount(routes);
    new OpenApiRoutes().mount(routes);

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
