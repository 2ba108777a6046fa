package org.wahub.bench;

import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durable-accept benchmark (DESIGN §11). Starts the real hub jar on its embedded PostgreSQL and
 * prints, in one run: closed-loop accepted/s at 256 clients (and rows in the database vs 202s
 * counted), open-loop latency of the 202 at a fixed rate measured from the intended send time
 * (coordinated omission corrected), pgbench's single-row INSERT … ON CONFLICT DO NOTHING tps on the
 * same PostgreSQL, the ratio, and the CPU each process used.
 *
 * <p>Usage: {@code bench/intake.sh [--seconds 20] [--clients 256] [--rate 1000] [--instances 8]
 *   [--warm-up 15] [--open-warm-up 15] [--load wrk|java] [--hub-env KEY=VALUE,KEY=VALUE] [--hub-jvm "-Xlog:gc"]}
 * The closed loop uses wrk when it is on the PATH (see {@link WrkLoad}), else the JVM client.
 */
public final class IntakeBench {

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Args.parse(args);
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    int clients = Integer.parseInt(opts.getOrDefault("clients", "256"));
    int rate = Integer.parseInt(opts.getOrDefault("rate", "1000"));
    int instances = Integer.parseInt(opts.getOrDefault("instances", "8"));
    Path jar = Path.of(opts.getOrDefault("jar", "verticles/target/wa-hub.jar"));
    Path dataDir = Path.of(opts.getOrDefault("data", "bench/out/intake-" + System.currentTimeMillis()));

