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

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops()));
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
      hub = Hub.start(vertx, config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.error("wa-hub failed to start", e);
      vertx.close();
      System.exit(1);
      return;
    }
    hub.generatedAdminKey().ifPresent(Main::printAdminKey);
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

  /** Printed to stdout once, on the start that created it; it is stored only as a hash. */
  private static void printAdminKey(String token) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.println();
    out.println("==================================================================");
    out.println(" wa-hub generated an admin API key. It is shown only this once:");
    out.println();
    out.println("   " + token);
    out.println();
    out.println(" Use it as 'Authorization: Bearer <key>' for /tenants.");
    out.println(" Lost it? Restart with HUB_ADMIN_KEY=<a new secret> to replace it.");
    out.println("==================================================================");
    out.println();
  }
}
