package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The laptop default: the hub starts its own embedded PostgreSQL under HUB_DATA_DIR. Stop it, start
 * it again on the same directory: everything accepted is still there.
 */
@ExtendWith(VertxExtension.class)
class RestartTest {

  @Test
  void everythingSurvivesARestartOnTheSameDataDir(Vertx vertx, @TempDir Path dataDir) {
    Map<String, Object> embedded = Map.of("HUB_DATA_DIR", dataDir.toString(), "HUB_EMBEDDED_PG_FSYNC", "false");
    String tenantKey;
    String messageId;
    String keyId;
    String tenantId;
    try (TestHub first = TestHub.start(vertx, null, embedded)) {
      assertThat(first.hub.database().embedded()).isTrue();
      TestHub.Tenant t = first.tenant("restart-shop");
      tenantKey = t.key();
      tenantId = t.id();
      Http.Res extraKey = first.http.post("/tenants/" + t.id() + "/keys", TestHub.ADMIN_KEY, new JsonObject());
      keyId = extraKey.json().getString("id");
      first.instance(t, "persist-1", new JsonObject().put("limits", new JsonObject().put("perMinute", 3)));
      Http.Res accepted = first.http.post("/instances/persist-1/messages", tenantKey,
          new JsonObject().put("to", "+4915112345678").put("text", "survive"), Map.of("Idempotency-Key", "order:r:1:v1"));
      assertThat(accepted.status()).isEqualTo(202);
      messageId = accepted.json().getString("id");
    }

    long started = System.nanoTime();
    try (TestHub second = TestHub.start(vertx, null, embedded)) {
      long readyMs = (System.nanoTime() - started) / 1_000_000;
      System.out.println("restart on existing data dir ready in " + readyMs + " ms");
      assertThat(second.http.get("/health/ready", null).status()).isEqualTo(200);
      // tenant key, instance and message are all there
      Http.Res instance = second.http.get("/instances/persist-1", tenantKey);
      assertThat(instance.status()).isEqualTo(200);
      assertThat(instance.json().getJsonObject("limits").getInteger("perMinute")).isEqualTo(3);
      Http.Res message = second.http.get("/messages/" + messageId, tenantKey);
      assertThat(message.status()).isEqualTo(200);
      assertThat(message.json().getString("status")).isEqualTo("queued");
      assertThat(second.http.get("/tenants", TestHub.ADMIN_KEY).body()).contains("restart-shop");
      assertThat(second.http.get("/tenants/" + tenantId, TestHub.ADMIN_KEY).body()).contains(keyId);
      // a replay of the old key answers with the old id
      Http.Res replay = second.http.post("/instances/persist-1/messages", tenantKey,
          new JsonObject().put("to", "+4915112345678").put("text", "survive"), Map.of("Idempotency-Key", "order:r:1:v1"));
      assertThat(replay.status()).isEqualTo(202);
      assertThat(replay.json().getString("id")).isEqualTo(messageId);
      assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    }
  }
}
