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
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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
  private Process process;

  public HubProcess(Path jar, Path dataDir, Map<String, String> extraEnv) {
    this.jar = jar;
    this.dataDir = dataDir;
    this.httpPort = freePort();
    this.pgPort = freePort();
    this.env = new HashMap<>(extraEnv);
    this.log = dataDir.resolve("hub.log");
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts the process and waits until /health/ready answers 200; returns the time that took. */
  public Duration start() throws Exception {
    Files.createDirectories(dataDir);
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-jar", jar.toString());
    Map<String, String> e = pb.environment();
    e.put("HUB_HTTP_PORT", Integer.toString(httpPort));
    e.put("HUB_HTTP_HOST", "127.0.0.1");
    e.put("HUB_DATA_DIR", dataDir.toString());
    e.put("HUB_EMBEDDED_PG_PORT", Integer.toString(pgPort));
    e.put("HUB_ADMIN_KEY", ADMIN_KEY);
    e.put("HUB_ACCESS_LOG_LEVEL", "WARN");
    e.putAll(env);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    long t0 = System.nanoTime();
    process = pb.start();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    while (System.nanoTime() - t0 < Duration.ofSeconds(120).toNanos()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("hub exited with " + process.exitValue() + "; see " + log);
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
    throw new IllegalStateException("hub not ready within 120 s; see " + log);
  }

  /** SIGTERM and wait: the graceful path. */
  public void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** SIGKILL: the crash path. The embedded PostgreSQL (a separate process) survives, like a real server. */
  public void kill() throws Exception {
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

  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + pgPort + "/wahub";
  }

  public Path log() {
    return log;
  }

  private static String javaBin() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
