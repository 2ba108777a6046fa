package org.wahub.db;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.wahub.HubConfig;

import java.util.concurrent.TimeUnit;

/**
 * The shared connection pools. Every verticle instance calls {@link #shared} (or, for the intake
 * shards, {@link #intake}) in its {@code start()} and gets a lease on the same named pool
 * (vertx-sql-client pool sharing); undeploy releases the lease, and the pool closes with the last one.
 */
public final class Pools {

  public static final String NAME = "wahub";
  public static final String INTAKE_NAME = "wahub-intake";
  public static final String AUTH_NAME = "wahub-auth";

  private Pools() {
  }

  public static PgConnectOptions connectOptions(PgConnectOptions base, HubConfig config) {
    return new PgConnectOptions(base)
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(512)
        // the group-commit statement is long; statements over the default 2 KB limit would be re-parsed every time
        .setPreparedStatementCacheSqlLimit(16_384)
        .setPipeliningLimit(256)
        .addProperty("application_name", "wa-hub");
  }

  public static Pool shared(Vertx vertx, PgConnectOptions options, HubConfig config) {
    return named(vertx, NAME, config.dbPoolSize(), options, config);
  }

  /**
   * The intake's own pool. Its sessions run with {@code plan_cache_mode = force_generic_plan}: left
   * to itself PostgreSQL re-plans the group-commit statement on every execution (its custom plan
   * looks cheaper because it sees the array sizes), and planning that statement costs ~0.4 ms —
   * more than executing a one-row batch, so at low load it doubled PostgreSQL's time per commit. The
   * statement is written so its generic plan probes indexes whatever the batch size. Only intake
   * sessions get the setting: the other queries keep PostgreSQL's own choice.
   */
  public static Pool intake(Vertx vertx, PgConnectOptions options, HubConfig config) {
    // one batch in flight per shard plus the replay lookups: a few connections are plenty
    int size = Math.max(2, 2 * config.intakeVerticles() * config.intakeMaxInFlight());
    PgConnectOptions generic = new PgConnectOptions(options).addProperty("plan_cache_mode", "force_generic_plan");
    return named(vertx, INTAKE_NAME, size, generic, config);
  }

  /**
   * The key look-ups' own small pool, shared by every ApiVerticle of the process. Requests with
   * unknown keys are the one kind of database work anybody on the network can cause without a
   * key; here they can hold at most these connections and never one that delivery needs. Its wait
   * queue is bounded like the look-ups in flight (the Authenticator answers 429 before it fills).
   */
  public static Pool auth(Vertx vertx, PgConnectOptions options, HubConfig config) {
    return named(vertx, AUTH_NAME, Math.max(1, config.authPoolSize()), Math.max(1, config.authMaxInFlight()), options, config);
  }

  private static Pool named(Vertx vertx, String name, int size, PgConnectOptions options, HubConfig config) {
    return named(vertx, name, size, 10_000, options, config);
  }

  private static Pool named(Vertx vertx, String name, int size, int maxWaitQueue, PgConnectOptions options, HubConfig config) {
    PoolOptions poolOptions = new PoolOptions()
        .setShared(true)
        .setName(name)
        .setMaxSize(size)
        // a dead database must give a fast 503, not a queue of requests that hang
        .setConnectionTimeout((int) config.dbAcquireTimeout().toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setMaxWaitQueueSize(maxWaitQueue)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    NetClientOptions net = new NetClientOptions().setConnectTimeout((int) config.dbConnectTimeout().toMillis());
    return PgBuilder.pool().with(poolOptions).with(net).connectingTo(options).using(vertx).build();
  }
}
