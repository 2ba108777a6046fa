package org.wahub.db;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded PostgreSQL starts whatever the length of the data directory's path: the socket
 * goes to a short 0700 directory when the data directory's path is too long for a socket address.
 * CI hit exactly the boundary once (a pg directory of 92 bytes: a 107-byte socket path, fine for
 * PostgreSQL, refused by the JDK), so the lengths around the limit are each started for real.
 */
class SocketPathLengthTest {

  @ParameterizedTest
  @ValueSource(ints = {EmbeddedDatabase.MAX_SOCKET_DIR_LENGTH - 1, EmbeddedDatabase.MAX_SOCKET_DIR_LENGTH,
      EmbeddedDatabase.MAX_SOCKET_DIR_LENGTH + 1, EmbeddedDatabase.MAX_SOCKET_DIR_LENGTH + 2})
  void startsAndTheHubLogsInAtEveryLengthAroundTheLimit(int pgDirBytes, @TempDir Path tmp) throws Exception {
    Path dataDir = padded(tmp.toAbsolutePath(), pgDirBytes - "/pg".length());
    Path pgDir = dataDir.resolve("pg");
    assertThat(pgDir.toString().getBytes(StandardCharsets.UTF_8)).hasSize(pgDirBytes);

    Path socketDir = EmbeddedDatabase.socketDirectory(pgDir);
    if (pgDirBytes <= EmbeddedDatabase.MAX_SOCKET_DIR_LENGTH) {
      assertThat(socketDir).isEqualTo(pgDir);
    } else {
      assertThat(socketDir).isNotEqualTo(pgDir);
    }
    assertThat(UnixSocketFactory.socketFile(socketDir, 65_535).toString().getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(EmbeddedDatabase.MAX_SOCKET_PATH_BYTES);

    try (Database db = EmbeddedDatabase.start(dataDir, 0, false)) {
      Properties p = new Properties();
      p.setProperty("user", db.user());
      p.setProperty("password", db.password());
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p)) {
        assertThat(c.isValid(2)).isTrue();
      }
    }
  }

  /** A directory under {@code base} whose absolute path is exactly {@code bytes} long. */
  private static Path padded(Path base, int bytes) throws Exception {
    int remaining = bytes - base.toString().length();
    assertThat(remaining).as("the temp dir is short enough to pad").isGreaterThanOrEqualTo(2);
    Path dir = base;
    while (remaining > 0) {
      // each segment costs its name and a '/'; names stay far below NAME_MAX, and never leave 1 byte
      int name = remaining <= 61 ? remaining - 1 : remaining - 61 == 1 ? 59 : 60;
      dir = dir.resolve("d".repeat(name));
      remaining -= name + 1;
    }
    Files.createDirectories(dir);
    return dir;
  }
}
