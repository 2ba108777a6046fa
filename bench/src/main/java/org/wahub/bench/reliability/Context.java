package org.wahub.bench.reliability;

import io.vertx.core.json.JsonObject;
import org.wahub.bench.HubProcess;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** What every scenario shares: settings, the run's directory, its log, its random source, and hub helpers. */
final class Context {

  final Settings settings;
  final Path runDir;
  final Log log;
  final Random random;
  private final List<HubProcess> hubs = new java.util.concurrent.CopyOnWriteArrayList<>();
  private static final java.util.Set<Context> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    // if the harness JVM is stopped (Ctrl-C, a test-runner timeout) the hubs it started must not live on
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Context::cleanup), "reliability-cleanup"));
  }

  Context(Settings settings, Path runDir, Log log) {
    this.settings = settings;
    this.runDir = runDir;
    this.log = log;
    this.random = new Random(settings.seed);
    LIVE.add(this);
  }

  /** A hub process for one scenario: its own data dir, accelerated time, INFO logs (read for evidence). */
  /** A hub for the scenario, started; its time to ready is recorded and logged. */
  HubProcess startHub(String name, Map<String, String> extraEnv, ScenarioResult r, Log log) throws Exception {
    HubProcess hub = hub(name, extraEnv);
    long ready = hub.start().toMillis();
    r.startReadyMs.add(ready);
    log.line("hub up in %d ms on port %d (data %s)", ready, hub.httpPort(), hub.dataDir());
    return hub;
  }

  HubProcess hub(String name, Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>();
    env.put("HUB_TIME_SCALE", Double.toString(settings.timeScale));
    env.put("HUB_LOG_LEVEL", "INFO");
    env.put("HUB_SEND_TIMEOUT_MS", "5000");
    // the crash scenarios halt the JVM through the simulator: an operator-only setting
    env.put("HUB_SIMULATOR_ALLOW_HALT", "true");
    // the breaker's reset is not scaled: keep a tripped breaker from stalling a short run for a minute
    env.put("CIRCUIT_BREAKER_RESET_MS", "1000");
    env.putAll(extraEnv);
    HubProcess hub = new HubProcess(settings.jar, runDir.resolve(name), env).jvmArgs("-Xmx" + settings.hubXmx);
    hubs.add(hub);
    return hub;
  }

  /** Creates the instances and waits until each says READY. */
  void createInstances(Api api, String key, List<InstanceSpec> specs) throws Exception {
    for (InstanceSpec s : specs) {
      api.ok("POST", "/instances", key, s.toJson());
    }
    for (InstanceSpec s : specs) {
      awaitState(api, key, s.id(), s.startState(), Duration.ofSeconds(30));
    }
  }

  static void awaitState(Api api, String key, String instance, String state, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      Api.Res r = api.call("GET", "/instances/" + instance + "/status", key, null);
      if (r.status() == 200) {
        last = r.json().getString("state");
        if (state.equals(last)) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("instance " + instance + " not " + state + " within " + within + " (last " + last + ")");
  }

  /** Stops whatever is still running of every hub this context started (and an orphaned embedded PostgreSQL). */
  void cleanup() {
    for (HubProcess h : hubs) {
      stopQuietly(h);
    }
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
    LIVE.remove(this);
  }

  private final List<AutoCloseable> closeables = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Closed by {@link #cleanup()} (after the hubs), also when the harness JVM is stopped. */
  <T extends AutoCloseable> T closeLater(T c) {
    closeables.add(c);
    return c;
  }

  static void stopQuietly(HubProcess h) {
    try {
      if (h.isAlive()) {
        h.stop();
      }
    } catch (Exception ignored) {
      // try the postmaster anyway
    }
    try {
      Optional<Long> pid = h.postmasterPid();
      if (pid.isPresent()) {
        Optional<ProcessHandle> ph = ProcessHandle.of(pid.get());
        if (ph.isPresent() && ph.get().info().command().orElse("").contains("postgres")) {
          ph.get().destroy();
          try {
            ph.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
          } catch (Exception e) {
            ph.get().destroyForcibly();
          }
        }
      }
    } catch (Exception ignored) {
      // nothing left to stop
    }
  }

  /**
   * While clients post: {@code kills} times, wait {@code cycleMs}, SIGKILL the hub and start it
   * again (timed into the result); then wait once more. The restart instants, for the window check.
   */
  static List<Long> killCycles(HubProcess hub, int kills, long cycleMs, ScenarioResult r, Log log,
                               java.util.function.Supplier<String> sofar) throws Exception {
    List<Long> restarts = new ArrayList<>();
    for (int cycle = 1; cycle <= kills; cycle++) {
      Thread.sleep(cycleMs);
      String before = sofar.get();
      hub.kill();
      long t = hub.start().toMillis();
      r.restartReadyMs.add(t);
      r.restartKinds.add("SIGKILL");
      restarts.add(nowMicros());
      log.line("SIGKILL %d/%d (before it: %s) → ready again in %d ms", cycle, kills, before, t);
    }
    Thread.sleep(cycleMs);
    return restarts;
  }

  static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
  }

  /** One value from the hub's database (short-lived JDBC connection: never hold one across a restart). */
  static long count(String jdbcUrl, String sql, Object... params) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
         PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static List<String> strings(String jdbcUrl, String sql, Object... params) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
         PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          StringBuilder b = new StringBuilder();
          for (int i = 1; i <= n; i++) {
            if (i > 1) {
              b.append(' ');
            }
            b.append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getObject(i));
          }
          out.add(b.toString());
        }
      }
      return out;
    }
  }

  static JsonObject simulateCrash() {
    return new JsonObject().put("event", "crash_after_send").put("halt", true);
  }
}
