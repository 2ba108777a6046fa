package org.wahub;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.api.ApiVerticle;
import org.wahub.auth.KeyCache;
import org.wahub.auth.KeyStore;
import org.wahub.db.Database;
import org.wahub.db.EmbeddedDatabase;
import org.wahub.db.Migrations;
import org.wahub.db.Pools;
import org.wahub.db.SecretFiles;
import org.wahub.delivery.InstanceSupervisor;
import org.wahub.health.FleetMonitor;
import org.wahub.event.EventNotifier;
import org.wahub.intake.IdempotencyVerticle;
import org.wahub.intake.LocalCodec;
import org.wahub.maintenance.MaintenanceVerticle;
import org.wahub.metrics.HubMetrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The composition root: database, migrations, admin key, then the verticles — a flat chain, each
 * step only once the one before it succeeded. {@link #stop()} undoes it in reverse.
 */
public final class Hub {

  private static final Logger LOG = LoggerFactory.getLogger(Hub.class);
  /** In HUB_DATA_DIR: a generated admin key, mode 0600. */
  public static final String ADMIN_KEY_FILE = "admin-key";

  private final Vertx vertx;
  private final HubConfig config;
  private final Database database;
  private final List<String> deployments = new ArrayList<>();
  private String generatedAdminKey;
  private Path generatedAdminKeyFile;
  private String schemaVersion;
  private InstanceSupervisor supervisor;
  /** The one way out of the hub for providers and webhooks (DESIGN §12); one HTTP client for all. */
  private org.wahub.outbound.OutboundGuard outbound;
  private final List<ApiVerticle> apiVerticles = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final HubMetrics metrics;
  /** True when the hub made its own registry (no Vert.x metrics) and so closes it. */
  private final boolean ownsMetrics;
  private final FleetMonitor fleet;

  private Hub(Vertx vertx, HubConfig config, Database database, HubMetrics metrics, boolean ownsMetrics) {
    this.vertx = vertx;
    this.config = config;
    this.database = database;
    this.metrics = metrics;
    this.ownsMetrics = ownsMetrics;
    this.fleet = new FleetMonitor(metrics, config.statsRefreshInterval(), java.time.Clock.systemUTC());
  }

  /**
   * Starts a hub on {@code vertx} with a metrics registry of its own (the hub's and the JVM's
   * series; Vert.x's only when {@code vertx} was built with {@link HubMetrics#vertx}).
   */
  public static Future<Hub> start(Vertx vertx, HubConfig config) {
    return start(vertx, config, null);
  }

  /**
   * Starts a hub on {@code vertx}: opens (or starts) the database, migrates, deploys everything.
   * {@code registry} is the one {@code vertx} reports to (see {@link HubMetrics#vertx}), so
   * {@code GET /metrics} shows both; null makes a registry for the hub alone.
   */
  public static Future<Hub> start(Vertx vertx, HubConfig config, io.micrometer.core.instrument.MeterRegistry registry) {
    try {
      // a malformed allow-list must stop the start, not the first webhook or provider call
      org.wahub.outbound.OutboundPolicy.from(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    try {
      config.adminKey(); // a too-short HUB_ADMIN_KEY stops the start before anything is opened
      config.metricsKey(); // so does a malformed metrics key or health threshold
      config.healthThresholds();
      config.retention(); // and a retention that would prune the history the limits are rebuilt from
      config.publicUrl(); // and a malformed HUB_PUBLIC_URL (provider webhooks would point nowhere)
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.executeBlocking(() -> openDatabase(config), false)
        .compose(db -> {
          HubMetrics metrics = registry == null ? HubMetrics.standalone(config.metricsInstanceLabelsMax())
              : new HubMetrics(registry, config.metricsInstanceLabelsMax());
          Hub hub = new Hub(vertx, config, db, metrics, registry == null);
          return hub.boot().map(hub).recover(err -> hub.stop().transform(x -> Future.<Hub>failedFuture(err)));
        });
  }

  private Future<Void> boot() {
    LocalCodec.register(vertx);
    outbound = new org.wahub.outbound.OutboundGuard(vertx, org.wahub.outbound.OutboundPolicy.from(config));
    PgConnectOptions options = Pools.connectOptions(database.connectOptions(), config);
    return vertx.executeBlocking(() -> Migrations.migrate(database), false)
        .compose(version -> {
          schemaVersion = version;
          return bootstrapAdmin(options);
        })
        .compose(x -> {
          // one shard per intake verticle: the supplier is called once per instance, in order
          java.util.concurrent.atomic.AtomicInteger shard = new java.util.concurrent.atomic.AtomicInteger();
          return deploy(() -> new IdempotencyVerticle(options, config, shard.getAndIncrement(), metrics), config.intakeVerticles());
        })
        // before the instances and the API: its first fleet count decides the metrics' label mode
        // and is what /health answers from the first request on
        .compose(x -> deploy(() -> new MaintenanceVerticle(config, options, fleet), 1))
        .compose(x -> deploy(() -> supervisor = new InstanceSupervisor(config, options,
            InstanceSupervisor.defaultFactory(config, options, outbound, metrics)), 1))
        // before the API: SSE streams rely on its wake-ups from their first page on
        .compose(x -> deploy(() -> new EventNotifier(options, config), 1))
        .compose(x -> deploy(() -> new org.wahub.webhook.WebhookVerticle(config, options), 1))
        .compose(x -> deploy(() -> {
          ApiVerticle api = new ApiVerticle(config, options, keyCache, schemaVersion, metrics, fleet);
          apiVerticles.add(api);
          return api;
        }, config.apiVerticles()))
        .onSuccess(x -> {
          LOG.info("wa-hub ready {} {}", kv("port", config.httpPort()), kv("database", database.description()));
        });
  }

  private final KeyCache keyCache = new KeyCache(30_000);

  /**
   * HUB_ADMIN_KEY becomes the admin key; without it a key is generated on the first start, kept in
   * {@code <HUB_DATA_DIR>/admin-key} (0600) and printed once by Main. A configured key makes an
   * earlier generated one invalid, so its file goes.
   */
  private Future<Void> bootstrapAdmin(PgConnectOptions options) {
    Pool pool = Pools.shared(vertx, options, config);
    Path file = adminKeyFile();
    return new KeyStore(pool).bootstrapAdmin(config.adminKey())
        .eventually(pool::close)
        .compose(generated -> vertx.executeBlocking(() -> {
          if (generated.isPresent()) {
            generatedAdminKey = generated.get();
            try {
              SecretFiles.write(file, generated.get(), true);
              generatedAdminKeyFile = file;
              LOG.warn("generated an admin key; it is in {} (readable only by this user)", file);
            } catch (java.io.IOException e) {
              // the key is in the database already: failing the start now would lose it unseen
              LOG.warn("generated an admin key but could not write {} ({}); it is shown on stderr only", file, e.toString());
            }
          } else if (config.adminKey().isPresent()) {
            try {
              if (Files.deleteIfExists(file)) {
                LOG.info("removed {}: HUB_ADMIN_KEY replaces the generated admin key", file);
              }
            } catch (java.io.IOException e) {
              LOG.warn("could not remove {}, whose key HUB_ADMIN_KEY has revoked: {}", file, e.toString());
            }
          }
          return null;
        }, false));
  }

  public Path adminKeyFile() {
    return config.dataDir().toAbsolutePath().normalize().resolve(ADMIN_KEY_FILE);
  }

  /** Where the key generated on this start was written, if it could be. */
  public Optional<Path> generatedAdminKeyFile() {
    return Optional.ofNullable(generatedAdminKeyFile);
  }

  private Future<Void> deploy(java.util.function.Supplier<io.vertx.core.Deployable> factory, int instances) {
    return vertx.deployVerticle(factory, new DeploymentOptions().setInstances(Math.max(1, instances)))
        .onSuccess(deployments::add)
        .mapEmpty();
  }

  private static Database openDatabase(HubConfig config) throws Exception {
    Optional<String> url = config.dbUrl();
    if (url.isPresent()) {
      return Database.fromUrl(url.get());
    }
    if (config.pgEnvPresent()) {
      return Database.external(PgConnectOptions.fromEnv());
    }
    return EmbeddedDatabase.start(config.dataDir(), config.embeddedPgPort(), config.embeddedPgFsync());
  }

  /** Undeploys in reverse order, then stops an embedded database. Safe to call twice. */
  public Future<Void> stop() {
    // no new instance deployments from here on (the first one after a start runs in the background)
    Future<Void> chain = supervisor == null ? Future.succeededFuture()
        : supervisor.quiesce().recover(err -> Future.succeededFuture());
    supervisor = null;
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(x -> vertx.undeploy(id).recover(err -> Future.succeededFuture()));
    }
    deployments.clear();
    if (outbound != null) {
      org.wahub.outbound.OutboundGuard guard = outbound;
      outbound = null;
      chain = chain.compose(x -> guard.close().recover(err -> Future.succeededFuture()));
    }
    return chain.compose(x -> vertx.executeBlocking(() -> {
      database.close();
      if (ownsMetrics) {
        metrics.close();
      }
      return null;
    }, false)).mapEmpty();
  }

  /** The admin key generated on this start, if one was (printed once by Main to the terminal, never logged). */
  public Optional<String> generatedAdminKey() {
    return Optional.ofNullable(generatedAdminKey);
  }

  /** Every route the API serves with the access it takes (all ApiVerticles serve the same). */
  public List<org.wahub.api.ApiRoutes.Entry> routeTable() {
    return apiVerticles.isEmpty() ? List.of() : apiVerticles.get(0).routeTable();
  }

  /** What the router really serves, walked from the Vert.x router (see ApiVerticle#servedRoutes). */
  public List<org.wahub.api.ApiRoutes.Served> servedRoutes() {
    return apiVerticles.isEmpty() ? List.of() : apiVerticles.get(0).servedRoutes();
  }

  /** The outbound guard every provider and webhook call goes through. */
  public org.wahub.outbound.OutboundGuard outbound() {
    return outbound;
  }

  public Database database() {
    return database;
  }

  public HubConfig config() {
    return config;
  }

  public HubMetrics metrics() {
    return metrics;
  }
}