    Map<String, String> env = new java.util.HashMap<>(Map.of("HUB_LOG_LEVEL", "WARN"));
    for (String kv : opts.getOrDefault("hub-env", "").split(",")) {
      if (kv.contains("=")) {
        env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    HubProcess hub = new HubProcess(jar, dataDir, env);
    String hubJvm = opts.getOrDefault("hub-jvm", "");
    if (!hubJvm.isBlank()) {
      hub.jvmArgs(hubJvm.trim().split("\\s+"));
    }
    System.out.printf("starting %s with data in %s%n", jar, dataDir);
    System.out.printf("hub ready in %d ms%n", hub.start().toMillis());
    // the paced (open-loop) client gets its own single-loop Vert.x: at 1,000 req/s it needs one
    // thread, and every extra loop is one more thread to wake on the cores it shares with the hub
    try (LoadClient load = new LoadClient(hub.httpPort(), Math.max(clients, 64));
         LoadClient paced = new LoadClient(hub.httpPort(), 64, 1)) {
      String key = setup(load, instances);
      // --webhooks N: N endpoints of the tenant (a public address; no event is ever due: the instances
      // are stopped) subscribed to message.sent and message.delivered, as a
      // shop would configure them; the intake must not pay for them (no message.queued is asked for)
      int webhooks = Integer.parseInt(opts.getOrDefault("webhooks", "0"));
      for (int i = 0; i < webhooks; i++) {
        call(load, HttpMethod.POST, "/webhooks", key, new JsonObject().put("url", "https://93.184.216.34/wa-hub/" + i)
            .put("eventTypes", new io.vertx.core.json.JsonArray().add("message.sent").add("message.delivered")));
      }
      if (webhooks > 0) {
        System.out.printf("%d webhook endpoint(s) for message.sent and message.delivered%n", webhooks);
      }
      String generator = opts.getOrDefault("load", WrkLoad.find().isPresent() ? "wrk" : "java");
      String wrk = "wrk".equals(generator) ? WrkLoad.find().orElseThrow(() -> new IllegalStateException("wrk not on PATH")) : null;
      int warmUp = Integer.parseInt(opts.getOrDefault("warm-up", "15"));
      // long enough for the JIT to finish compiling the request path: what is measured is the steady state
      if (wrk != null) {
        WrkLoad.run(wrk, hub.httpPort(), key, "warm-up", instances, clients, warmUp);
      } else {
        closedLoop(load, key, instances, warmUp, clients, "warm-up", hub);
      }

      // wrk warmed the hub; this warms the paced client (connections, JIT). Each choice here was
      // measured with a per-request dump:
      // - after a 5 s warm-up the first ~15 s of the paced phase still had stalls of 10-15 ms several
      //   times a second (the client's own JIT on 2 shared cores), none after;
      // - started cold at 10,000 req/s the client fell seconds behind and its heap grew to 500 MB of
      //   queued requests, so it ramps up: a quarter, half, then the full rate.
      int openWarmUp = Integer.parseInt(opts.getOrDefault("open-warm-up", "15"));
      for (int step = 1; step <= 3; step++) {
        int stepRate = step == 3 ? rate : Math.max(1, rate * step / 4);
        openLoop(paced, key, instances, Math.max(1, openWarmUp / 3), stepRate, "open-warm-up-" + step);
      }
      // the warm-ups leave a few hundred thousand fresh rows: let autovacuum finish with them, so the
      // latency phase measures the steady state rather than the tail of the warm-up
      System.out.printf("waited %.1f s for autovacuum after the warm-up%n", settle(hub));

      Cpu cpu2 = Cpu.start(hub);
      OpenResult open = openLoop(paced, key, instances, seconds, rate, "open");
      Cpu.Used openCpu = cpu2.stop();
      if (opts.containsKey("open-only")) {
        System.out.printf("open loop at %d req/s: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; CPU hub %.1f s, "
                + "PostgreSQL %.1f s, load generator %.1f s%n", rate, open.latencies.percentileMs(50),
            open.latencies.percentileMs(95), open.latencies.percentileMs(99), open.latencies.percentileMs(100),
            openCpu.hub, openCpu.pg, openCpu.self);
        return;
      }

      long rowsBefore = rows(hub);
      Cpu cpu = Cpu.start(hub);
      Result closed;
      double generatorCpu;
      if (wrk != null) {
        WrkLoad.Result w = WrkLoad.run(wrk, hub.httpPort(), key, "closed", instances, clients, seconds);
        closed = new Result(w.accepted(), w.errors(), w.other(), w.seconds());
        generatorCpu = w.cpuSeconds();
        System.out.println("wrk " + w.latencyLine());
      } else {
        closed = closedLoop(load, key, instances, seconds, clients, "closed", hub);
        generatorCpu = -1;
      }
      Cpu.Used closedCpu = cpu.stop();
      if (generatorCpu >= 0) {
        closedCpu = closedCpu.withGenerator(generatorCpu);
      }
      Thread.sleep(2000); // wrk abandons the requests in flight when its time is up: let them land
      long rowsAfter = rows(hub);

      Pgbench pg = Pgbench.best(hub, seconds);
      // the closed loop left ~300,000 fresh rows: autovacuum must not be counted as the row's cost
      settle(hub);
      Floors floors = Floors.measure(hub, wrk, clients, instances, seconds);

      System.out.println();
      System.out.println("== wa-hub durable accept (POST /instances/:id/messages → 202) ==");
      System.out.printf("closed loop, %d clients, %d s: %,.0f accepted/s (%d × 202, %d errors, %d other)%n",
          clients, seconds, closed.accepted / closed.seconds, closed.accepted, closed.errors, closed.other);
      long cutOff = rowsAfter - rowsBefore - closed.accepted;
      // the JVM client waits for every answer, so rows must equal 202s; wrk stops counting when its time is up,
      // so the requests in flight then (at most one per connection) may be stored without a counted 202
      boolean consistent = wrk == null ? cutOff == 0 : cutOff >= 0 && cutOff <= clients;
      System.out.printf("rows in the database for that phase: %d = 202s counted %d + %d in flight when the load stopped → %s%n",
          rowsAfter - rowsBefore, closed.accepted, cutOff, consistent ? "consistent" : "MISMATCH");
      System.out.printf("open loop at %d req/s for %d s: %d sent, %d × 202, %d errors; latency from intended send time: "
              + "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms%n", rate, seconds, open.sent, open.accepted, open.errors,
          open.latencies.percentileMs(50), open.latencies.percentileMs(95), open.latencies.percentileMs(99),
          open.latencies.percentileMs(100));
      if (pg != null) {
        System.out.printf("pgbench single-row INSERT … ON CONFLICT DO NOTHING, same PostgreSQL: %,.0f tps (best of %s)%n",
            pg.tps, pg.description);
        System.out.printf("ratio wa-hub accepted/s ÷ pgbench tps: %.2f×%n", (closed.accepted / closed.seconds) / pg.tps);
      } else {
        System.out.println("pgbench not found on PATH or under /usr/lib/postgresql/*/bin: ratio not measured");
      }
      System.out.printf("CPU during the closed loop (%.0f s wall, load generator: %s): hub JVM %.1f s, PostgreSQL %.1f s, "
              + "load generator %.1f s (load generator share %.0f %% of the CPU used); per accepted request: hub %.0f µs, "
              + "PostgreSQL %.0f µs, load generator %.0f µs%n", closedCpu.wall,
          wrk != null ? "wrk -t 2 with a Lua script" : "Vert.x HTTP client in the bench JVM",
          closedCpu.hub, closedCpu.pg, closedCpu.self, 100 * closedCpu.self / (closedCpu.hub + closedCpu.pg + closedCpu.self),
          1e6 * closedCpu.hub / closed.accepted, 1e6 * closedCpu.pg / closed.accepted, 1e6 * closedCpu.self / closed.accepted);
      System.out.printf("CPU during the open loop (%.0f s wall): hub JVM %.1f s, PostgreSQL %.1f s, load generator %.1f s%n",
          openCpu.wall, openCpu.hub, openCpu.pg, openCpu.self);
      if (floors != null && pg != null) {
        floors.print(pg.tps);
      }
      System.out.printf("machine: %d cores, %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"));
    } finally {
      hub.stop();
    }
  }

