package org.wahub.security;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.wahub.Main;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * After a {@code kill -9} of the hub its postmaster lives on; the next hub adopts it — with the
 * passwords on file, since the secured server admits nobody without one. The first hub, a real
 * {@code java Main} without HUB_ADMIN_KEY, also shows where a generated admin key goes: stderr in
 * plain text and the 0600 file, never the (JSON, stdout) log.
 */
@ExtendWith(VertxExtension.class)
class OrphanAdoptionTest {

  @Test
  void aHubKilledWithSigkillLeavesAServerTheNextHubAdopts(Vertx vertx, @TempDir Path dataDir) throws Exception {
    int port = TestHub.freePort();
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName())
        .redirectOutput(dataDir.resolve("first.out").toFile()).redirectError(dataDir.resolve("first.err").toFile());
    pb.environment().putAll(Map.of("HUB_DATA_DIR", dataDir.toString(), "HUB_HTTP_PORT", String.valueOf(port),
        "HUB_HTTP_HOST", "127.0.0.1", "HUB_EMBEDDED_PG_FSYNC", "false",
        "HUB_LOG_FORMAT", "json", "HUB_API_VERTICLES", "1", "HUB_INTAKE_VERTICLES", "1"));
    pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.equals("HUB_DB_URL") || k.equals("HUB_ADMIN_KEY"));
    Process first = pb.start();
    Http http = new Http(port);
    String tenantId;
    try {
      await().atMost(90, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS).ignoreExceptions()
          .until(() -> http.get("/health/ready", null).status() == 200);
      String generated = Files.readString(dataDir.resolve("admin-key")).strip();
      assertThat(generated).startsWith("wah_").hasSize(47);
      await().atMost(10, TimeUnit.SECONDS).until(() -> Files.readString(dataDir.resolve("first.err")).contains(generated));
      assertThat(Files.readString(dataDir.resolve("first.out"))).contains("wa-hub ready").doesNotContain(generated);
      Http.Res created = http.post("/tenants", generated, new JsonObject().put("name", "orphan-shop"));
      assertThat(created.status()).isEqualTo(201);
      tenantId = created.json().getString("id");
    } finally {
      first.destroyForcibly(); // SIGKILL: no shutdown hook, the postmaster is left behind
      first.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(dataDir.resolve("pg").resolve("postmaster.pid")).exists();
    long orphanPid = Long.parseLong(Files.readAllLines(dataDir.resolve("pg").resolve("postmaster.pid")).get(0).trim());
    assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).contains(true);

    List<String> lines;
    try (CapturedLogs logs = new CapturedLogs();
         TestHub second = TestHub.start(vertx, null, Map.of("HUB_DATA_DIR", dataDir.toString(), "HUB_EMBEDDED_PG_FSYNC", "false"))) {
      lines = logs.lines();
      assertThat(second.hub.database().description()).contains("adopted");
      assertThat(second.hub.database().user()).isEqualTo("wahub");
      assertThat(second.http.get("/tenants/" + tenantId, TestHub.ADMIN_KEY).status()).isEqualTo(200);
    }
    assertThat(lines).anyMatch(l -> l.contains("adopting the embedded PostgreSQL"));
    // stopping the hub stopped the adopted server
    await().atMost(60, TimeUnit.SECONDS).until(() -> ProcessHandle.of(orphanPid).map(h -> !h.isAlive()).orElse(true));
  }
}
