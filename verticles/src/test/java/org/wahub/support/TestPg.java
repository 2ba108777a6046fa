package org.wahub.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL 17 server per test JVM (zonky binaries, its own process), started on first
 * use. Each test class gets a fresh database on it, so classes never see each other's rows. The
 * hub reaches it through HUB_DB_URL, exactly as it reaches an external server in production.
 */
public final class TestPg {

  private static EmbeddedPostgres server;
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private TestPg() {
  }

  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        Path dir = Path.of(System.getProperty("wahub.test.dataDir", "target/test-pg"))
            .resolve("server-" + ProcessHandle.current().pid());
        Files.createDirectories(dir);
        server = EmbeddedPostgres.builder()
            .setDataDirectory(dir)
            .setCleanDataDirectory(true)
            .setServerConfig("max_connections", "300")
            .setServerConfig("fsync", "off")
            .setServerConfig("synchronous_commit", "off")
            .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            server.close();
          } catch (IOException ignored) {
            // the JVM is going away
          }
        }));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /** Creates a fresh, empty database and returns its postgresql:// URL. */
  public static String newDatabaseUrl() {
    EmbeddedPostgres pg = server();
    String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException("could not create test database", e);
    }
    return "postgresql://postgres@localhost:" + pg.getPort() + "/" + name;
  }


}
