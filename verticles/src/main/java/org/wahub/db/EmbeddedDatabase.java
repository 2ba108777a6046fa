package org.wahub.db;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts the laptop default: a PostgreSQL 17 server from the zonky binaries, with its data under
 * {@code <HUB_DATA_DIR>/pg} so that everything survives a restart. Blocking: call it from a worker
 * thread or from main, never from an event loop.
 */
public final class EmbeddedDatabase {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  public static final String DATABASE = "wahub";

  private EmbeddedDatabase() {
  }

  public static Database start(Path dataDir, int port, boolean fsync) throws IOException {
    Path pgDir = dataDir.resolve("pg").toAbsolutePath().normalize();
    Files.createDirectories(pgDir);
    Database adopted = adoptOrphanedPostmaster(pgDir);
    if (adopted != null) {
      return adopted;
    }
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(pgDir)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        // zonky passes -F (fsync off) to the server; the hub promises durable 202s, so turn it back on
        .setServerConfig("fsync", fsync ? "on" : "off")
        .setServerConfig("synchronous_commit", fsync ? "on" : "off")
        .setServerConfig("full_page_writes", fsync ? "on" : "off")
        .setServerConfig("max_connections", "200")
        .setServerConfig("listen_addresses", "localhost");
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres pg = builder.start();
    try {
      ensureDatabase(pg);
    } catch (SQLException e) {
      pg.close();
      throw new IOException("could not create database " + DATABASE, e);
    }
    PgConnectOptions options = new PgConnectOptions()
        .setHost("localhost")
        .setPort(pg.getPort())
        .setDatabase(DATABASE)
        .setUser("postgres")
        .setPassword("");
    LOG.info("embedded PostgreSQL ready on port {} with data in {}", pg.getPort(), pgDir);
    return new Database(options, "embedded PostgreSQL on localhost:" + pg.getPort() + " (data " + pgDir + ")", pg);
  }

  private static void ensureDatabase(EmbeddedPostgres pg) throws SQLException {
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("CREATE DATABASE " + DATABASE);
    }
  }

  /**
   * After a {@code kill -9} of the hub the postmaster it started lives on (it is a separate process)
   * and holds the data directory. Its committed data is intact, so instead of stopping it and
   * starting a new one (seconds: a shutdown checkpoint, then a start) the new hub adopts it: same
   * port, same settings, and it is stopped when this hub stops. zonky's lock file tells an orphan
   * (nobody holds the lock) from a server another live hub process is using (then refuse).
   */
  static Database adoptOrphanedPostmaster(Path pgDir) throws IOException {
    Path pidFile = pgDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return null;
    }
    java.nio.channels.FileChannel lockChannel = java.nio.channels.FileChannel.open(pgDir.resolve("epg-lock"),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
    java.nio.channels.FileLock lock = lockChannel.tryLock();
    if (lock == null) {
      lockChannel.close();
      throw new IOException("the data directory " + pgDir + " is in use by another running wa-hub process");
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    Optional<ProcessHandle> handle = lines.isEmpty() ? Optional.empty() : parsePid(lines.get(0)).flatMap(ProcessHandle::of);
    boolean alive = handle.isPresent() && handle.get().isAlive()
        && handle.get().info().command().orElse("").contains("postgres");
    int port = lines.size() > 3 ? parsePort(lines.get(3)) : -1;
    if (!alive || port <= 0 || !answers(port)) {
      // a stale pid file (the server died too) or a server that does not answer: stop it, start afresh
      lock.release();
      lockChannel.close();
      stopOrphanedPostmaster(pgDir);
      return null;
    }
    LOG.warn("adopting the embedded PostgreSQL (pid {}, port {}) left running by an earlier hub process",
        handle.get().pid(), port);
    ProcessHandle postmaster = handle.get();
    PgConnectOptions options = new PgConnectOptions().setHost("localhost").setPort(port).setDatabase(DATABASE)
        .setUser("postgres").setPassword("");
    AutoCloseable stop = () -> {
      try {
        postmaster.destroy(); // SIGTERM: PostgreSQL's smart shutdown; the hub's connections are closed by now
        postmaster.onExit().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("adopted PostgreSQL (pid {}) did not stop in 60 s", postmaster.pid());
      } finally {
        lock.release();
        lockChannel.close();
      }
    };
    return new Database(options, "embedded PostgreSQL on localhost:" + port + " (adopted, data " + pgDir + ")", stop);
  }

  private static Optional<Long> parsePid(String line) {
    try {
      return Optional.of(Long.parseLong(line.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static int parsePort(String line) {
    try {
      return Integer.parseInt(line.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean answers(int port) {
    try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + DATABASE
        + "?connectTimeout=3", "postgres", ""); Statement s = c.createStatement()) {
      s.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Stops a postmaster that holds the data directory but cannot be adopted (only if the pid really
   * is a postgres process) and waits for it to go; PostgreSQL shuts down cleanly on SIGTERM.
   */
  static void stopOrphanedPostmaster(Path pgDir) throws IOException {
    Path pidFile = pgDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return;
    }
    Optional<Long> parsed = parsePid(lines.get(0));
    if (parsed.isEmpty()) {
      return;
    }
    long pid = parsed.get();
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return;
    }
    String command = handle.get().info().command().orElse("");
    if (!command.contains("postgres")) {
      return;
    }
    LOG.warn("stopping orphaned embedded PostgreSQL (pid {}) left by an earlier hub process", pid);
    handle.get().destroy();
    try {
      handle.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("orphaned PostgreSQL (pid {}) did not stop in 30 s, sending SIGKILL-equivalent", pid);
      handle.get().destroyForcibly();
    }
  }
}
