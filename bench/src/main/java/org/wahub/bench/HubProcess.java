package org.wahub.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code wa-hub.jar} in its own JVM, as an operator runs it: started with environment
 * variables, probed over HTTP, stopped with SIGTERM or killed with SIGKILL.
 */
public final class HubProcess {

  public static final String ADMIN_KEY = "wah_bench-admin-key-000000000000000000000000000000";

  private final Path jar;
  private final Path dataDir;
  private final int httpPort;
  private final int pgPort;
  private final Map<String, String> env;
  private final Path log;
  private final List<String> jvmArgs = new ArrayList<>();
  private java.sql.Connection sql;
  private volatile Process process;
  private long startedAtNanos;

  public HubProcess(Path jar, Path dataDir, Map<String, String> extraEnv) {
    this.jar = jar;
    this.dataDir = dataDir;
    this.httpPort = freePort();
    this.pgPort = freePort();
    this.env = new HashMap<>(extraEnv);
    this.log = dataDir.resolve("hub.log");
  }

  // Below Linux's ephemeral range (32768–60999): a port the kernel handed out as "free" from that range
  // is also where it puts the local end of outgoing connections, so between our pick and the hub's
  // bind a harness client or the previous hub's PostgreSQL connection could take it (CI saw "hub
  // exited with 1" from a BindException once). Ports here are only taken by someone binding them.
  private static final int PORT_FLOOR = 20_000;
  private static final int PORT_SPAN = 12_000;
  private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
      new java.util.concurrent.atomic.AtomicInteger(new java.util.Random().nextInt(PORT_SPAN));

  /** A port that nobody listens on now, outside the ephemeral range; distinct within this JVM. */
  public static int freePort() {
    for (int i = 0; i < PORT_SPAN; i++) {
      int port = PORT_FLOOR + Math.floorMod(NEXT_PORT.getAndIncrement(), PORT_SPAN);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException taken) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free port in " + PORT_FLOOR + ".." + (PORT_FLOOR + PORT_SPAN));
  }

  /** Starts the process and waits until /health/ready answers 200; returns the time that took. */
  public Duration start() throws Exception {
    return start(Duration.ofSeconds(120));
  }

