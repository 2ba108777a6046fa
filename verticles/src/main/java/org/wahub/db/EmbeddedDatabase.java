package org.wahub.db;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Starts the laptop default: a PostgreSQL 17 server from the zonky binaries, with its data under
 * {@code <HUB_DATA_DIR>/pg} so that everything survives a restart. Blocking: call it from a worker
 * thread or from main, never from an event loop.
 *
 * <p>Nothing on the machine connects without a password: every pg_hba.conf line is scram-sha-256,
 * the Unix socket lives in the 0700 data directory, the server listens on localhost only. The hub
 * connects as {@value #HUB_ROLE}, a role without superuser rights that owns the database and its
 * schema (Flyway runs as it too). Both passwords are generated once and kept in
 * {@code <HUB_DATA_DIR>/}{@value #HUB_PASSWORD_FILE} and {@value #SUPERUSER_PASSWORD_FILE}, mode 0600.
 *
 * <p>zonky's initdb trusts everyone, and data directories made by earlier hub versions do too. Such
 * a directory (its pg_hba.conf is not ours), or one whose password files were deleted to rotate
 * them, is secured on start: the server comes up with TCP already
 * password-only and a single trust line for {@code postgres} on the socket, which only this OS user
 * can reach; the hub sets the passwords over that socket, creates its role, hands it the database
 * and every object in it, writes the final pg_hba.conf and reloads. A crash half-way repeats it.
 */
public final class EmbeddedDatabase {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  public static final String DATABASE = "wahub";
  public static final String HUB_ROLE = "wahub";
  public static final String SUPERUSER = "postgres";
  /** In HUB_DATA_DIR: the password of {@value #HUB_ROLE}. */
  public static final String HUB_PASSWORD_FILE = "db-password";
  /** In HUB_DATA_DIR: the password of the superuser {@value #SUPERUSER}. */
  public static final String SUPERUSER_PASSWORD_FILE = "db-superuser-password";
  /** Our additions to postgresql.conf, included from it and rewritten at every start. */
  static final String CONF_INCLUDE = "wahub.conf";

  static final String SECURED_HBA = """
      # Written by wa-hub at every start; edits are lost. A password (SCRAM) for every connection.
      # TYPE  DATABASE  USER  ADDRESS       METHOD
      local   all       all                 scram-sha-256
      host    all       all   127.0.0.1/32  scram-sha-256
      host    all       all   ::1/128       scram-sha-256
      """;

  /** Only while the passwords are being set: the socket's directory is 0700, TCP needs a password. */
  static final String SETUP_HBA = """
      # Written by wa-hub while it sets the database passwords; replaced within seconds.
      # TYPE  DATABASE  USER      ADDRESS       METHOD
      local   all       postgres                trust
      host    all       all       127.0.0.1/32  scram-sha-256
      host    all       all       ::1/128       scram-sha-256
      """;

  /**
   * The socket path (dir + "/.s.PGSQL.65535") must fit in sockaddr_un's 108 bytes. PostgreSQL
   * takes up to 107 bytes, but the JDK's domain sockets (our UnixSocketFactory) refuse more
   * than 106, so a 107-byte path starts a server the hub cannot reach: the smaller limit counts.
   */
  static final int MAX_SOCKET_PATH_BYTES = 106;
  /** A constant expression (tests use it in annotations): 15 bytes are "/.s.PGSQL.65535". */
  static final int MAX_SOCKET_DIR_LENGTH = MAX_SOCKET_PATH_BYTES - 15;

  static final String ROLE_EXISTS = "SELECT 1 FROM pg_roles WHERE rolname = ?";
  static final String DATABASE_EXISTS = "SELECT 1 FROM pg_database WHERE datname = ?";
  static final String ROLE_ATTRIBUTES = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS LOGIN";
  /**
   * Hands everything in the public schema to the hub's role: tables first (their identity
   * sequences follow them), then what is left. Objects of the bootstrap superuser cannot be
   * handed over with REASSIGN OWNED, hence one ALTER per object.
   */
  static final String TRANSFER_OWNERSHIP = """
      DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT format('ALTER %s %I.%I OWNER TO %I',
                   CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                  WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                   n.nspname, c.relname, '{role}') AS stmt
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                   AND c.relowner <> '{role}'::regrole
        LOOP EXECUTE r.stmt; END LOOP;
        FOR r IN SELECT format('ALTER SEQUENCE %I.%I OWNER TO %I', n.nspname, c.relname, '{role}') AS stmt
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> '{role}'::regrole
        LOOP EXECUTE r.stmt; END LOOP;
        FOR r IN SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, '{role}') AS stmt
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'public' AND p.proowner <> '{role}'::regrole
        LOOP EXECUTE r.stmt; END LOOP;
        FOR r IN SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, '{role}') AS stmt
                 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                 WHERE n.nspname = 'public' AND t.typowner <> '{role}'::regrole
                   AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND t.typrelid = 0))
        LOOP EXECUTE r.stmt; END LOOP;
      END $$""".replace("{role}", HUB_ROLE);

  private EmbeddedDatabase() {
  }

  public static Database start(Path dataDir, int port, boolean fsync) throws IOException {
    Path base = dataDir.toAbsolutePath().normalize();
    Path pgDir = base.resolve("pg");
    Files.createDirectories(pgDir);
    // a missing password file means new passwords (first start, or an operator rotating them):
    // the server does not know them yet, so they are set over the socket as for a new directory
    boolean newPasswords = !Files.exists(base.resolve(HUB_PASSWORD_FILE)) || !Files.exists(base.resolve(SUPERUSER_PASSWORD_FILE));
    String hubPassword = SecretFiles.readOrCreate(base.resolve(HUB_PASSWORD_FILE));
    String superPassword = SecretFiles.readOrCreate(base.resolve(SUPERUSER_PASSWORD_FILE));
    Path socketDir = socketDirectory(pgDir);
    // with new passwords an orphan does not answer, so it is stopped (if no live hub holds it)
    Database adopted = adoptOrphanedPostmaster(pgDir, hubPassword, superPassword);
    if (adopted != null) {
      return adopted;
    }
    boolean secured = !newPasswords && secured(pgDir);
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
        .setServerConfig("listen_addresses", "localhost")
        // runs after zonky's initdb (which trusts everyone) and before every start of the server
        .setDataDirectoryCustomizer(dir -> writeServerFiles(dir.toPath(), socketDir, secured ? SECURED_HBA : SETUP_HBA));
    if (secured) {
      // zonky checks readiness with a connection as postgres
      builder.setConnectConfig("password", superPassword);
    } else {
      builder.setConnectConfig("socketFactory", UnixSocketFactory.class.getName())
          .setConnectConfig("socketFactoryArg", socketDir.toString())
          .setConnectConfig("sslmode", "disable");
    }
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres pg = builder.start();
    try {
      if (!secured) {
        secure(pg, pgDir, superPassword, hubPassword);
      }
      verifyHubLogin(pg.getPort(), hubPassword);
    } catch (SQLException | IOException | RuntimeException e) {
      pg.close();
      throw new IOException("could not secure the embedded PostgreSQL in " + pgDir + ": " + e.getMessage(), e);
    }
    LOG.info("embedded PostgreSQL ready on port {} with data in {}", pg.getPort(), pgDir);
    return new Database(hubOptions(pg.getPort(), hubPassword),
        "embedded PostgreSQL on localhost:" + pg.getPort() + " (data " + pgDir + ")", pg);
  }

  static PgConnectOptions hubOptions(int port, String hubPassword) {
    return new PgConnectOptions().setHost("localhost").setPort(port).setDatabase(DATABASE)
        .setUser(HUB_ROLE).setPassword(hubPassword);
  }

  /** True when the data directory was already handed over to passwords by this version. */
  static boolean secured(Path pgDir) throws IOException {
    Path hba = pgDir.resolve("pg_hba.conf");
    return Files.exists(hba) && Files.readString(hba, StandardCharsets.UTF_8).equals(SECURED_HBA);
  }

  /**
   * The pg data directory itself (PostgreSQL keeps it 0700) unless its path is too long for a
   * socket address; then a fresh 0700 directory under java.io.tmpdir.
   */
  static Path socketDirectory(Path pgDir) throws IOException {
    if (pgDir.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_DIR_LENGTH) {
      return pgDir;
    }
    Path dir = Files.createTempDirectory("wahub-pg-", PosixFilePermissions.asFileAttribute(SecretFiles.OWNER_ONLY_DIR));
    LOG.warn("the data directory path is too long for a Unix socket; the embedded PostgreSQL's socket is in {}", dir);
    return dir;
  }

  /** pg_hba.conf, and our settings in an include file (never on a command line, where paths need quoting). */
  private static void writeServerFiles(Path pgDir, Path socketDir, String hba) {
    try {
      SecretFiles.ownerOnlyDirectory(pgDir);
      SecretFiles.ownerOnlyDirectory(socketDir);
      Files.writeString(pgDir.resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
      Files.writeString(pgDir.resolve(CONF_INCLUDE), ""
          + "# Written by wa-hub at every start; edits are lost.\n"
          + "unix_socket_directories = " + quote(socketDir.toString()) + "\n"
          + "unix_socket_permissions = 0700\n"
          + "password_encryption = 'scram-sha-256'\n", StandardCharsets.UTF_8);
      Path conf = pgDir.resolve("postgresql.conf");
      String include = "include_if_exists = '" + CONF_INCLUDE + "'";
      if (!Files.readString(conf, StandardCharsets.UTF_8).contains(include)) {
        Files.writeString(conf, "\n# wa-hub's settings (socket, passwords)\n" + include + "\n", StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.APPEND);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String quote(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  /**
   * Over the socket, as postgres (trusted only there, only now): passwords, the hub's role, the
   * database and its objects handed to that role; then the final pg_hba.conf. Idempotent.
   */
  private static void secure(EmbeddedPostgres pg, Path pgDir, String superPassword, String hubPassword)
      throws SQLException, IOException {
    boolean upgrade;
    try (Connection c = pg.getPostgresDatabase().getConnection()) {
      PGConnection pgc = c.unwrap(PGConnection.class);
      // the client computes the SCRAM verifier: no password in clear reaches the server or its logs
      pgc.alterUserPassword(SUPERUSER, superPassword.toCharArray(), "scram-sha-256");
      boolean roleExists = exists(c, ROLE_EXISTS, HUB_ROLE);
      try (Statement s = c.createStatement()) {
        s.execute((roleExists ? "ALTER ROLE " : "CREATE ROLE ") + HUB_ROLE + " " + ROLE_ATTRIBUTES);
      }
      pgc.alterUserPassword(HUB_ROLE, hubPassword.toCharArray(), "scram-sha-256");
      try (Statement s = c.createStatement()) {
        upgrade = exists(c, DATABASE_EXISTS, DATABASE);
        if (upgrade) {
          s.execute("ALTER DATABASE " + DATABASE + " OWNER TO " + HUB_ROLE);
        } else {
          s.execute("CREATE DATABASE " + DATABASE + " OWNER " + HUB_ROLE);
        }
      }
    }
    try (Connection c = pg.getDatabase(SUPERUSER, DATABASE).getConnection(); Statement s = c.createStatement()) {
      s.execute("ALTER SCHEMA public OWNER TO " + HUB_ROLE);
      s.execute(TRANSFER_OWNERSHIP);
    }
    Files.writeString(pgDir.resolve("pg_hba.conf"), SECURED_HBA, StandardCharsets.UTF_8);
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_reload_conf()");
    }
    if (upgrade) {
      LOG.warn("secured the embedded PostgreSQL in {} made by an earlier version: passwords required, "
          + "the hub's role {} owns the database", pgDir, HUB_ROLE);
    } else {
      LOG.info("initialised the embedded PostgreSQL in {} with passwords and the role {}", pgDir, HUB_ROLE);
    }
  }

  private static boolean exists(Connection c, String query, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(query)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void verifyHubLogin(int port, String hubPassword) throws SQLException {
    try (Connection c = connect(port, HUB_ROLE, hubPassword); Statement s = c.createStatement()) {
      s.execute("SELECT 1");
    }
  }

  private static Connection connect(int port, String user, String password) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty("connectTimeout", "3");
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + DATABASE, props);
  }

  /**
   * After a {@code kill -9} of the hub the postmaster it started lives on (it is a separate process)
   * and holds the data directory. Its committed data is intact, so instead of stopping it and
   * starting a new one (seconds: a shutdown checkpoint, then a start) the new hub adopts it: same
   * port, same settings, and it is stopped when this hub stops. zonky's lock file tells an orphan
   * (nobody holds the lock) from a server another live hub process is using (then refuse).
   */
  static Database adoptOrphanedPostmaster(Path pgDir, String hubPassword, String superPassword) throws IOException {
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
    // only a server this version secured, answering with the passwords on file, is adopted
    if (!alive || port <= 0 || !secured(pgDir) || !answers(port, hubPassword, superPassword)) {
      // a stale pid file (the server died too) or a server that does not answer: stop it, start afresh
      lock.release();
      lockChannel.close();
      stopOrphanedPostmaster(pgDir);
      return null;
    }
    LOG.warn("adopting the embedded PostgreSQL (pid {}, port {}) left running by an earlier hub process",
        handle.get().pid(), port);
    ProcessHandle postmaster = handle.get();
    PgConnectOptions options = hubOptions(port, hubPassword);
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

  /**
   * The orphan answers as the hub's role, and as postgres re-reads pg_hba.conf: a crash may have
   * come between writing the final file and the reload.
   */
  private static boolean answers(int port, String hubPassword, String superPassword) {
    try (Connection su = connect(port, SUPERUSER, superPassword); Statement s = su.createStatement()) {
      s.execute("SELECT pg_reload_conf()");
      verifyHubLogin(port, hubPassword);
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
