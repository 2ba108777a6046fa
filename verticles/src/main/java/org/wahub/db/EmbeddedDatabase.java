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
    stopOrphanedPostmaster(pgDir);
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
   * After a {@code kill -9} of the hub the postmaster it started lives on and holds the data
   * directory, so the next start would fail. Stop it (only if the pid really is a postgres process)
   * and wait for it to go; its committed data is safe, PostgreSQL shuts down cleanly on SIGTERM.
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
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
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
