package org.wahub.security;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.wahub.db.EmbeddedDatabase;
import org.wahub.db.UnixSocketFactory;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DESIGN §12: the embedded PostgreSQL admits nobody without a password — not over TCP, not over
 * its socket — the hub works as a role without superuser rights, the secrets are 0600 and the
 * socket's directory 0700; a data directory from before (trust, everything owned by postgres) is
 * secured on its first start and keeps its messages.
 */
@ExtendWith(VertxExtension.class)
class EmbeddedDatabaseSecurityTest {

  /** Tables, sequences and functions in public that the hub's role does not own. */
  private static final String NOT_OWNED_BY_HUB = """
      SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
                 AND pg_get_userbyid(c.relowner) <> 'wahub')
           + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> 'wahub')""";
  private static final String OBJECTS_IN_PUBLIC = """
      SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S'))
           + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = 'public')""";

  @Test
  void nothingConnectsWithoutThePasswordAndTheHubIsNoSuperuser(Vertx vertx, @TempDir Path dataDir) throws Exception {
    Map<String, Object> embedded = Map.of("HUB_DATA_DIR", dataDir.toString(), "HUB_EMBEDDED_PG_FSYNC", "false");
    String tenantKey;
    String messageId;
    try (TestHub hub = TestHub.start(vertx, null, embedded)) {
      int port = hub.hub.database().connectOptions().getPort();
      Path pgDir = dataDir.toAbsolutePath().resolve("pg");
      String hubPassword = Files.readString(dataDir.resolve(EmbeddedDatabase.HUB_PASSWORD_FILE)).strip();
      String superPassword = Files.readString(dataDir.resolve(EmbeddedDatabase.SUPERUSER_PASSWORD_FILE)).strip();

      // the secrets are the owner's only; the socket is in the 0700 data directory
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(EmbeddedDatabase.HUB_PASSWORD_FILE))))
          .isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(EmbeddedDatabase.SUPERUSER_PASSWORD_FILE))))
          .isEqualTo("rw-------");
      assertThat(hubPassword).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo(superPassword);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pgDir))).isEqualTo("rwx------");
      assertThat(UnixSocketFactory.socketFile(pgDir, port)).exists();
      String hba = Files.readString(pgDir.resolve("pg_hba.conf"), StandardCharsets.UTF_8);
      assertThat(hba).doesNotContain("trust").contains("scram-sha-256");

      // without a password, or with a wrong one: refused, over TCP and over the socket
      for (String user : List.of("postgres", "wahub")) {
        assertRefused(() -> tcp(port, user, null));
        assertThat(sqlState(() -> tcp(port, user, "wrong-password"))).isEqualTo("28P01");
        assertRefused(() -> socket(pgDir, port, user, null));
        assertThat(sqlState(() -> socket(pgDir, port, user, "wrong-password"))).isEqualTo("28P01");
      }
      // the right passwords work, on both paths (so the refusals above are the server's doing)
      try (Connection c = socket(pgDir, port, "postgres", superPassword)) {
        assertThat(c.isValid(2)).isTrue();
      }
      try (Connection c = tcp(port, "wahub", hubPassword); Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getBoolean(1)).as("rolsuper").isFalse();
          assertThat(rs.getBoolean(2)).as("rolcreaterole").isFalse();
          assertThat(rs.getBoolean(3)).as("rolcreatedb").isFalse();
        }
        assertThatThrownBy(() -> s.execute("COPY (SELECT 1) TO PROGRAM 'true'"))
            .isInstanceOf(SQLException.class)
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
        // Flyway ran as the hub's role: it owns all it made
        assertThat(count(s, OBJECTS_IN_PUBLIC)).isGreaterThan(5);
        assertThat(count(s, NOT_OWNED_BY_HUB)).isZero();
      }

      TestHub.Tenant t = hub.tenant("secure-shop");
      tenantKey = t.key();
      hub.instance(t, "sec-1", null);
      Http.Res accepted = hub.http.post("/instances/sec-1/messages", tenantKey,
          new JsonObject().put("to", "+4915112345678").put("text", "kept"));
      assertThat(accepted.status()).isEqualTo(202);
      messageId = accepted.json().getString("id");
    }

    // the same data directory starts again, with the same passwords
    try (TestHub again = TestHub.start(vertx, null, embedded)) {
      Http.Res message = again.http.get("/messages/" + messageId, tenantKey);
      assertThat(message.status()).isEqualTo(200);
      assertThat(message.json().getString("status")).isEqualTo("queued");
      int port = again.hub.database().connectOptions().getPort();
      assertRefused(() -> tcp(port, "postgres", null));
    }

    // rotation: delete the password files, start again: new passwords, the old ones refused
    String oldHub = Files.readString(dataDir.resolve(EmbeddedDatabase.HUB_PASSWORD_FILE)).strip();
    String oldSuper = Files.readString(dataDir.resolve(EmbeddedDatabase.SUPERUSER_PASSWORD_FILE)).strip();
    Files.delete(dataDir.resolve(EmbeddedDatabase.HUB_PASSWORD_FILE));
    Files.delete(dataDir.resolve(EmbeddedDatabase.SUPERUSER_PASSWORD_FILE));
    try (TestHub rotated = TestHub.start(vertx, null, embedded)) {
      int port = rotated.hub.database().connectOptions().getPort();
      String newHub = Files.readString(dataDir.resolve(EmbeddedDatabase.HUB_PASSWORD_FILE)).strip();
      String newSuper = Files.readString(dataDir.resolve(EmbeddedDatabase.SUPERUSER_PASSWORD_FILE)).strip();
      assertThat(newHub).isNotEqualTo(oldHub);
      assertThat(newSuper).isNotEqualTo(oldSuper);
      assertThat(sqlState(() -> tcp(port, "wahub", oldHub))).isEqualTo("28P01");
      assertThat(sqlState(() -> tcp(port, "postgres", oldSuper))).isEqualTo("28P01");
      try (Connection c = tcp(port, "postgres", newSuper)) {
        assertThat(c.isValid(2)).isTrue();
      }
      assertThat(rotated.http.get("/messages/" + messageId, tenantKey).status()).isEqualTo(200);
      assertThat(Files.readString(dataDir.resolve("pg").resolve("pg_hba.conf"))).doesNotContain("trust");
    }
  }

  @Test
  void aDataDirectoryFromBeforeIsSecuredOnStartAndKeepsItsMessages(Vertx vertx, @TempDir Path dataDir) throws Exception {
    Path pgDir = dataDir.toAbsolutePath().resolve("pg");
    String tenantKey;
    String messageId;
    String adminKey = TestHub.ADMIN_KEY;
    // the old layout: zonky's initdb (trust for everyone), the hub connected as postgres, so
    // Flyway made every table, sequence and trigger function owned by postgres
    try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(pgDir).setCleanDataDirectory(false)
        .setServerConfig("listen_addresses", "localhost").start()) {
      try (Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + EmbeddedDatabase.DATABASE);
      }
      String url = "postgresql://postgres@localhost:" + old.getPort() + "/" + EmbeddedDatabase.DATABASE;
      try (TestHub before = TestHub.start(vertx, url, Map.of())) {
        TestHub.Tenant t = before.tenant("old-shop");
        tenantKey = t.key();
        before.instance(t, "old-1", null);
        Http.Res accepted = before.http.post("/instances/old-1/messages", tenantKey,
            new JsonObject().put("to", "+4915112345678").put("text", "from before"));
        assertThat(accepted.status()).isEqualTo(202);
        messageId = accepted.json().getString("id");
        assertThat(before.sql.count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'postgres'"))
            .isGreaterThan(3);
      }
      assertThat(Files.readString(pgDir.resolve("pg_hba.conf"))).contains("trust");
    }
    assertThat(dataDir.resolve(EmbeddedDatabase.HUB_PASSWORD_FILE)).doesNotExist();

    try (TestHub upgraded = TestHub.start(vertx, null, Map.of("HUB_DATA_DIR", dataDir.toString(),
        "HUB_EMBEDDED_PG_FSYNC", "false"))) {
      int port = upgraded.hub.database().connectOptions().getPort();
      assertThat(upgraded.hub.database().user()).isEqualTo("wahub");
      // what was accepted before is there, the old tenant key still works
      Http.Res message = upgraded.http.get("/messages/" + messageId, tenantKey);
      assertThat(message.status()).isEqualTo(200);
      assertThat(message.json().getString("status")).isEqualTo("queued");
      assertThat(upgraded.http.get("/tenants", adminKey).body()).contains("old-shop");
      // and the hub's role can write: identity sequences and trigger functions changed hands too
      Http.Res next = upgraded.http.post("/instances/old-1/messages", tenantKey,
          new JsonObject().put("to", "+4915112345678").put("text", "after"));
      assertThat(next.status()).isEqualTo(202);
      assertThat(upgraded.sql.count("SELECT count(*) FROM messages WHERE instance_id = 'old-1'")).isEqualTo(2);
      assertThat(upgraded.sql.count(OBJECTS_IN_PUBLIC)).isGreaterThan(5);
      assertThat(upgraded.sql.count(NOT_OWNED_BY_HUB)).isZero();
      assertThat(upgraded.sql.count("SELECT count(*) FROM pg_database WHERE datname = 'wahub' AND pg_get_userbyid(datdba) = 'wahub'"))
          .isEqualTo(1);

      assertThat(Files.readString(pgDir.resolve("pg_hba.conf"))).doesNotContain("trust");
      assertRefused(() -> tcp(port, "postgres", null));
      assertRefused(() -> socket(pgDir, port, "postgres", null));
      assertThat(upgraded.sql.count("SELECT count(*) FROM pg_roles WHERE rolname = current_user AND NOT rolsuper")).isEqualTo(1);
    }
  }

  private interface Connect {
    Connection open() throws SQLException;
  }

  /** The server asks for a password the client does not have: no session. */
  private static void assertRefused(Connect connect) {
    assertThatThrownBy(() -> connect.open().close()).isInstanceOf(SQLException.class)
        .hasMessageContaining("password");
  }

  private static String sqlState(Connect connect) {
    try (Connection c = connect.open()) {
      throw new AssertionError("connected with a wrong password");
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  private static Connection tcp(int port, String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/wahub", p);
  }

  private static Connection socket(Path socketDir, int port, String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("socketFactory", UnixSocketFactory.class.getName());
    p.setProperty("socketFactoryArg", socketDir.toString());
    p.setProperty("sslmode", "disable");
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/wahub", p);
  }

  private static long count(Statement s, String query) throws SQLException {
    try (ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