  /** Like {@link #start()} with a limit on the wait for readiness. */
  public Duration start(Duration readyWithin) throws Exception {
    Files.createDirectories(dataDir);
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin());
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> e = pb.environment();
    e.put("HUB_HTTP_PORT", Integer.toString(httpPort));
    e.put("HUB_HTTP_HOST", "127.0.0.1");
    e.put("HUB_DATA_DIR", dataDir.toString());
    e.put("HUB_EMBEDDED_PG_PORT", Integer.toString(pgPort));
    e.put("HUB_ADMIN_KEY", ADMIN_KEY);
    e.put("HUB_ACCESS_LOG_LEVEL", "WARN");
    // the benches and the harness drive one tenant far past what a laptop user would: lift its
    // quotas (instances, queue ceiling, accepted per minute) so they measure the hub, not the quota
    e.put("HUB_TENANT_MAX_INSTANCES", "1000000");
    e.put("HUB_TENANT_MAX_QUEUE_SIZE", "100000000");
    e.put("HUB_TENANT_ACCEPTED_PER_MINUTE", "1000000000");
    env.forEach((k, v) -> {
      if (v == null) {
        e.remove(k);
      } else {
        e.put(k, v);
      }
    });
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    long t0 = System.nanoTime();
    process = pb.start();
    startedAtNanos = t0;
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    while (System.nanoTime() - t0 < readyWithin.toNanos()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("hub exited with " + process.exitValue() + "; see " + log
            + "; its last lines:\n" + logTail(20));
      }
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base() + "/health/ready"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return Duration.ofNanos(System.nanoTime() - t0);
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("hub not ready within " + readyWithin.toSeconds() + " s; see " + log);
  }

  /** The last lines of the hub's log, so a failure in CI says why without the run directory. */
  private String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Adds JVM options for the hub process (e.g. -Xmx), used from the next start on. */
  public HubProcess jvmArgs(String... args) {
    jvmArgs.addAll(List.of(args));
    return this;
  }

  /** Sets (or, with null, removes) an environment variable of the hub process from the next start on. */
  public HubProcess env(String key, String value) {
    env.put(key, value);
    return this;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Waits for the process to exit by itself (e.g. a simulated crash that halts the JVM); true if it did. */
  public boolean awaitExit(Duration within) throws InterruptedException {
    return process == null || process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The exit code of the last process, or null while it runs (or if none was started). */
  public Integer exitCode() {
    return process == null || process.isAlive() ? null : process.exitValue();
  }

  /**
   * SIGTERM and wait for the process to end by itself (no SIGKILL fallback within {@code within}):
   * the graceful shutdown an orchestrator asks for. Returns how long the shutdown took, or null if
   * the process was still running after {@code within} (then it is killed).
   */
  public Duration terminate(Duration within) throws Exception {
    if (process == null || !process.isAlive()) {
      return Duration.ZERO;
    }
    long t0 = System.nanoTime();
    process.destroy();
    if (process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      return Duration.ofNanos(System.nanoTime() - t0);
    }
    process.destroyForcibly().waitFor();
    return null;
  }

  /** Nanotime of the last start. */
  public long startedAtNanos() {
    return startedAtNanos;
  }

  /** The log lines (stdout and stderr of every start so far) containing {@code needle}. */
  public List<String> logLines(String needle) throws IOException {
    if (!Files.exists(log)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    try (var lines = Files.lines(log, java.nio.charset.StandardCharsets.UTF_8)) {
      lines.filter(l -> l.contains(needle)).forEach(out::add);
    } catch (java.io.UncheckedIOException e) {
      // a malformed byte in the log: read it again, leniently
      out.clear();
      for (String l : new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.ISO_8859_1).split("\n")) {
        if (l.contains(needle)) {
          out.add(l);
        }
      }
    }
    return out;
  }

  public Path dataDir() {
    return dataDir;
  }

  /**
   * One superuser session for the bench's own queries, opened on first use and kept: a bench that
   * polls every 50 ms must not open a session per poll. Each new session costs a backend fork and a
   * SCRAM exchange (4,096 PBKDF2 rounds in the bench's JVM), which on 2 cores took 0.3 ms of CPU per
   * send away from the drain it was measuring.
   */
  public synchronized java.sql.Connection sql() throws java.sql.SQLException {
    if (sql == null || sql.isClosed()) {
      sql = java.sql.DriverManager.getConnection(jdbcUrl());
    }
    return sql;
  }

  private void closeSql() {
    java.sql.Connection c;
    synchronized (this) {
      c = sql;
      sql = null;
    }
    if (c != null) {
      try {
        c.close();
      } catch (java.sql.SQLException ignored) {
        // the server may be gone already
      }
    }
  }

  /** SIGTERM and wait: the graceful path. */
  public void stop() throws Exception {
    closeSql();
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** SIGKILL: the crash path. The embedded PostgreSQL (a separate process) survives, like a real server. */
  public void kill() throws Exception {
    closeSql();
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor();
    }
  }

  /** Stops the embedded PostgreSQL a killed hub left behind (a graceful stop does that itself). */
  public void stopOrphanedPostgres() throws Exception {
    Optional<Long> pid = postmasterPid();
    if (pid.isPresent()) {
      ProcessHandle.of(pid.get()).ifPresent(h -> {
        h.destroy();
        h.onExit().join();
      });
    }
  }

  public Optional<Long> postmasterPid() throws IOException {
    Path pidFile = dataDir.resolve("pg").resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    String first = Files.readAllLines(pidFile).get(0).trim();
    return Optional.of(Long.parseLong(first));
  }

  public long pid() {
    return process.pid();
  }

  public String base() {
    return "http://127.0.0.1:" + httpPort;
  }

  public int httpPort() {
    return httpPort;
  }

  public int pgPort() {
    return pgPort;
  }

  /**
   * The hub's embedded server admits nobody without a password: the URL carries the superuser's,
   * from the hub's 0600 file (URL parameters win over the user/password arguments callers pass).
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + pgPort + "/wahub?user=postgres&password=" + superuserPassword();
  }

  /** The embedded server's superuser password (for pgbench: PGPASSWORD). */
  public String superuserPassword() {
    try {
      return Files.readString(dataDir.resolve("db-superuser-password")).strip();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("the hub has not written its database password yet", e);
    }
  }

  public Path log() {
    return log;
  }

  private static String javaBin() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
