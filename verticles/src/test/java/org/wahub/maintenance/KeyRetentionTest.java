package org.wahub.maintenance;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DESIGN §4: explicit keys are remembered 7 days after their message finished, derived keys 24 h;
 * then the key names a new message. Unfinished messages keep their keys however old.
 */
@ExtendWith(VertxExtension.class)
class KeyRetentionTest {

  @Test
  void keysAreForgottenOnlyAfterTheirMessageFinishedAndTheirRetentionRanOut(Vertx vertx) {
    try (TestHub hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.<String, Object>of("HUB_MAINTENANCE_INTERVAL_MS", 100))) {
      TestHub.Tenant t = hub.tenant("retention");
      hub.instance(t, "keep-1", null);
      String expiredExplicit = post(hub, t, "order:1", "+4915112345671");
      String recentExplicit = post(hub, t, "order:2", "+4915112345672");
      String expiredDerived = post(hub, t, null, "+4915112345673");
      String oldButQueued = post(hub, t, "order:4", "+4915112345674");
      String explicitPastDerivedTtl = post(hub, t, "order:5", "+4915112345675");
      finishAgo(hub, expiredExplicit, "8 days");
      finishAgo(hub, recentExplicit, "6 days");
      finishAgo(hub, expiredDerived, "25 hours");
      finishAgo(hub, explicitPastDerivedTtl, "25 hours");
      hub.sql.update("UPDATE messages SET created_at = now() - interval '30 days' WHERE id = ?::uuid", oldButQueued);

      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(keyOf(hub, expiredExplicit)).isNull();
        assertThat(keyOf(hub, expiredDerived)).isNull();
      });
      assertThat(keyOf(hub, recentExplicit)).isEqualTo("order:2");
      assertThat(keyOf(hub, oldButQueued)).isEqualTo("order:4");
      assertThat(keyOf(hub, explicitPastDerivedTtl)).isEqualTo("order:5");
      // the forgotten rows keep their history, only the key went
      assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE id = ?::uuid AND status = 'sent'", expiredExplicit))
          .isEqualTo(1);

      // a forgotten key names a new message; a remembered one still answers with the old message
      Http.Res again = send(hub, t, "order:1", "+4915112345671");
      assertThat(again.status()).isEqualTo(202);
      assertThat(again.json().getString("id")).isNotEqualTo(expiredExplicit);
      assertThat(again.header("Idempotent-Replayed")).isNull();
      Http.Res derivedAgain = send(hub, t, null, "+4915112345673");
      assertThat(derivedAgain.status()).isEqualTo(202);
      assertThat(derivedAgain.json().getString("id")).isNotEqualTo(expiredDerived);
      Http.Res remembered = send(hub, t, "order:2", "+4915112345672");
      assertThat(remembered.status()).isEqualTo(200);
      assertThat(remembered.json().getString("id")).isEqualTo(recentExplicit);
      Http.Res stillQueued = send(hub, t, "order:4", "+4915112345674");
      assertThat(stillQueued.status()).isEqualTo(202);
      assertThat(stillQueued.json().getString("id")).isEqualTo(oldButQueued);
      assertThat(stillQueued.header("Idempotent-Replayed")).isEqualTo("true");
    }
  }

  private static Http.Res send(TestHub hub, TestHub.Tenant t, String key, String to) {
    JsonObject body = new JsonObject().put("to", to).put("text", "Order confirmed");
    return key == null ? hub.http.post("/instances/keep-1/messages", t.key(), body)
        : hub.http.post("/instances/keep-1/messages", t.key(), body, Map.of("Idempotency-Key", key));
  }

  private static String post(TestHub hub, TestHub.Tenant t, String key, String to) {
    Http.Res res = send(hub, t, key, to);
    assertThat(res.status()).as(res.toString()).isEqualTo(202);
    return res.json().getString("id");
  }

  /** As the delivery side would finish it, some time ago. */
  private static void finishAgo(TestHub hub, String id, String ago) {
    assertThat(hub.sql.update("UPDATE messages SET status = 'sent', sent_at = now() - ?::interval, "
        + "finalized_at = now() - ?::interval WHERE id = ?::uuid", ago, ago, id)).isEqualTo(1);
  }

  private static String keyOf(TestHub hub, String id) {
    return (String) hub.sql.rows("SELECT idempotency_key FROM messages WHERE id = ?::uuid", id).get(0).get("idempotency_key");
  }
}
