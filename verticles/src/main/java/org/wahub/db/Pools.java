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
 * The one shared connection pool. Every verticle instance calls {@link #shared} in its
 * {@code start()} and gets a lease on the same named pool (vertx-sql-client pool sharing); undeploy
 * releases the lease, and the pool closes with the last one.
 */
public final class Pools {

  public static final String NAME = "wahub";

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
    PoolOptions poolOptions = new PoolOptions()
        .setShared(true)
        .setName(NAME)
        .setMaxSize(config.dbPoolSize())
        // a dead database must give a fast 503, not a queue of requests that hang
        .setConnectionTimeout((int) config.dbAcquireTimeout().toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setMaxWaitQueueSize(10_000)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
    NetClientOptions net = new NetClientOptions().setConnectTimeout((int) config.dbConnectTimeout().toMillis());
    return PgBuilder.pool().with(poolOptions).with(net).connectingTo(options).using(vertx).build();
  }
}
