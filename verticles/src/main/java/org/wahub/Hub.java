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
import org.wahub.delivery.InstanceSupervisor;
import org.wahub.intake.IdempotencyVerticle;
import org.wahub.intake.LocalCodec;
import org.wahub.maintenance.MaintenanceVerticle;

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

  private final Vertx vertx;
  private final HubConfig config;
  private final Database database;
  private final List<String> deployments = new ArrayList<>();
  private String generatedAdminKey;
  private String schemaVersion;
  private InstanceSupervisor supervisor;

  private Hub(Vertx vertx, HubConfig config, Database database) {
    this.vertx = vertx;
    this.config = config;
    this.database = database;
  }

  /** Starts a hub on {@code vertx}: opens (or starts) the database, migrates, deploys everything. */
  public static Future<Hub> start(Vertx vertx, HubConfig config) {
    return vertx.executeBlocking(() -> openDatabase(config), false)
        .compose(db -> {
          Hub hub = new Hub(vertx, config, db);
          return hub.boot().map(hub).recover(err -> hub.stop().transform(x -> Future.<Hub>failedFuture(err)));
        });
  }

  private Future<Void> boot() {
    LocalCodec.register(vertx);
    PgConnectOptions options = Pools.connectOptions(database.connectOptions(), config);
    return vertx.executeBlocking(() -> Migrations.migrate(database), false)
        .compose(version -> {
          schemaVersion = version;
          return bootstrapAdmin(options);
        })
        .compose(x -> {
          // one shard per intake verticle: the supplier is called once per instance, in order
          java.util.concurrent.atomic.AtomicInteger shard = new java.util.concurrent.atomic.AtomicInteger();
          return deploy(() -> new IdempotencyVerticle(options, config, shard.getAndIncrement()), config.intakeVerticles());
        })
        .compose(x -> deploy(() -> supervisor = new InstanceSupervisor(config, options,
            InstanceSupervisor.defaultFactory(config, options)), 1))
        .compose(x -> deploy(() -> new ApiVerticle(config, options, keyCache, schemaVersion), config.apiVerticles()))
        .compose(x -> deploy(() -> new MaintenanceVerticle(config, options), 1))
        .onSuccess(x -> {
          vertx.eventBus().<String>consumer(Addresses.KEY_REVOKED, msg -> keyCache.evictKey(msg.body()));
          LOG.info("wa-hub ready {} {}", kv("port", config.httpPort()), kv("database", database.description()));
        });
  }

  private final KeyCache keyCache = new KeyCache(30_000);

  private Future<Void> bootstrapAdmin(PgConnectOptions options) {
    Pool pool = Pools.shared(vertx, options, config);
    return new KeyStore(pool).bootstrapAdmin(config.adminKey())
        .onSuccess(generated -> generatedAdminKey = generated.orElse(null))
        .eventually(pool::close)
        .mapEmpty();
  }

  private Future<Void> deploy(java.util.function.Supplier<io.vertx.core.Deployable> factory, int instances) {
    return vertx.deployVerticle(factory, new DeploymentOptions().setInstances(Math.max(1, instances)))
        .onSuccess(deployments::add)
        .mapEmpty();
  }

  private static Database openDatabase(HubConfig config) throws Exception {
    Optional<String> url = config.dbUrl();
    if (url.isPresent()) {
      return Database.external(PgConnectOptions.fromUri(url.get()));
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
    return chain.compose(x -> vertx.executeBlocking(() -> {
      database.close();
      return null;
    }, false)).mapEmpty();
  }

  /** The admin key generated on this start, if one was (printed once by Main, never logged). */
  public Optional<String> generatedAdminKey() {
    return Optional.ofNullable(generatedAdminKey);
  }

  public Database database() {
    return database;
  }

  public HubConfig config() {
    return config;
  }
}
