package org.wahub.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Drain benchmark (issue "Delivery"): N simulator instances with limits and pacing lifted and
 * simulator latency 0. Phase 1 builds a backlog of M messages per instance while the sessions are
 * unpaired, pairs them all at once and measures sends/s end to end and the database statements per
 * send. Phase 2 posts at a fixed rate below capacity and measures accept-to-sent latency
 * (messages.sent_at - created_at, both stamped by the hub).
 *
 * <p>Usage: {@code bench/drain.sh [--instances 20] [--backlog 500] [--rate 200] [--seconds 15]}
 */
public final class DrainBench {

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Args.parse(args);
    int instances = Integer.parseInt(opts.getOrDefault("instances", "20"));
    int backlog = Integer.parseInt(opts.getOrDefault("backlog", "500"));
    int rate = Integer.parseInt(opts.getOrDefault("rate", "200"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "15"));
    Path jar = Path.of(opts.getOrDefault("jar", "verticles/target/wa-hub.jar"));
    Path dataDir = Path.of(opts.getOrDefault("data", "bench/out/drain-" + System.currentTimeMillis()));

    HubProcess hub = new HubProcess(jar, dataDir, Map.of("HUB_LOG_LEVEL", "WARN"));
    System.out.printf("hub ready in %d ms%n", hub.start().toMillis());
    try (LoadClient load = new LoadClient(hub.httpPort(), 64)) {
      JsonObject tenant = IntakeBench.call(load, HttpMethod.POST, "/tenants", HubProcess.ADMIN_KEY,
          new JsonObject().put("name", "drain-" + System.nanoTime()));
      String key = tenant.getJsonObject("key").getString("token");
      createUnpaired(load, key, instances, backlog);

      // phase 1: backlog, then pair every session at once and drain
      long total = (long) instances * backlog;
      post(load, key, instances, total, "backlog", 0);
      long statementsBefore = statements(hub);
      long t0 = System.nanoTime();
      for (int i = 0; i < instances; i++) {
        IntakeBench.call(load, HttpMethod.POST, "/instances/drain-" + i + "/simulate", key,
            new JsonObject().put("event", "ready"));
      }
      while (count(hub, "SELECT count(*) FROM messages WHERE status = 'sent'") < total) {
        if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(10)) {
          throw new IllegalStateException("drain did not finish in 10 minutes");
        }
        Thread.sleep(50);
      }
      double drainSeconds = (System.nanoTime() - t0) / 1e9;
      long statements = statements(hub) - statementsBefore;
      double span = spanSeconds(hub);

      // phase 2: steady traffic below capacity, latency from accept to sent
      long steady = (long) rate * seconds;
      long t1 = System.currentTimeMillis();
      post(load, key, instances, steady, "steady", rate);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (count(hub, "SELECT count(*) FROM messages WHERE status = 'sent'") < total + steady && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      double[] p = latencies(hub, t1);

      System.out.println();
      System.out.println("== wa-hub drain (simulator latency 0, limits and pacing lifted) ==");
      System.out.printf("%d instances × %d queued = %d messages drained in %.1f s (first to last send %.1f s): %,.0f sends/s%n",
          instances, backlog, total, drainSeconds, span, total / span);
      System.out.printf("database statements per send during the drain: %.2f (%d statements / %d sends, pg_stat_database)%n",
          (double) statements / total, statements, total);
      System.out.printf("steady %d msg/s for %d s over %d instances: accept→sent p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d messages)%n",
          rate, seconds, instances, p[0], p[1], p[2], (long) p[3]);
    } finally {
      hub.stop();
    }
  }

  /**
   * Instances drain-0 … drain-(n-1) on the simulator, unpaired (NEEDS_QR) so a backlog can build,
   * with limits and pacing lifted and latency 0: the drain measures the hub, nothing else.
   */
  static void createUnpaired(LoadClient load, String key, int instances, int backlog) throws Exception {
    for (int i = 0; i < instances; i++) {
      IntakeBench.call(load, HttpMethod.POST, "/instances", key, new JsonObject().put("id", "drain-" + i)
          .put("provider", new JsonObject().put("type", "simulator").put("latencyMs", 0).put("pairingMs", 0)
              .put("startState", "NEEDS_QR"))
          .put("limits", new JsonObject().put("perMinute", 1_000_000).put("perHour", 1_000_000).put("perDay", 1_000_000))
          .put("pacing", new JsonObject().put("minIntervalMs", 0).put("jitterMs", 0))
          .put("maxQueueSize", Math.max(backlog, 1000) * 2));
    }
  }

  /** Posts {@code n} messages round-robin over the instances, at most {@code rate}/s when rate > 0. */
  static void post(LoadClient load, String key, int instances, long n, String tag, int rate) throws Exception {
    Semaphore inFlight = new Semaphore(64);
    List<CompletableFuture<Integer>> calls = new ArrayList<>();
    long start = System.nanoTime();
    for (long i = 0; i < n; i++) {
      if (rate > 0) {
        long due = start + (long) (i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      inFlight.acquire();
      calls.add(load.send(HttpMethod.POST, "/instances/drain-" + (i % instances) + "/messages", key,
              Map.of("Idempotency-Key", tag + ":" + i),
              Buffer.buffer("{\"to\":\"+49151123456" + (10 + i % 80) + "\",\"text\":\"" + tag + " " + i + "\"}"))
          .onComplete(ar -> inFlight.release()).toCompletionStage().toCompletableFuture());
    }
    for (CompletableFuture<Integer> c : calls) {
      if (c.get(60, TimeUnit.SECONDS) != 202) {
        throw new IllegalStateException("a post was not accepted: " + c.get());
      }
    }
  }

  static long statements(HubProcess hub) throws Exception {
    return count(hub, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'wahub'");
  }

  static long count(HubProcess hub, String sql) throws Exception {
    try (Statement s = hub.sql().createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static double spanSeconds(HubProcess hub) throws Exception {
    try (Statement s = hub.sql().createStatement();
         ResultSet rs = s.executeQuery("SELECT extract(epoch FROM max(sent_at) - min(sent_at)) FROM messages")) {
      rs.next();
      return rs.getDouble(1);
    }
  }

  /** p50, p99, max (ms) and count of sent_at - created_at for messages accepted after {@code sinceMillis}. */
  static double[] latencies(HubProcess hub, long sinceMillis) throws Exception {
    try (Statement s = hub.sql().createStatement();
         ResultSet rs = s.executeQuery("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d), "
             + "percentile_cont(0.99) WITHIN GROUP (ORDER BY d), max(d), count(*) FROM ("
             + "SELECT extract(epoch FROM sent_at - created_at) * 1000 AS d FROM messages "
             + "WHERE status = 'sent' AND created_at >= to_timestamp(" + sinceMillis / 1000.0 + ")) x")) {
      rs.next();
      return new double[] {rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)};
    }
  }
}
