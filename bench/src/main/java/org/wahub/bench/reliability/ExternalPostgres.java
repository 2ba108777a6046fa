package org.wahub.bench.reliability;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The "external" PostgreSQL of scenario 3: a real server (zonky binaries) started by the harness,
 * on a fixed data directory and port, so it can be stopped — cleanly ({@code pg_ctl stop -m fast})
 * or abruptly (SIGQUIT: immediate shutdown, crash recovery on the next start) — and started again
 * with everything the hub committed still there.
 */
final class ExternalPostgres implements AutoCloseable {

  private final Path dir;
  private final int port;
  private EmbeddedPostgres pg;

  ExternalPostgres(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  void start() throws IOException {
    Files.createDirectories(dir);
    pg = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(false)
        .setPort(port)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("max_connections", "100")
        .setServerConfig("listen_addresses", "localhost")
        .start();
  }

  boolean running() {
    return pg != null;
  }

  /** pg_ctl stop -m fast: sessions are terminated, the server shuts down cleanly. */
  void stopFast() throws IOException {
    if (pg != null) {
      pg.close();
      pg = null;
    }
  }

  /** SIGQUIT to the postmaster: immediate shutdown, no checkpoint, crash recovery on the next start. */
  void stopImmediate() throws Exception {
    if (pg == null) {
      return;
    }
    Optional<Long> pid = postmasterPid();
    if (pid.isPresent()) {
      new ProcessBuilder("kill", "-QUIT", Long.toString(pid.get())).inheritIO().start().waitFor();
      Optional<ProcessHandle> h = ProcessHandle.of(pid.get());
      if (h.isPresent()) {
        try {
          h.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          h.get().destroyForcibly();
        }
      }
    }
    pg.close(); // pg_ctl finds nothing to stop; releases zonky's lock on the directory
    pg = null;
  }

  Optional<Long> postmasterPid() throws IOException {
    Path pidFile = dir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(pidFile);
    return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
  }

  String url() {
    return "postgresql://postgres@localhost:" + port + "/postgres";
  }

  String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + port + "/postgres";
  }

  @Override
  public void close() {
    try {
      stopFast();
    } catch (IOException ignored) {
      // best effort
    }
    try {
      Optional<Long> pid = postmasterPid();
      if (pid.isPresent()) {
        ProcessHandle.of(pid.get()).filter(h -> h.info().command().orElse("").contains("postgres")).ifPresent(ProcessHandle::destroy);
      }
    } catch (IOException ignored) {
      // nothing left
    }
  }
}
