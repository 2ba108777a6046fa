package org.wahub.support;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.wahub.Hub;
import org.wahub.HubConfig;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A hub under test: real verticles, real HTTP port, its own database on the test server. */
public final class TestHub implements AutoCloseable {

  public static final String ADMIN_KEY = "wah_test-admin-key-0123456789abcdefghijklmnopqrstu";

  public final Vertx vertx;
  private final java.util.List<io.vertx.sqlclient.Pool> pools = new java.util.concurrent.CopyOnWriteArrayList<>();
  public final Hub hub;
  public final int port;
  public final String dbUrl;
  public final Http http;
  public final Sql sql;

  private TestHub(Vertx vertx, Hub hub, int port, String dbUrl) {
    this.vertx = vertx;
    this.hub = hub;
    this.port = port;
    this.dbUrl = dbUrl;
    this.http = new Http(port);
    this.sql = new Sql(hub.database().jdbcUrl(), hub.database().user(), hub.database().password());
  }

  public static TestHub start(Vertx vertx) {
    return start(vertx, TestPg.newDatabaseUrl(), Map.of());
  }

  public static TestHub start(Vertx vertx, String dbUrl, Map<String, Object> overrides) {
    return start(vertx, dbUrl, overrides, null);
  }

  /** A hub whose /metrics shows {@code registry} (the one {@code vertx} was built to report to), as Main wires it. */
  public static TestHub start(Vertx vertx, String dbUrl, Map<String, Object> overrides,
                              io.micrometer.core.instrument.MeterRegistry registry) {
    // a test that must know the port before the start (to give it to a provider's fake as the
    // hub's public URL) passes HUB_HTTP_PORT itself
    int port = overrides.get("HUB_HTTP_PORT") instanceof Number n ? n.intValue() : freePort();
    JsonObject cfg = new JsonObject()
        .put("HUB_HTTP_PORT", port)
        .put("HUB_HTTP_HOST", "127.0.0.1")
        .put("HUB_DB_URL", dbUrl)
        .put("HUB_ADMIN_KEY", ADMIN_KEY)
        .put("HUB_API_VERTICLES", 2)
        .put("HUB_INTAKE_VERTICLES", 2)
        .put("HUB_DB_POOL_SIZE", 8)
        // tests exercise the intake and delivery, not the tenant quotas (TenantQuotaTest sets its own)
        .put("HUB_TENANT_MAX_INSTANCES", 100_000)
        .put("HUB_TENANT_MAX_QUEUE_SIZE", 1_000_000)
        .put("HUB_TENANT_ACCEPTED_PER_MINUTE", 1_000_000)
        // no test may reach the internet (a provider's default URL is a real one): only loopback is
        // reachable, for the local fakes and receivers
        .put("HUB_OUTBOUND_ALLOW", "127.0.0.1/32")
        .put("HUB_OUTBOUND_ALLOW_ONLY", true);
    overrides.forEach(cfg::put);
    if (dbUrl == null) {
      cfg.remove("HUB_DB_URL");
    }
    try {
      Hub hub = Hub.start(vertx, new HubConfig(cfg), registry).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      return new TestHub(vertx, hub, port, dbUrl);
    } catch (Exception e) {
      throw new IllegalStateException("hub did not start", e);
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates a tenant through the admin API and returns its first key. */
  public Tenant tenant(String name) {
    Http.Res res = http.post("/tenants", ADMIN_KEY, new JsonObject().put("name", name));
    if (res.status() != 201) {
      throw new IllegalStateException("tenant creation failed: " + res);
    }
    JsonObject body = res.json();
    return new Tenant(body.getString("id"), body.getJsonObject("key").getString("token"));
  }

  /**
   * Creates a simulator instance for the tenant. Unless {@code extra} brings its own provider
   * block, the simulated session stays at NEEDS_QR, so nothing is sent and tests of intake and
   * message states are not raced by the delivery loop.
   */
  public void instance(Tenant t, String id, JsonObject extra) {
    JsonObject body = new JsonObject().put("id", id)
        .put("provider", new JsonObject().put("type", "simulator").put("startState", "NEEDS_QR"));
    if (extra != null) {
      body.mergeIn(extra);
    }
    Http.Res res = http.post("/instances", t.key(), body);
    if (res.status() != 201) {
      throw new IllegalStateException("instance creation failed: " + res);
    }
    // 201 means stored; its actor is deployed just after (a 503 instance_not_running until then)
    Awaitility.await().atMost(Duration.ofSeconds(20))
        .until(() -> http.get("/instances/" + id + "/status", t.key()).status() == 200);
  }

  public record Tenant(String id, String key) {
  }

  /**
   * A pool of its own on the hub's database, for tests that play a second worker or read the
   * stores directly; closed with the hub.
   */
  public io.vertx.sqlclient.Pool newPool(int maxSize) {
    io.vertx.sqlclient.Pool pool = io.vertx.pgclient.PgBuilder.pool()
        .with(new io.vertx.sqlclient.PoolOptions().setMaxSize(maxSize))
        .connectingTo(hub.database().connectOptions()).using(vertx).build();
    pools.add(pool);
    return pool;
  }

  /** The future's result, waiting at most 20 s (from a test thread, never an event loop). */
  public static <T> T join(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      for (io.vertx.sqlclient.Pool p : pools) {
        p.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      hub.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
