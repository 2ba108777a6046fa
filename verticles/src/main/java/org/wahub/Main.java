package org.wahub;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of {@code java -jar wa-hub.jar}. Configuration is layered with vertx-config:
 * {@code conf/config.json} (in the jar, or ./conf/config.json if present) &lt; the JSON file named by
 * {@code HUB_CONFIG} &lt; environment variables. SIGTERM stops the hub gracefully.
 */
public final class Main {

  /**
   * Event loops: one per core unless HUB_EVENT_LOOPS says otherwise (read before the layered
   * config exists, since Vert.x needs it at creation). Vert.x's default of two per core only adds
   * threads that wake each other up when HTTP, intake and the pool hand work across loops.
   */
  static int eventLoops() {
    String v = System.getenv("HUB_EVENT_LOOPS");
    if (v != null && !v.isBlank()) {
      try {
        int n = Integer.parseInt(v.strip());
        if (n >= 1 && n <= 1024) {
          return n;
        }
      } catch (NumberFormatException e) {
        // fall through to the default; the value is reported below
      }
      System.err.println("wa-hub: HUB_EVENT_LOOPS must be an integer from 1 to 1024, not '" + v + "': using the default");
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Whether Vert.x reports its HTTP, pool and JVM metrics (HUB_METRICS_VERTX, default true; read
   * from the environment because Vert.x needs it at creation). {@code false} leaves the hub's own
   * series and the JVM's, and takes the per-request HTTP meters off the intake's path, for
   * operators and benchmarks that want that.
   */
  static boolean vertxMetrics() {
    String v = System.getenv("HUB_METRICS_VERTX");
    return v == null || !v.strip().equalsIgnoreCase("false");
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    // one registry for Vert.x's HTTP, pool and JVM metrics and the hub's own: GET /metrics shows both
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(eventLoops());
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry = vertxMetrics()
        ? org.wahub.metrics.HubMetrics.newRegistry() : null;
    Vertx vertx = registry == null ? Vertx.vertx(options) : org.wahub.metrics.HubMetrics.vertx(options, registry);
    JsonObject raw;
    try {
      raw = loadConfig(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("wa-hub: could not read the configuration: " + e.getMessage());
      vertx.close();
      System.exit(2);
      return;
    }
    HubConfig config = new HubConfig(raw);
    Hub hub;
    try {
      hub = Hub.start(vertx, config, registry).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("wa-hub failed to start", e);
      vertx.close();
      System.exit(1);
      return;
    }
    hub.generatedAdminKey().ifPresent(key -> printAdminKey(key, hub.generatedAdminKeyFile()));
    LOG.info("started in {} ms", (System.nanoTime() - started) / 1_000_000);

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down");
      CompletableFuture<Void> done = hub.stop().compose(x -> vertx.close()).toCompletionStage().toCompletableFuture();
      try {
        done.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("shutdown did not finish cleanly: {}", e.toString());
      }
    }, "wa-hub-shutdown"));
  }

  static Future<JsonObject> loadConfig(Vertx vertx) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false).setScanPeriod(-1)
        .addStore(new ConfigStoreOptions().setType("file").setFormat("json")
            .setConfig(new JsonObject().put("path", "conf/config.json")).setOptional(true));
    String file = System.getenv("HUB_CONFIG");
    if (file != null && !file.isBlank()) {
      options.addStore(new ConfigStoreOptions().setType("file").setFormat("json")
          .setConfig(new JsonObject().put("path", file)));
    }
    options.addStore(new ConfigStoreOptions().setType("env").setConfig(new JsonObject().put("raw-data", true)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig().eventually(retriever::close);
  }

  /**
   * Shown once, on the terminal (stderr, plain text): never through the logger, whose JSON lines
   * end up in log stores. The key is also in a file only this user can read; the database keeps
   * only its hash.
   */
  private static void printAdminKey(String token, Optional<Path> file) {
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    err.println();
    err.println("==================================================================");
    err.println(" wa-hub generated an admin API key. It is shown only this once:");
    err.println();
    err.println("   " + token);
    err.println();
    file.ifPresent(f -> err.println(" It is also in " + f + " (mode 0600)."));
    err.println(" Use it as 'Authorization: Bearer <key>' for /tenants.");
    err.println(" To replace it, restart with HUB_ADMIN_KEY=<a secret of 32+ characters>.");
    err.println("==================================================================");
    err.println();
  }
}
