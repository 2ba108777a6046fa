package org.wahub.webhook;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.Outbox;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;
import org.wahub.support.WebhookReceiver;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A delivery that exhausts its attempts is listed as failed, and a replay delivers it, same webhook-id, same body. */
@ExtendWith(VertxExtension.class)
class WebhookReplayTest {

  static TestHub hub;
  static Http http;
  static Vertx vertx;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    hub = TestHub.start(v, TestPg.newDatabaseUrl(), Map.of(
        "HUB_OUTBOUND_ALLOW", "127.0.0.1/32",
        "HUB_WEBHOOK_RETRY_DELAYS_MS", "100",
        "HUB_WEBHOOK_MAX_ATTEMPTS", 3));
    http = hub.http;
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void anExhaustedDeliveryIsListedAndAReplayDeliversIt() {
    TestHub.Tenant t = hub.tenant("wr-shop");
    WebhookReceiver receiver = WebhookReceiver.up(vertx).answer(503);
    try {
      JsonObject created = http.post("/webhooks", t.key(), new JsonObject().put("url", receiver.url())
          .put("eventTypes", new io.vertx.core.json.JsonArray().add("poll.vote"))).json();
      String hook = created.getString("id");
      receiver.trust(created.getString("secret"));
      Outbox.append(hub, t.id(), null, null, "poll.vote", new JsonObject().put("option", "Yes"));

      await().atMost(Duration.ofSeconds(10)).until(() -> list(t, hook, "failed").size() == 1);
      JsonObject failed = list(t, hook, "failed").get(0);
      assertThat(failed.getInteger("attempts")).isEqualTo(3);
      assertThat(failed.getInteger("lastStatus")).isEqualTo(503);
      assertThat(failed.getJsonObject("lastError").getString("code")).isEqualTo("http_503");
      assertThat(failed.getString("nextAttemptAt")).isNull();
      assertThat(failed.getString("eventPosition")).matches("\\d+-\\d+");
      String id = failed.getString("id");
      assertThat(receiver.received()).hasSize(3).allSatisfy(r -> {
        assertThat(r.id()).isEqualTo(id);
        assertThat(r.verified()).isTrue();
      });

      receiver.answer(200);
      Http.Res replay = http.post("/webhooks/" + hook + "/deliveries/" + id + "/replay", t.key(), null);
      assertThat(replay.status()).isEqualTo(202);
      assertThat(replay.json().getString("status")).isEqualTo("pending");
      assertThat(replay.json().getInteger("attempts")).isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> list(t, hook, "succeeded").size() == 1);
      assertThat(list(t, hook, "succeeded").get(0).getInteger("attempts")).isEqualTo(1);
      List<WebhookReceiver.Received> got = receiver.received();
      assertThat(got).hasSize(4);
      assertThat(got.get(3).id()).isEqualTo(id);
      assertThat(got.get(3).body()).isEqualTo(got.get(0).body());
      assertThat(got.get(3).data().getString("option")).isEqualTo("Yes");

      // a succeeded delivery may be replayed too (a receiver that lost it)
      Http.Res again = http.post("/webhooks/" + hook + "/deliveries/" + id + "/replay", t.key(), null);
      assertThat(again.status()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 5);
    } finally {
      receiver.close();
    }
  }

  @Test
  void aDeliveryStillOnItsWayIsNotReplayed() {
    TestHub.Tenant t = hub.tenant("wr-open");
    WebhookReceiver receiver = WebhookReceiver.up(vertx).hang();
    try {
      String hook = http.post("/webhooks", t.key(), new JsonObject().put("url", receiver.url())
          .put("eventTypes", new io.vertx.core.json.JsonArray().add("*"))).json().getString("id");
      Outbox.append(hub, t.id(), null, null, "poll.vote", null);
      await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 1);
      JsonObject d = list(t, hook, "sending").get(0);
      Http.Res replay = http.post("/webhooks/" + hook + "/deliveries/" + d.getString("id") + "/replay", t.key(), null);
      assertThat(replay.status()).isEqualTo(409);
      assertThat(replay.json().getString("code")).isEqualTo("delivery_open");
    } finally {
      receiver.close();
    }
  }

  static List<JsonObject> list(TestHub.Tenant t, String hook, String status) {
    return http.get("/webhooks/" + hook + "/deliveries?status=" + status, t.key()).json().getJsonArray("items")
        .stream().map(o -> (JsonObject) o).toList();
  }
}
