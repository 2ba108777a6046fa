package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hub against a separately started PostgreSQL (through HUB_DB_URL) that goes away and comes
 * back: requests fail fast with 503 + Retry-After (never a hang, never a 202 without a commit),
 * readiness says so, and the hub recovers by itself.
 */
@ExtendWith(VertxExtension.class)
class DatabaseDownTest {

  @Test
  void databaseDownMeans503AndRecovery(Vertx vertx, @TempDir Path pgDir) throws Exception {
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(pgDir).setCleanDataDirectory(false)
        .setServerConfig("fsync", "off").start();
    int port = pg.getPort();
    String url = "postgresql://postgres@localhost:" + port + "/postgres";
    TestHub hub = TestHub.start(vertx, url, Map.of("HUB_DB_ACQUIRE_TIMEOUT_MS", "1500", "HUB_DB_CONNECT_TIMEOUT_MS", "1000"));
    EmbeddedPostgres restarted = null;
    try {
      Http http = hub.http;
      TestHub.Tenant t = hub.tenant("down-shop");
      hub.instance(t, "d1", null);
      assertThat(http.post("/instances/d1/messages", t.key(), new JsonObject().put("to", "+4915112345678").put("text", "before"))
          .status()).isEqualTo(202);

      pg.close();

      long start = System.nanoTime();
      Http.Res during = http.post("/instances/d1/messages", t.key(),
          new JsonObject().put("to", "+4915112345678").put("text", "during"), Map.of("Idempotency-Key", "during-1"));
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      System.out.println("503 while the database was down after " + tookMs + " ms");
      assertThat(during.status()).as(during.body()).isEqualTo(503);
      assertThat(during.header("Retry-After")).isEqualTo("5");
      assertThat(during.header("Content-Type")).startsWith("application/problem+json");
      assertThat(during.json().getString("code")).isEqualTo("unavailable");
      // a key that is not cached also needs the database: 503 as well, not 401
      Http.Res reads = http.get("/messages?instance=d1", t.key());
      assertThat(reads.status()).isEqualTo(503);
      Http.Res ready = http.get("/health/ready", null);
      assertThat(ready.status()).isEqualTo(503);
      assertThat(http.get("/health/live", null).status()).isEqualTo(200);

      restarted = EmbeddedPostgres.builder().setDataDirectory(pgDir).setCleanDataDirectory(false).setPort(port)
          .setServerConfig("fsync", "off").start();
      await().atMost(java.time.Duration.ofSeconds(30)).until(() -> http.get("/health/ready", null).status() == 200);
      Http.Res after = http.post("/instances/d1/messages", t.key(),
          new JsonObject().put("to", "+4915112345678").put("text", "during"), Map.of("Idempotency-Key", "during-1"));
      assertThat(after.status()).isEqualTo(202);
      assertThat(after.header("Idempotent-Replayed")).isNull(); // the 503 really stored nothing
      assertThat(hub.sql.count("SELECT count(*) FROM messages")).isEqualTo(2);
    } finally {
      hub.close();
      if (restarted != null) {
        restarted.close();
      }
    }
  }
}
