package org.wahub.bench;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Idle-scale benchmark (DESIGN §11: "10,000 instances in one 2-core JVM: idle CPU < 5 %, heap per
 * idle instance ≤ 20 KB"). One run, one fresh data directory, the real jar on its embedded
 * PostgreSQL:
 *
 * <ol>
 *   <li>baseline: a tenant and no instances; restart the hub and measure (below);</li>
 *   <li>create N simulator instances over the HTTP API (modest parallelism) and wait until all
 *       are READY;</li>
 *   <li>restart the hub on the same data directory and measure again.</li>
 * </ol>
 *
 * <p>Measured on each start: time to {@code /health/ready}, time until every instance is READY
 * again (its {@code state_since} stamped by this start), the event-loop stall seen from outside
 * ({@code GET /health/live} every 10 ms from process start until all are READY: max and p99
 * latency), then — with nothing talking to the hub — its CPU over the idle window
 * ({@code /proc/<pid>/stat} utime + stime) and its heap after a full GC ({@code jcmd GC.run},
 * {@code GC.heap_info}; live bytes from {@code GC.class_histogram}). Heap per idle instance is
 * (heap with N − heap with 0) / N.
 *
 * <p>Usage: {@code bench/idle.sh [--instances 10000] [--parallel 16] [--idle-seconds 60]
 *   [--settle-seconds 10] [--jvm "-Xmx1g ..."] [--hub-env KEY=VALUE,KEY=VALUE] [--histo 12]}; with
 *   {@code --data <dir of an earlier run> --restart-only true} it measures one start of that hub.
 */
public final class IdleBench {

  private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");
  private static final Pattern HISTO_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
  private static final Pattern HISTO_TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");

  /** What one start of the hub looked like. */
  record Start(int instances, long readyMs, long allReadyMs, long shutdownMs, Probe.Result probe, long blockedWarnings,
               double startCpu, double startPgCpu, double startOtherCpu, double startWall, double idleSeconds, double idleCpu, double idlePgCpu, long heapUsedKb, long heapCommittedKb,
               long liveBytes, int threads, long rssKb, Map<String, long[]> histogram) {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = Args.parse(args);
    int n = Integer.parseInt(opts.getOrDefault("instances", "10000"));
    int parallel = Integer.parseInt(opts.getOrDefault("parallel", "16"));
    int idleSeconds = Integer.parseInt(opts.getOrDefault("idle-seconds", "60"));
    int settleSeconds = Integer.parseInt(opts.getOrDefault("settle-seconds", "10"));
    int histoRows = Integer.parseInt(opts.getOrDefault("histo", "12"));
    Path jar = Path.of(opts.getOrDefault("jar", "verticles/target/wa-hub.jar"));
    Path dataDir = Path.of(opts.getOrDefault("data", "bench/out/idle-" + System.currentTimeMillis()));
    Map<String, String> env = new HashMap<>(Map.of("HUB_LOG_LEVEL", "WARN"));
    for (String kv : opts.getOrDefault("hub-env", "").split(",")) {
      if (kv.contains("=")) {
        env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }

    HubProcess hub = new HubProcess(jar, dataDir, env);
    String jvm = opts.getOrDefault("jvm", "").trim();
    if (!jvm.isEmpty()) {
      hub.jvmArgs(jvm.split("\\s+"));
    }
    System.out.printf("idle bench: %d instances, data in %s, hub JVM options [%s], %d cores here%n",
        n, dataDir, jvm, Runtime.getRuntime().availableProcessors());

    if (Boolean.parseBoolean(opts.getOrDefault("restart-only", "false"))) {
      // a data directory of an earlier run (--data): one measured start of the hub it holds
      Start again = measure(hub, n, -1, idleSeconds, settleSeconds);
      print(n + " instances", again);
      System.out.printf("probes over 50 ms: %s%n", again.probe().slowest());
      hub.stop();
      return;
    }

    // set-up: a tenant, then the baseline start with no instances
    System.out.printf("hub ready in %d ms (fresh data directory)%n", hub.start().toMillis());
    String key;
    try (LoadClient api = new LoadClient(hub.httpPort(), parallel)) {
      JsonObject tenant = call(api, HttpMethod.POST, "/tenants", HubProcess.ADMIN_KEY,
          new JsonObject().put("name", "idle-" + System.nanoTime()));
      key = tenant.getJsonObject("key").getString("token");
    }
    long shutdown = stop(hub);
    Start baseline = measure(hub, 0, shutdown, idleSeconds, settleSeconds);
    print("baseline", baseline);

    // N instances on the running (baseline) hub, then wait until all are READY
    long t0 = System.nanoTime();
    try (LoadClient api = new LoadClient(hub.httpPort(), parallel)) {
      create(api, key, n, parallel);
    }
    double createSeconds = (System.nanoTime() - t0) / 1e9;
    awaitReady(hub, n, 0, Duration.ofMinutes(15));
    System.out.printf("created %d instances in %.1f s (%,.0f/s, %d in parallel); all READY after %.1f s%n",
        n, createSeconds, n / createSeconds, parallel, (System.nanoTime() - t0) / 1e9);

    shutdown = stop(hub);
    Start loaded = measure(hub, n, shutdown, idleSeconds, settleSeconds);
    print(n + " instances", loaded);
    int answered = verifyStatus(hub, key, n, parallel);
    System.out.printf("after the measurements: %d of %d instances answer GET /instances/:id/status with state READY%n",
        answered, n);
    long shutdownLast = stop(hub);

    report(n, baseline, loaded, shutdownLast, idleSeconds, histoRows, opts, jvm);
  }

  // ------------------------------------------------------------------ one measured start

  private static Start measure(HubProcess hub, int n, long previousShutdownMs, int idleSeconds, int settleSeconds)
      throws Exception {
    long blockedBefore = hub.logLines("has been blocked for").size();
    double machine0 = machineBusySeconds();
    double self0 = CpuClock.selfSeconds();
    long wallStart = System.currentTimeMillis();
    Probe probe = new Probe(hub.base() + "/health/live");
    probe.start();
    long readyMs;
    try {
      readyMs = hub.start(Duration.ofMinutes(10)).toMillis();
    } catch (Exception e) {
      probe.stop();
      throw e;
    }
    long allReadyMs = n == 0 ? readyMs : awaitReady(hub, n, wallStart, Duration.ofMinutes(15));
    Thread.sleep(1000); // stalls right after the last transition count too
    Probe.Result probed = probe.stop();
    // CPU of this start (the hub JVM and its PostgreSQL) and of everything else on the machine
    double startWall = (System.currentTimeMillis() - wallStart) / 1000.0;
    double startCpu = CpuClock.seconds(hub.pid());
    double startPg = hub.postmasterPid().map(CpuClock::treeSeconds).orElse(0.0);
    double startOther = machineBusySeconds() - machine0 - startCpu - startPg - (CpuClock.selfSeconds() - self0);
    long blocked = hub.logLines("has been blocked for").size() - blockedBefore;

    Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds)); // let the JIT and the pool settle
    long pgPid = hub.postmasterPid().orElse(-1L);
    double cpu0 = CpuClock.seconds(hub.pid());
    double pg0 = pgPid > 0 ? CpuClock.treeSeconds(pgPid) : 0;
    long w0 = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
    double wall = (System.nanoTime() - w0) / 1e9;
    double cpu = CpuClock.seconds(hub.pid()) - cpu0;
    double pg = pgPid > 0 ? CpuClock.treeSeconds(pgPid) - pg0 : 0;

    Map<String, long[]> histo = new LinkedHashMap<>();
    long live = classHistogram(hub.pid(), histo); // a full GC first
    jcmd(hub.pid(), "GC.run");
    long[] heap = heapInfo(hub.pid());
    int threads = (int) procStatus(hub.pid(), "Threads");
    long rss = procStatus(hub.pid(), "VmRSS");
    return new Start(n, readyMs, allReadyMs, previousShutdownMs, probed, blocked, startCpu, startPg, startOther, startWall, wall, cpu, pg, heap[0], heap[1], live,
        threads, rss, histo);
  }

  /** SIGTERM and wait; returns how long the graceful stop took (ms), or -1 if it had to be killed. */
  private static long stop(HubProcess hub) throws Exception {
    Duration d = hub.terminate(Duration.ofMinutes(3));
    return d == null ? -1 : d.toMillis();
  }

  // ------------------------------------------------------------------ the API calls

  static JsonObject call(LoadClient api, HttpMethod method, String path, String key, JsonObject body) throws Exception {
    LoadClient.Answer a = api.exchange(method, path, key, Map.of(), body == null ? null : body.toBuffer())
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    if (a.status() >= 300) {
      throw new IllegalStateException(method + " " + path + " → " + a.status() + " " + a.body());
    }
    return a.body().length() == 0 ? new JsonObject() : a.body().toJsonObject();
  }

  static String instanceId(int i) {
    return String.format("idle-%05d", i);
  }

  /** Creates the instances with at most {@code parallel} requests in flight. */
  private static void create(LoadClient api, String key, int n, int parallel) throws Exception {
    forAll(api, n, parallel, i -> api.exchange(HttpMethod.POST, "/instances", key, Map.of(),
        new JsonObject().put("id", instanceId(i)).put("provider", new JsonObject().put("type", "simulator")).toBuffer())
        .compose(a -> a.status() == 201 ? Future.succeededFuture(true)
            : Future.failedFuture("POST /instances " + instanceId(i) + " → " + a.status() + " " + a.body())));
  }

  /** Asks every instance's own verticle for its status; returns how many answer READY. */
  private static int verifyStatus(HubProcess hub, String key, int n, int parallel) throws Exception {
    AtomicInteger ready = new AtomicInteger();
    try (LoadClient api = new LoadClient(hub.httpPort(), parallel)) {
      forAll(api, n, parallel, i -> api.exchange(HttpMethod.GET, "/instances/" + instanceId(i) + "/status", key,
          Map.of(), null).map(a -> {
            if (a.status() == 200 && "READY".equals(a.body().toJsonObject().getString("state"))) {
              ready.incrementAndGet();
            }
            return true;
          }));
    }
    return ready.get();
  }

  private static void forAll(LoadClient api, int n, int parallel, Function<Integer, Future<Boolean>> op)
      throws Exception {
    Semaphore inFlight = new Semaphore(parallel);
    List<CompletableFuture<Boolean>> calls = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      calls.add(op.apply(i).onComplete(ar -> inFlight.release()).toCompletionStage().toCompletableFuture());
    }
    for (CompletableFuture<Boolean> c : calls) {
      c.get(120, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits until {@code n} instances are READY with a {@code state_since} not before
   * {@code sinceMillis} (so a READY left in the table by the previous process does not count);
   * returns the milliseconds from {@code sinceMillis} (or from now when it is 0).
   */
  private static long awaitReady(HubProcess hub, int n, long sinceMillis, Duration within) throws Exception {
    long from = sinceMillis == 0 ? System.currentTimeMillis() : sinceMillis;
    long deadline = System.currentTimeMillis() + within.toMillis();
    try (Connection c = DriverManager.getConnection(hub.jdbcUrl(), "postgres", "");
         PreparedStatement s = c.prepareStatement(
             "SELECT count(*) FROM instances WHERE state = 'READY' AND state_since >= ?")) {
      s.setTimestamp(1, new Timestamp(sinceMillis));
      while (true) {
        long ready;
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          ready = rs.getLong(1);
        }
        if (ready >= n) {
          return System.currentTimeMillis() - from;
        }
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("only " + ready + " of " + n + " instances READY after " + within);
        }
        Thread.sleep(50);
      }
    }
  }

  // ------------------------------------------------------------------ the event-loop probe

  /**
   * GET /health/live back to back with a 10 ms pause, from before the process starts: the latency
   * of each answered probe is an upper bound of how long the event loop that served it was busy.
   * Probes before the port opens (connection refused) are not counted.
   */
  static final class Probe {
    record Result(int answered, double p50Ms, double p99Ms, double maxMs, int over100Ms, long firstAnswerMs,
                  List<String> slowest) {
    }

    private final URI uri;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    private final LoadClient.Latencies latencies = new LoadClient.Latencies();
    private final AtomicInteger over100 = new AtomicInteger();
    private final List<String> slow = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean running = true;
    private volatile long firstAnswerNanos;
    private Thread thread;
    private long startNanos;

    Probe(String url) {
      this.uri = URI.create(url);
    }

    void start() {
      startNanos = System.nanoTime();
      thread = new Thread(() -> {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build();
        while (running) {
          long t0 = System.nanoTime();
          try {
            HttpResponse<Void> r = client.send(req, HttpResponse.BodyHandlers.discarding());
            long took = System.nanoTime() - t0;
            if (r.statusCode() == 200) {
              if (firstAnswerNanos == 0) {
                firstAnswerNanos = System.nanoTime();
              } else {
                latencies.add(took); // the first one includes the TCP connect
                if (took > 100_000_000L) {
                  over100.incrementAndGet();
                }
                if (took > 50_000_000L) {
                  slow.add(String.format("%.0f ms at +%.2f s (%s)", took / 1e6, (t0 - startNanos) / 1e9,
                      java.time.LocalTime.now().minusNanos(took)));
                }
              }
            }
          } catch (IOException notListening) {
            // not yet listening
          } catch (InterruptedException e) {
            return;
          }
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "event-loop-probe");
      thread.setDaemon(true);
      thread.start();
    }

    Result stop() throws InterruptedException {
      running = false;
      thread.join(35_000);
      return new Result(latencies.count(), latencies.percentileMs(50), latencies.percentileMs(99),
          latencies.percentileMs(100), over100.get(),
          firstAnswerNanos == 0 ? -1 : (firstAnswerNanos - startNanos) / 1_000_000, List.copyOf(slow));
    }
  }

  // ------------------------------------------------------------------ jcmd and /proc

  private static String jcmd(long pid, String... command) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(Long.toString(pid));
    cmd.addAll(Arrays.asList(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /** Used and committed heap in KB (after the GC the caller ran). */
  private static long[] heapInfo(long pid) throws Exception {
    String out = jcmd(pid, "GC.heap_info");
    Matcher m = HEAP_USED.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no heap figures in: " + out);
    }
    return new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(1))};
  }

  /** Live bytes after a full GC (the histogram forces one); fills class → {instances, bytes}. */
  private static long classHistogram(long pid, Map<String, long[]> into) throws Exception {
    long total = 0;
    for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
      Matcher row = HISTO_ROW.matcher(line);
      if (row.find()) {
        into.put(row.group(3), new long[] {Long.parseLong(row.group(1)), Long.parseLong(row.group(2))});
        continue;
      }
      Matcher t = HISTO_TOTAL.matcher(line);
      if (t.find()) {
        total = Long.parseLong(t.group(2));
      }
    }
    return total;
  }

  /** Busy CPU seconds of the whole machine so far (/proc/stat: all but idle and iowait). */
  private static double machineBusySeconds() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        if (i != 4 && i != 5) { // idle, iowait
          busy += Long.parseLong(f[i]);
        }
      }
      return busy / 100.0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static long procStatus(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone
    }
    return -1;
  }

  // ------------------------------------------------------------------ output

  private static void print(String label, Start s) {
    System.out.printf("%s: ready %d ms, all READY %d ms, probe max %.1f ms (p99 %.1f), CPU until then hub %.1f s + "
            + "PostgreSQL %.1f s + others %.1f s, idle CPU %.2f s in %.0f s, heap %,d KB after GC, %,d live bytes, "
            + "%d threads%n", label, s.readyMs(), s.allReadyMs(), s.probe().maxMs(), s.probe().p99Ms(), s.startCpu(),
        s.startPgCpu(), s.startOtherCpu(), s.idleCpu(), s.idleSeconds(), s.heapUsedKb(), s.liveBytes(), s.threads());
  }

  private static void report(int n, Start base, Start load, long lastShutdownMs, int idleSeconds, int histoRows,
                             Map<String, String> opts, String jvm) {
    System.out.println();
    System.out.printf("== wa-hub idle scale: %,d simulator instances vs none, same data directory, same run ==%n", n);
    String f = "%-52s %16s %16s%n";
    System.out.printf(f, "", "0 instances", String.format("%,d instances", n));
    row(f, "start → /health/ready (ms)", base.readyMs(), load.readyMs());
    row(f, "start → every instance READY again (ms)", base.allReadyMs(), load.allReadyMs());
    row(f, "graceful stop before this start (ms)", base.shutdownMs(), load.shutdownMs());
    System.out.printf(f, "GET /health/live every 10 ms until all READY: probes",
        base.probe().answered(), load.probe().answered());
    System.out.printf(f, "  first answer after process start (ms)", base.probe().firstAnswerMs(), load.probe().firstAnswerMs());
    System.out.printf(f, "  p50 / p99 latency (ms)", String.format("%.1f / %.1f", base.probe().p50Ms(), base.probe().p99Ms()),
        String.format("%.1f / %.1f", load.probe().p50Ms(), load.probe().p99Ms()));
    System.out.printf(f, "  max latency = longest stall seen (ms)", String.format("%.1f", base.probe().maxMs()),
        String.format("%.1f", load.probe().maxMs()));
    System.out.printf(f, "  probes over 100 ms", base.probe().over100Ms(), load.probe().over100Ms());
    row(f, "Vert.x blocked-thread warnings in the log", base.blockedWarnings(), load.blockedWarnings());
    System.out.printf(f, "CPU s from start until all READY: hub JVM", String.format("%.1f in %.1f s",
        base.startCpu(), base.startWall()), String.format("%.1f in %.1f s", load.startCpu(), load.startWall()));
    System.out.printf(f, "  its PostgreSQL (CPU s)", String.format("%.1f", base.startPgCpu()),
        String.format("%.1f", load.startPgCpu()));
    System.out.printf(f, "  other processes on the machine meanwhile (CPU s)", String.format("%.1f", base.startOtherCpu()),
        String.format("%.1f", load.startOtherCpu()));
    System.out.printf(f, String.format("idle CPU of the hub JVM over %d s (CPU s)", idleSeconds),
        String.format("%.2f", base.idleCpu()), String.format("%.2f", load.idleCpu()));
    System.out.printf(f, "  share of one core", pct(base.idleCpu() / base.idleSeconds()),
        pct(load.idleCpu() / load.idleSeconds()));
    System.out.printf(f, "  share of the 2 cores", pct(base.idleCpu() / base.idleSeconds() / 2),
        pct(load.idleCpu() / load.idleSeconds() / 2));
    System.out.printf(f, "idle CPU of PostgreSQL in the same window (CPU s)", String.format("%.2f", base.idlePgCpu()),
        String.format("%.2f", load.idlePgCpu()));
    row(f, "heap used after a full GC (KB, GC.heap_info)", base.heapUsedKb(), load.heapUsedKb());
    row(f, "live objects after a full GC (bytes, class histogram)", base.liveBytes(), load.liveBytes());
    row(f, "heap committed (KB)", base.heapCommittedKb(), load.heapCommittedKb());
    row(f, "RSS (KB)", base.rssKb(), load.rssKb());
    row(f, "threads", base.threads(), load.threads());
    System.out.printf("graceful stop with %,d instances at the end: %d ms%n", n, lastShutdownMs);
    System.out.printf("probes over 50 ms (latency at time since process start): 0 instances %s; %,d instances %s%n",
        base.probe().slowest().isEmpty() ? "none" : base.probe().slowest(), n,
        load.probe().slowest().isEmpty() ? "none" : load.probe().slowest());
    if (n > 0) {
      double perHeap = (load.heapUsedKb() - base.heapUsedKb()) * 1024.0 / n;
      double perLive = (double) (load.liveBytes() - base.liveBytes()) / n;
      double idle2 = load.idleCpu() / load.idleSeconds() / 2;
      System.out.printf("heap per idle instance: %,.0f bytes (%.1f KB) by heap used, %,.0f bytes (%.1f KB) by live objects"
          + " — target ≤ 20 KB%n", perHeap, perHeap / 1024, perLive, perLive / 1024);
      System.out.printf("idle CPU with %,d instances: %s of the 2 cores (%s of one core) — target < 5 %%%n", n,
          pct(idle2), pct(load.idleCpu() / load.idleSeconds()));
      System.out.printf("longest event-loop stall seen while they deployed: %.1f ms — target ≤ 100 ms%n",
          load.probe().maxMs());
      if (histoRows > 0) {
        System.out.printf("%nlargest growth per instance by class (live objects, %,d instances minus none):%n", n);
        List<Map.Entry<String, long[]>> growth = new ArrayList<>();
        for (var e : load.histogram().entrySet()) {
          long[] b = base.histogram().getOrDefault(e.getKey(), new long[2]);
          growth.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]}));
        }
        growth.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        for (var e : growth.subList(0, Math.min(histoRows, growth.size()))) {
          System.out.printf("  %9.1f objects %9.0f bytes  %s%n", (double) e.getValue()[0] / n,
              (double) e.getValue()[1] / n, e.getKey());
        }
      }
    }
  }

  private static void row(String f, String label, long a, long b) {
    System.out.printf(f, label, String.format("%,d", a), String.format("%,d", b));
  }

  private static String pct(double share) {
    return String.format("%.2f %%", share * 100);
  }
}
