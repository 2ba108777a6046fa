package org.wahub.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Webhook benchmark (issue "Events"): how fast events travel from their commit to a local
 * receiver's {@code 2xx}. Per run, a fresh hub drains a backlog of M messages over N simulator
 * instances (limits and pacing lifted, latency 0) while E endpoints subscribe to {@code message.sent};
 * the receiver stamps each request's arrival. Printed per run: the drain's sends/s, delivered
 * events/s, and the commit→2xx delay (p50/p99/max, from the event's {@code at} to the arrival,
 * one clock). The baseline, measured in the same invocation, is the same drain with no endpoint:
 * the ratio says what the webhooks cost the drain, and "keeps up" compares deliveries/s to E × sends/s.
 *
 * <p>Usage: {@code java -cp bench/target/wa-hub-bench.jar org.wahub.bench.WebhookBench
 * [--endpoints 0,1,20] [--instances 10] [--backlog 200] [--jar verticles/target/wa-hub.jar]}
 */
public final class WebhookBench {

  private record Arrival(String webhookId, String messageId, long epochMicros) {
  }

  private record Result(int endpoints, long messages, double sendsPerSecond, long deliveries, double deliveriesPerSecond,
                        double[] delayMs) {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Args.parse(args);
    int[] endpoints = Arrays.stream(opts.getOrDefault("endpoints", "0,1,20").split(",")).mapToInt(Integer::parseInt).toArray();
    int instances = Integer.parseInt(opts.getOrDefault("instances", "10"));
    int backlog = Integer.parseInt(opts.getOrDefault("backlog", "200"));
    Path jar = Path.of(opts.getOrDefault("jar", "verticles/target/wa-hub.jar"));
    Path data = Path.of(opts.getOrDefault("data", "bench/out/webhooks-" + System.currentTimeMillis()));

    List<Result> results = new ArrayList<>();
    for (int e : endpoints) {
      results.add(run(jar, data.resolve("e" + e), e, instances, backlog));
    }
    Result base = results.stream().filter(r -> r.endpoints() == 0).findFirst().orElse(null);
    System.out.println();
    System.out.printf("== wa-hub webhooks: %d instances × %d messages drained, endpoints subscribed to message.sent ==%n",
        instances, backlog);
    for (Result r : results) {
      if (r.endpoints() == 0) {
        System.out.printf("baseline, no endpoint: %,.0f sends/s%n", r.sendsPerSecond());
        continue;
      }
      System.out.printf("%2d endpoint(s): %,.0f sends/s%s; %,d deliveries, %,.0f delivered/s (keeps up: %.2f of %d × sends/s); "
              + "commit→2xx p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          r.endpoints(), r.sendsPerSecond(), base == null ? "" : String.format(" (%.2f × baseline)", r.sendsPerSecond() / base.sendsPerSecond()),
          r.deliveries(), r.deliveriesPerSecond(), r.deliveriesPerSecond() / (r.endpoints() * r.sendsPerSecond()), r.endpoints(),
          r.delayMs()[0], r.delayMs()[1], r.delayMs()[2]);
    }
  }

  private static Result run(Path jar, Path dataDir, int endpoints, int instances, int backlog) throws Exception {
    Vertx vertx = Vertx.vertx();
    ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
    HttpServer receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      java.time.Instant now = java.time.Instant.now();
      JsonObject json = body.toJsonObject();
      arrivals.add(new Arrival(req.path(), json.getJsonObject("data", new JsonObject()).getString("messageId"),
          now.getEpochSecond() * 1_000_000L + now.getNano() / 1000));
      req.response().setStatusCode(204).end();
    }));
    int port = receiver.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    HubProcess hub = new HubProcess(jar, dataDir, Map.of("HUB_LOG_LEVEL", "WARN", "HUB_OUTBOUND_ALLOW", "127.0.0.1/32",
        "HUB_OUTBOUND_ALLOW_ONLY", "true"));
    hub.start();
    try (LoadClient load = new LoadClient(hub.httpPort(), 64)) {
      JsonObject tenant = IntakeBench.call(load, HttpMethod.POST, "/tenants", HubProcess.ADMIN_KEY,
          new JsonObject().put("name", "webhooks-" + System.nanoTime()));
      String key = tenant.getJsonObject("key").getString("token");
      DrainBench.createUnpaired(load, key, instances, backlog);
      for (int i = 0; i < endpoints; i++) {
        IntakeBench.call(load, HttpMethod.POST, "/webhooks", key, new JsonObject()
            .put("url", "http://127.0.0.1:" + port + "/hook/" + i).put("eventTypes", new JsonArray().add("message.sent")));
      }
      long total = (long) instances * backlog;
      DrainBench.post(load, key, instances, total, "backlog", 0);
      for (int i = 0; i < instances; i++) {
        IntakeBench.call(load, HttpMethod.POST, "/instances/drain-" + i + "/simulate", key, new JsonObject().put("event", "ready"));
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (DrainBench.count(hub, "SELECT count(*) FROM messages WHERE status = 'sent'") < total
          || arrivals.size() < total * endpoints) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("not drained/delivered in 10 minutes: " + arrivals.size() + " of " + total * endpoints);
        }
        Thread.sleep(50);
      }
      double sendSpan = DrainBench.spanSeconds(hub);
      Map<String, Long> committedAt = eventTimes(hub);
      long[] delays = new long[arrivals.size()];
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      int n = 0;
      for (Arrival a : arrivals) {
        Long at = committedAt.get(a.messageId());
        if (at == null) {
          throw new IllegalStateException("a delivery for a message without a message.sent event: " + a);
        }
        delays[n++] = a.epochMicros() - at;
        first = Math.min(first, a.epochMicros());
        last = Math.max(last, a.epochMicros());
      }
      Arrays.sort(delays, 0, n);
      double[] delayMs = n == 0 ? new double[] {0, 0, 0}
          : new double[] {delays[n / 2] / 1000.0, delays[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1000.0, delays[n - 1] / 1000.0};
      double deliverySpan = n < 2 ? 1 : (last - first) / 1e6;
      return new Result(endpoints, total, total / sendSpan, n, n / deliverySpan, delayMs);
    } finally {
      hub.stop();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** The time each message.sent event happened (epoch µs), by message id. */
  private static Map<String, Long> eventTimes(HubProcess hub) throws Exception {
    Map<String, Long> out = new HashMap<>();
    try (Connection c = DriverManager.getConnection(hub.jdbcUrl(), "postgres", "");
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT message_id::text, (extract(epoch FROM at) * 1000000)::bigint FROM events "
             + "WHERE type = 'message.sent'")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }
}