  static String setup(LoadClient load, int instances) throws Exception {
    JsonObject tenant = call(load, HttpMethod.POST, "/tenants", HubProcess.ADMIN_KEY,
        new JsonObject().put("name", "bench-" + System.nanoTime()));
    String key = tenant.getJsonObject("key").getString("token");
    for (int i = 0; i < instances; i++) {
      // intake is what is measured: the queue cap is lifted and the instances are stopped, so no
      // delivery runs — with hundreds of thousands queued per instance (far past any real cap) its
      // next-due query would otherwise take a third of a core away from the intake
      call(load, HttpMethod.POST, "/instances", key, new JsonObject().put("id", "bench-" + i)
          .put("provider", new JsonObject().put("type", "simulator"))
          .put("maxQueueSize", 1_000_000));
      stop(load, key, "bench-" + i);
    }
    return key;
  }

  /** Stops an instance; its verticle is deployed in the background, so a 503 means "not yet": ask again. */
  static void stop(LoadClient load, String key, String id) throws Exception {
    for (int attempt = 0; ; attempt++) {
      LoadClient.Answer a = load.exchange(HttpMethod.POST, "/instances/" + id + "/stop", key, Map.of(), null)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (a.status() < 300) {
        return;
      }
      if (a.status() != 503 || attempt >= 100) {
        throw new IllegalStateException("POST /instances/" + id + "/stop → " + a.status() + " " + a.body());
      }
      Thread.sleep(100);
    }
  }

  static JsonObject call(LoadClient load, HttpMethod method, String path, String key, JsonObject body) throws Exception {
    LoadClient.Answer a = load.exchange(method, path, key, Map.of(), body == null ? null : body.toBuffer())
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (a.status() >= 300) {
      throw new IllegalStateException(method + " " + path + " → " + a.status() + " " + a.body());
    }
    return a.body().length() == 0 ? new JsonObject() : a.body().toJsonObject();
  }


  record Result(long accepted, long errors, long other, double seconds) {
  }

