package org.wahub.webhook;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.Outbox;
import org.wahub.support.TestHub;
import org.wahub.support.WebhookReceiver;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The webhook API over real HTTP: validation with field errors, the outbound guard on the URL,
 * secrets shown once, rotation signing with both keys, the test ping, listing and replaying
 * deliveries, and tenant isolation (another tenant's webhook or instance is a 404).
 */
@ExtendWith(VertxExtension.class)
class WebhookApiTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static TestHub.Tenant other;
  static WebhookReceiver receiver;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, org.wahub.support.TestPg.newDatabaseUrl(), Map.of(
        "HUB_OUTBOUND_ALLOW", "127.0.0.1/32",
        "HUB_TENANT_MAX_WEBHOOKS", 6));
    http = hub.http;
    shop = hub.tenant("wh-shop");
    other = hub.tenant("wh-other");
    hub.instance(shop, "wh-shop-main", null);
    hub.instance(other, "wh-other-main", null);
    receiver = WebhookReceiver.up(vertx);
  }

  @AfterAll
  static void stop() {
    receiver.close();
    hub.close();
  }

  private static JsonObject create(TestHub.Tenant t, JsonObject body) {
    Http.Res res = http.post("/webhooks", t.key(), body);
    assertThat(res.status()).as(res.toString()).isEqualTo(201);
    return res.json();
  }

  private static JsonObject hook(String url, String... types) {
    return new JsonObject().put("url", url).put("eventTypes", new JsonArray(List.of((Object[]) types)));
  }

  @Test
  void theSecretIsShownOnceAndNeverAgain() {
    JsonObject created = create(shop, hook(receiver.url(), "message.*", "poll.vote").put("description", "orders"));
    String id = created.getString("id");
    String secret = created.getString("secret");
    assertThat(id).matches("wh_[0-9a-z]{20}");
    assertThat(secret).startsWith("whsec_");
    assertThat(java.util.Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
    assertThat(created.getJsonArray("eventTypes")).containsExactly("message.*", "poll.vote");
    assertThat(created.getBoolean("enabled")).isTrue();

    String secretPart = secret.substring(6);
    Http.Res one = http.get("/webhooks/" + id, shop.key());
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json().containsKey("secret")).isFalse();
    assertThat(one.body()).doesNotContain(secretPart);
    Http.Res list = http.get("/webhooks", shop.key());
    assertThat(list.json().getJsonArray("items").size()).isGreaterThanOrEqualTo(1);
    assertThat(list.body()).doesNotContain(secretPart).contains(id);
    Http.Res patched = http.patch("/webhooks/" + id, shop.key(), new JsonObject().put("description", "changed"));
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.body()).doesNotContain(secretPart);
    assertThat(patched.json().getString("description")).isEqualTo("changed");
  }

  @Test
  void bodiesAreValidatedWithFieldErrors() {
    Http.Res empty = http.post("/webhooks", shop.key(), new JsonObject());
    assertThat(empty.status()).isEqualTo(400);
    assertThat(pointers(empty)).containsExactlyInAnyOrder("/url", "/eventTypes");

    Http.Res bad = http.post("/webhooks", shop.key(), new JsonObject().put("url", "ftp://example.com/x")
        .put("eventTypes", new JsonArray().add("message.sent").add("message.snet").add("webhook.test").add(7))
        .put("instanceId", "no such/id").put("secret", "whsec_dG9vc2hvcnQ=").put("colour", "red"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("code")).isEqualTo("validation_failed");
    assertThat(pointers(bad)).containsExactlyInAnyOrder("/url", "/eventTypes/1", "/eventTypes/2", "/eventTypes/3",
        "/instanceId", "/secret", "/colour");
    assertThat(codeAt(bad, "/eventTypes/1")).isEqualTo("unknown_event_type");
    assertThat(bad.body()).doesNotContain("dG9vc2hvcnQ");

    Http.Res none = http.post("/webhooks", shop.key(), hook(receiver.url()));
    assertThat(none.status()).isEqualTo(400);
    assertThat(pointers(none)).containsExactly("/eventTypes");

    Http.Res notJson = http.send("POST", "/webhooks", shop.key(), "url=x", "application/x-www-form-urlencoded", Map.of());
    assertThat(notJson.status()).isEqualTo(415);
  }

  @Test
  void theOutboundGuardRefusesPrivateAddressesWithA422() {
    for (String url : List.of("http://10.1.2.3/hook", "http://127.0.0.2:8080/hook", "http://169.254.169.254/latest",
        "http://[::1]/hook")) {
      Http.Res res = http.post("/webhooks", shop.key(), hook(url, "*"));
      assertThat(res.status()).as(url).isEqualTo(422);
      assertThat(res.json().getString("code")).as(url).isEqualTo("webhook_url_refused");
      assertThat(res.json().getString("detail")).contains("HUB_OUTBOUND_ALLOW");
    }
    Http.Res userInfo = http.post("/webhooks", shop.key(), hook("http://user:pw@127.0.0.1/x", "*"));
    assertThat(userInfo.status()).isEqualTo(400);
    assertThat(pointers(userInfo)).containsExactly("/url");

    String id = create(shop, hook(receiver.url(), "*")).getString("id");
    Http.Res patch = http.patch("/webhooks/" + id, shop.key(), new JsonObject().put("url", "http://192.168.1.1/x"));
    assertThat(patch.status()).isEqualTo(422);
    assertThat(http.get("/webhooks/" + id, shop.key()).json().getString("url")).isEqualTo(receiver.url());
  }

  @Test
  void anotherTenantsWebhookOrInstanceIsNotFound() {
    String mine = create(shop, hook(receiver.url(), "message.sent")).getString("id");
    String key = other.key();
    int checked = 0;
    for (Http.Res res : List.of(
        http.get("/webhooks/" + mine, key),
        http.patch("/webhooks/" + mine, key, new JsonObject().put("description", "x")),
        http.post("/webhooks/" + mine + "/rotate-secret", key, null),
        http.post("/webhooks/" + mine + "/test", key, null),
        http.get("/webhooks/" + mine + "/deliveries", key),
        http.post("/webhooks/" + mine + "/deliveries/00000000-0000-7000-8000-000000000000/replay", key, null),
        http.delete("/webhooks/" + mine, key))) {
      assertThat(res.status()).as(res.toString()).isEqualTo(404);
      checked++;
    }
    assertThat(checked).isEqualTo(7);
    assertThat(http.get("/webhooks", key).body()).doesNotContain(mine);
    // an instance filter naming another tenant's instance is as unknown as a missing one
    Http.Res foreign = http.post("/webhooks", key, hook(receiver.url(), "*").put("instanceId", "wh-shop-main"));
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(http.get("/webhooks/" + mine, shop.key()).status()).isEqualTo(200);
  }

  @Test
  void theTestPingIsDeliveredSignedAndListed() {
    JsonObject created = create(shop, hook(receiver.url(), "poll.vote"));
    String id = created.getString("id");
    receiver.trust(created.getString("secret"));

    Http.Res ping = http.post("/webhooks/" + id + "/test", shop.key(), null);
    assertThat(ping.status()).isEqualTo(202);
    String deliveryId = ping.json().getString("id");
    assertThat(ping.json().getString("eventType")).isEqualTo("webhook.test");

    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().stream().anyMatch(r -> deliveryId.equals(r.id())));
    WebhookReceiver.Received got = receiver.received().stream().filter(r -> deliveryId.equals(r.id())).findFirst().orElseThrow();
    assertThat(got.verified()).isTrue();
    assertThat(got.type()).isEqualTo("webhook.test");
    assertThat(got.data().getString("webhookId")).isEqualTo(id);
    assertThat(got.json().getString("timestamp")).isNotBlank();

    await().atMost(Duration.ofSeconds(10)).until(() -> deliveryStatus(id, deliveryId).equals("succeeded"));
    JsonObject listed = http.get("/webhooks/" + id + "/deliveries?status=succeeded", shop.key()).json();
    assertThat(listed.getJsonArray("items")).hasSize(1);
    JsonObject d = listed.getJsonArray("items").getJsonObject(0);
    assertThat(d.getInteger("attempts")).isEqualTo(1);
    assertThat(d.getInteger("lastStatus")).isEqualTo(204);
    assertThat(d.getString("finishedAt")).isNotNull();
    assertThat(http.get("/webhooks/" + id + "/deliveries?status=failed", shop.key()).json().getJsonArray("items")).isEmpty();
  }

  @Test
  void rotationShowsTheNewSecretOnceAndSignsWithBothKeys() {
    JsonObject created = create(shop, hook(receiver.url(), "poll.vote"));
    String id = created.getString("id");
    String oldSecret = created.getString("secret");

    Http.Res rotated = http.post("/webhooks/" + id + "/rotate-secret", shop.key(), null);
    assertThat(rotated.status()).isEqualTo(200);
    String newSecret = rotated.json().getString("secret");
    assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
    assertThat(rotated.json().getString("previousSecretExpiresAt")).isNotNull();
    assertThat(http.get("/webhooks/" + id, shop.key()).body()).doesNotContain(newSecret.substring(6))
        .doesNotContain(oldSecret.substring(6));

    String deliveryId = http.post("/webhooks/" + id + "/test", shop.key(), null).json().getString("id");
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().stream().anyMatch(r -> deliveryId.equals(r.id())));
    WebhookReceiver.Received got = receiver.received().stream().filter(r -> deliveryId.equals(r.id())).findFirst().orElseThrow();
    assertThat(got.signature().split(" ")).hasSize(2);
    java.time.Clock now = java.time.Clock.systemUTC();
    assertThat(WebhookReceiver.verify(List.of(oldSecret), got.id(), got.timestamp(), got.body(), got.signature(), now))
        .as("a receiver still on the old secret").isTrue();
    assertThat(WebhookReceiver.verify(List.of(newSecret), got.id(), got.timestamp(), got.body(), got.signature(), now))
        .as("a receiver already on the new secret").isTrue();
    assertThat(WebhookReceiver.verify(List.of("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32])),
        got.id(), got.timestamp(), got.body(), got.signature(), now)).as("any other secret").isFalse();

    Http.Res chosen = http.post("/webhooks/" + id + "/rotate-secret", shop.key(), new JsonObject().put("secret", "bad"));
    assertThat(chosen.status()).isEqualTo(400);
    assertThat(pointers(chosen)).containsExactly("/secret");
  }

  @Test
  void disablingAndEnablingIsShownAndGuardsPingsAndReplays() {
    String id = create(shop, hook(receiver.url(), "message.sent")).getString("id");
    Http.Res off = http.patch("/webhooks/" + id, shop.key(), new JsonObject().put("enabled", false));
    assertThat(off.status()).isEqualTo(200);
    assertThat(off.json().getBoolean("enabled")).isFalse();
    assertThat(off.json().getString("disabledReason")).isEqualTo("disabled");
    assertThat(off.json().getString("disabledAt")).isNotNull();
    Http.Res ping = http.post("/webhooks/" + id + "/test", shop.key(), null);
    assertThat(ping.status()).isEqualTo(409);
    assertThat(ping.json().getString("code")).isEqualTo("webhook_disabled");

    Http.Res on = http.patch("/webhooks/" + id, shop.key(), new JsonObject().put("enabled", true));
    assertThat(on.json().getBoolean("enabled")).isTrue();
    assertThat(on.json().getString("disabledReason")).isNull();

    Http.Res replayOpen = http.post("/webhooks/" + id + "/deliveries/00000000-0000-7000-8000-000000000000/replay", shop.key(), null);
    assertThat(replayOpen.status()).isEqualTo(404);
    Http.Res badQuery = http.get("/webhooks/" + id + "/deliveries?status=lost", shop.key());
    assertThat(badQuery.status()).isEqualTo(400);
    assertThat(http.get("/webhooks/" + id + "/deliveries?after=nope", shop.key()).json().getString("code"))
        .isEqualTo("invalid_cursor");

    assertThat(http.delete("/webhooks/" + id, shop.key()).status()).isEqualTo(204);
    assertThat(http.get("/webhooks/" + id, shop.key()).status()).isEqualTo(404);
  }

  @Test
  void aTenantHasAQuotaOfEndpoints() {
    TestHub.Tenant busy = hub.tenant("wh-busy");
    for (int i = 0; i < 6; i++) {
      create(busy, hook(receiver.url() + "/" + i, "*"));
    }
    Http.Res over = http.post("/webhooks", busy.key(), hook(receiver.url(), "*"));
    assertThat(over.status()).isEqualTo(429);
    assertThat(over.json().getString("quota")).isEqualTo("webhooks");
    assertThat(http.get("/webhooks?limit=4", busy.key()).json().getJsonArray("items")).hasSize(4);
    String cursor = http.get("/webhooks?limit=4", busy.key()).json().getString("nextCursor");
    assertThat(http.get("/webhooks?limit=4&after=" + cursor, busy.key()).json().getJsonArray("items")).hasSize(2);
  }

  private static String deliveryStatus(String webhookId, String deliveryId) {
    JsonArray items = http.get("/webhooks/" + webhookId + "/deliveries", shop.key()).json().getJsonArray("items");
    for (int i = 0; i < items.size(); i++) {
      if (items.getJsonObject(i).getString("id").equals(deliveryId)) {
        return items.getJsonObject(i).getString("status");
      }
    }
    return "missing";
  }

  static List<String> pointers(Http.Res res) {
    JsonArray errors = res.json().getJsonArray("errors");
    return errors == null ? List.of() : errors.stream().map(e -> ((JsonObject) e).getString("pointer")).toList();
  }

  static String codeAt(Http.Res res, String pointer) {
    return res.json().getJsonArray("errors").stream().map(e -> (JsonObject) e)
        .filter(e -> e.getString("pointer").equals(pointer)).findFirst().orElseThrow().getString("code");
  }
}