  static Result closedLoop(LoadClient load, String key, int instances, int seconds, int clients, String tag, HubProcess hub)
      throws Exception {
    AtomicLong accepted = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong seq = new AtomicLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    List<Promise<Void>> done = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Promise<Void> p = Promise.promise();
      done.add(p);
      int client = c;
      load.vertx().runOnContext(v -> loop(load, key, instances, tag, client, end, seq, accepted, errors, other, p));
    }
    for (Promise<Void> p : done) {
      p.future().toCompletionStage().toCompletableFuture().get(seconds + 60L, TimeUnit.SECONDS);
    }
    return new Result(accepted.get(), errors.get(), other.get(), (System.nanoTime() - start) / 1e9);
  }

  private static void loop(LoadClient load, String key, int instances, String tag, int client, long end, AtomicLong seq,
                           AtomicLong accepted, AtomicLong errors, AtomicLong other, Promise<Void> done) {
    if (System.nanoTime() >= end) {
      done.complete();
      return;
    }
    long n = seq.incrementAndGet();
    load.send(HttpMethod.POST, "/instances/bench-" + (n % instances) + "/messages", key,
            Map.of("Idempotency-Key", tag + ":" + n), body(n))
        .onComplete(ar -> {
          if (ar.failed()) {
            errors.incrementAndGet();
          } else if (ar.result() == 202) {
            accepted.incrementAndGet();
          } else {
            other.incrementAndGet();
          }
          loop(load, key, instances, tag, client, end, seq, accepted, errors, other, done);
        });
  }

  /** Every request to another customer (valid German mobile numbers), as a shop's order run would be. */
  static Buffer body(long n) {
    return Buffer.buffer("{\"to\":\"" + String.format("+49151%08d", Math.floorMod(n * 104_729L, 100_000_000L))
        + "\",\"text\":\"Order " + n + " confirmed, thank you\"}");
  }

  record OpenResult(long sent, long accepted, long errors, LoadClient.Latencies latencies) {
  }

  /**
   * Fixed-rate (open-loop) load: request i is due at start + i/rate whatever happened to the
   * others, and its latency counts from that intended time, so a stall is charged to every request
   * it delayed (coordinated omission corrected).
   */
  static OpenResult openLoop(LoadClient load, String key, int instances, int seconds, int rate, String tag) throws Exception {
    LoadClient.Latencies lat = new LoadClient.Latencies();
    AtomicLong accepted = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong completed = new AtomicLong();
    long total = (long) rate * seconds;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    double intervalNanos = 1e9 / rate;
    Promise<Void> allSent = Promise.promise();
    long[] next = {0};
    long[] worstPerSecond = new long[seconds + 1];
    long timer = load.vertx().setPeriodic(1, id -> {
      long now = System.nanoTime();
      while (next[0] < total && start + (long) (next[0] * intervalNanos) <= now) {
        long i = next[0]++;
        long intended = start + (long) (i * intervalNanos);
        load.send(HttpMethod.POST, "/instances/bench-" + (i % instances) + "/messages", key,
            Map.of("Idempotency-Key", tag + ":" + i), body(i)).onComplete(ar -> {
              long latency = System.nanoTime() - intended;
              lat.add(latency);
              int second = (int) ((intended - start) / 1_000_000_000L);
              if (second < worstPerSecond.length) {
                worstPerSecond[second] = Math.max(worstPerSecond[second], latency);
              }
              if (ar.succeeded() && ar.result() == 202) {
                accepted.incrementAndGet();
              } else {
                errors.incrementAndGet();
              }
              completed.incrementAndGet();
            });
      }
      if (next[0] >= total) {
        allSent.tryComplete();
      }
    });
    allSent.future().toCompletionStage().toCompletableFuture().get(seconds + 60L, TimeUnit.SECONDS);
    load.vertx().cancelTimer(timer);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (completed.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    StringBuilder worst = new StringBuilder();
    for (int i = 0; i < worstPerSecond.length; i++) {
      worst.append(i == 0 ? "" : " ").append(String.format("%.0f", worstPerSecond[i] / 1e6));
    }
    System.out.println(tag + ", slowest answer per second (ms): " + worst);
    return new OpenResult(total, accepted.get(), errors.get() + (total - completed.get()), lat);
  }

  /** Waits (up to 120 s) until no autovacuum worker runs; returns the seconds waited. */
  static double settle(HubProcess hub) throws Exception {
    long t0 = System.nanoTime();
    try (Connection c = DriverManager.getConnection(hub.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
      Thread.sleep(1000); // the launcher looks at the tables about once a second on a small cluster
      while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120)) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")) {
          rs.next();
          if (rs.getLong(1) == 0) {
            break;
          }
        }
        Thread.sleep(200);
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  static long rows(HubProcess hub) throws Exception {
    try (Connection c = DriverManager.getConnection(hub.jdbcUrl(), "postgres", "");
         Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM messages")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * What a durable accept costs at the least on this machine, measured in the same run: the HTTP
   * exchange with no database ({@link WrkLoad#liveness}) and the message row with no HTTP
   * ({@link Pgbench#messageRows}). Hub, PostgreSQL and the load generator share the cores, so
   * cores / (both floors) is the most any intake could accept here before doing any work of its own.
   */
  record Floors(double httpPerSecond, double hubMicros, double wrkMicros, double rowsPerSecond, double pgMicros) {

    static Floors measure(HubProcess hub, String wrk, int clients, int instances, int seconds) throws Exception {
      double[] rows = Pgbench.messageRows(hub, instances, seconds);
      if (wrk == null || rows == null) {
        return null;
      }
      Cpu cpu = Cpu.start(hub);
      WrkLoad.Result live = WrkLoad.liveness(wrk, hub.httpPort(), clients, Math.max(5, seconds / 2));
      Cpu.Used used = cpu.stop();
      long answered = live.accepted();
      return new Floors(answered / live.seconds(), 1e6 * used.hub() / answered, 1e6 * live.cpuSeconds() / answered,
          rows[0], rows[1]);
    }

    void print(double pgbenchTps) {
      int cores = Runtime.getRuntime().availableProcessors();
      double ceiling = cores * 1e6 / (hubMicros + wrkMicros + pgMicros);
      System.out.printf("floors on this machine: GET /health/live with wrk -c 256: %,.0f req/s, hub %.0f µs + wrk %.0f µs "
          + "per request; the message row alone (no HTTP): %,.0f rows/s, PostgreSQL %.0f µs per row%n",
          httpPerSecond, hubMicros, wrkMicros, rowsPerSecond, pgMicros);
      System.out.printf("ceiling with zero intake work on %d cores: %d × 10⁶ / (%.0f + %.0f + %.0f µs) = %,.0f accepted/s "
          + "= %.2f× pgbench (the target is 2×)%n", cores, cores, hubMicros, wrkMicros, pgMicros, ceiling,
          ceiling / pgbenchTps);
    }
  }

  /** CPU used by the hub JVM, the PostgreSQL server and this process between start() and stop(). */
  record Cpu(HubProcess hub, long pgPid, double hub0, double pg0, double self0, long t0) {
    /** {@code self} is the load generator's CPU: this JVM's, or wrk's when wrk drove the load. */
    record Used(double hub, double pg, double self, double wall) {
      Used withGenerator(double seconds) {
        return new Used(hub, pg, seconds, wall);
      }
    }

    static Cpu start(HubProcess hub) throws IOException {
      long pg = hub.postmasterPid().orElse(-1L);
      return new Cpu(hub, pg, CpuClock.seconds(hub.pid()), pg > 0 ? CpuClock.treeSeconds(pg) : 0, CpuClock.selfSeconds(),
          System.nanoTime());
    }

    Used stop() {
      return new Used(CpuClock.seconds(hub.pid()) - hub0, (pgPid > 0 ? CpuClock.treeSeconds(pgPid) : 0) - pg0,
          CpuClock.selfSeconds() - self0, (System.nanoTime() - t0) / 1e9);
    }
  }

  /** pgbench against the hub's own PostgreSQL: one commit per single-row insert, its best client count. */
  record Pgbench(double tps, String description) {
    static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");

    static Pgbench best(HubProcess hub, int seconds) throws Exception {
      String bin = find();
      if (bin == null) {
        return null;
      }
      try (Connection c = DriverManager.getConnection(hub.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS bench_insert");
        s.execute("CREATE TABLE bench_insert (k text PRIMARY KEY, v text NOT NULL, at timestamptz NOT NULL DEFAULT now())");
      }
      Path script = Files.createTempFile("pgbench", ".sql");
      Files.writeString(script, "\\set k random(1, 2000000000)\n"
          + "INSERT INTO bench_insert (k, v) VALUES (:k, 'Order confirmed, thank you') ON CONFLICT DO NOTHING;\n");
      Pgbench best = null;
      for (int clients : new int[] {16, 64, 128}) {
        String out = run(bin, hub, script, clients, Math.max(5, seconds / 2));
        Matcher m = TPS.matcher(out);
        if (m.find()) {
          double tps = Double.parseDouble(m.group(1));
          System.out.printf("pgbench -c %d: %,.0f tps%n", clients, tps);
          if (best == null || tps > best.tps) {
            best = new Pgbench(tps, "-c 16/64/128 -j 2 -M prepared: best at -c " + clients);
          }
        } else {
          System.out.println("pgbench output not understood:\n" + out);
        }
      }
      return best;
    }

    private static String run(String bin, HubProcess hub, Path script, int clients, int seconds) throws Exception {
      ProcessBuilder pb = new ProcessBuilder(bin, "-h", "localhost", "-p", Integer.toString(hub.pgPort()), "-U", "postgres",
          "-n", "-M", "prepared", "-c", Integer.toString(clients), "-j", Integer.toString(Math.min(clients, 2)),
          "-T", Integer.toString(seconds), "-f", script.toString(), "wahub").redirectErrorStream(true);
      // the embedded server admits nobody without a password (issue 13): pgbench would prompt for it
      pb.environment().put("PGPASSWORD", hub.superuserPassword());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      return out;
    }

    /**
     * The database floor: the intake's row (every index, the foreign key, the queue-depth trigger and
     * the checks of the real {@code messages} table) inserted 200 at a time straight into PostgreSQL,
     * with no HTTP and no hub. Ids are time-ordered like the hub's UUIDv7. Returns rows/s and the
     * PostgreSQL CPU per row, or null without pgbench.
     */
    static double[] messageRows(HubProcess hub, int instances, int seconds) throws Exception {
      String bin = find();
      if (bin == null) {
        return null;
      }
      String tenant;
      try (Connection c = DriverManager.getConnection(hub.jdbcUrl(), "postgres", ""); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT tenant_id FROM instances WHERE id = 'bench-0'")) {
        rs.next();
        tenant = rs.getString(1);
      }
      Path script = Files.createTempFile("pgbench-rows", ".sql");
      Files.writeString(script, """
          INSERT INTO messages (id, tenant_id, instance_id, chat_id, recipient, kind, payload, idempotency_key, key_derived,
                                payload_hash, order_at, dedupe_id)
          SELECT (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(r, 13, 20))::uuid,
                 '%s', 'bench-' || (g %% %d), c, '+' || c, 'text',
                 ('{"to":"+' || c || '","text":"Order ' || g || ' confirmed, thank you"}')::jsonb,
                 'floor:' || r, false, r, now(), r::uuid
            FROM (SELECT g, (4915100000000 + (random() * 1e8)::bigint)::text AS c, md5(random()::text || g) AS r
                    FROM generate_series(1, 200) g) s
          ON CONFLICT (dedupe_id) DO NOTHING;
          """.formatted(tenant, instances));
      try {
        // one statement in flight per core keeps every core busy inserting
        int clients = Runtime.getRuntime().availableProcessors();
        int runSeconds = Math.max(5, seconds / 2);
        Cpu cpu = Cpu.start(hub);
        String out = run(bin, hub, script, clients, runSeconds);
        Thread.sleep(500); // the backends' CPU reaches the postmaster's children total once it has reaped them
        Cpu.Used used = cpu.stop();
        Matcher m = TPS.matcher(out);
        if (!m.find()) {
          System.out.println("pgbench output not understood:\n" + out);
          return null;
        }
        double rows = 200 * Double.parseDouble(m.group(1));
        double micros = 1e6 * used.pg() / (rows * runSeconds);
        System.out.printf("message rows straight into PostgreSQL, 200 per statement, pgbench -c %d: %,.0f rows/s, "
            + "PostgreSQL %.0f µs per row%n", clients, rows, micros);
        return new double[] {rows, micros};
      } finally {
        Files.deleteIfExists(script);
      }
    }

    static String find() {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        if (Files.isExecutable(Path.of(dir, "pgbench"))) {
          return Path.of(dir, "pgbench").toString();
        }
      }
      try (var dirs = Files.list(Path.of("/usr/lib/postgresql"))) {
        return dirs.map(d -> d.resolve("bin/pgbench")).filter(Files::isExecutable).map(Path::toString).findFirst().orElse(null);
      } catch (IOException e) {
        return null;
      }
    }
  }
}
