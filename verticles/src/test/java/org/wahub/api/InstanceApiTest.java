package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.Addresses;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(VertxExtension.class)
class InstanceApiTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static TestHub.Tenant other;
  static final List<JsonObject> changes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx);
    http = hub.http;
    shop = hub.tenant("inst-shop");
    other = hub.tenant("inst-other");
    vertx.eventBus().<JsonObject>consumer(Addresses.INSTANCE_CHANGED, m -> changes.add(m.body()));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void createUsesSeedDefaultsAndPublishesAChange() {
    Http.Res res = http.post("/instances", shop.key(), new JsonObject().put("id", "shop1-main").put("name", "Main")
        .put("provider", new JsonObject().put("type", "simulator")));
    assertThat(res.status()).isEqualTo(201);
    JsonObject i = res.json();
    assertThat(i.getJsonObject("limits")).isEqualTo(new JsonObject().put("perMinute", 6).put("perHour", 60).put("perDay", 300));
    assertThat(i.getJsonObject("pacing")).isEqualTo(new JsonObject().put("minIntervalMs", 500).put("jitterMs", 0));
    assertThat(i.getInteger("maxQueueSize")).isEqualTo(200);
    assertThat(i.getString("state")).isEqualTo("STARTING");
    await().until(() -> changes.stream().anyMatch(c -> c.getString("id").equals("shop1-main") && c.getString("op").equals("created")));

    Http.Res dup = http.post("/instances", shop.key(), new JsonObject().put("id", "shop1-main")
        .put("provider", new JsonObject().put("type", "simulator")));
    assertThat(dup.status()).isEqualTo(409);
    assertThat(dup.json().getString("code")).isEqualTo("instance_exists");
  }

  @Test
  void secretsAreWriteOnly() {
    Http.Res res = http.post("/instances", shop.key(), new JsonObject().put("id", "cloud-1")
        .put("provider", new JsonObject().put("type", "cloud-api").put("phoneNumberId", "106540352242922")
            .put("accessToken", "EAAG-super-secret-token").put("appSecret", "app-secret-xyz")));
    assertThat(res.status()).isEqualTo(201);
    assertThat(res.body()).doesNotContain("EAAG-super-secret-token").doesNotContain("app-secret-xyz");
    JsonObject provider = res.json().getJsonObject("provider");
    assertThat(provider.getJsonArray("secretsSet")).isEqualTo(new JsonArray().add("accessToken").add("appSecret"));
    assertThat(provider.getString("baseUrl")).isEqualTo("https://graph.facebook.com");

    Http.Res read = http.get("/instances/cloud-1", shop.key());
    assertThat(read.body()).doesNotContain("EAAG-super-secret-token").doesNotContain("app-secret-xyz");
    assertThat(http.get("/instances", shop.key()).body()).doesNotContain("EAAG-super-secret-token");
    // stored for the provider to use
    assertThat(hub.sql.count("SELECT count(*) FROM instances WHERE provider_config->>'accessToken' = 'EAAG-super-secret-token'"))
        .isEqualTo(1);

    // a PATCH that does not touch the secret keeps it; null removes it
    Http.Res patched = http.patch("/instances/cloud-1", shop.key(), new JsonObject()
        .put("provider", new JsonObject().put("appSecret", (Object) null)));
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().getJsonObject("provider").getJsonArray("secretsSet")).isEqualTo(new JsonArray().add("accessToken"));
  }

  @Test
  void adapterTokenIsShownOnceAndStoredHashed() {
    Http.Res res = http.post("/instances", shop.key(), new JsonObject().put("id", "adapter-1")
        .put("provider", new JsonObject().put("type", "adapter")));
    assertThat(res.status()).isEqualTo(201);
    String token = res.json().getJsonObject("provider").getString("token");
    assertThat(token).startsWith("wah_");
    assertThat(http.get("/instances/adapter-1", shop.key()).body()).doesNotContain(token);
    assertThat(hub.sql.count("SELECT count(*) FROM instances i WHERE i::text LIKE ?", "%" + token.substring(8) + "%")).isZero();
  }

  @Test
  void patchChangesLimitsAndBumpsVersion() {
    hub.instance(shop, "patch-me", null);
    Http.Res res = http.patch("/instances/patch-me", shop.key(), new JsonObject()
        .put("limits", new JsonObject().put("perMinute", 2)).put("pacing", new JsonObject().put("jitterMs", 250))
        .put("maxQueueSize", 10));
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.json().getJsonObject("limits").getInteger("perMinute")).isEqualTo(2);
    assertThat(res.json().getJsonObject("limits").getInteger("perHour")).isEqualTo(60);
    assertThat(res.json().getJsonObject("pacing").getInteger("jitterMs")).isEqualTo(250);
    assertThat(res.json().getInteger("maxQueueSize")).isEqualTo(10);
    assertThat(hub.sql.count("SELECT version FROM instances WHERE id = 'patch-me'")).isEqualTo(2);
    await().until(() -> changes.stream().anyMatch(c -> c.getString("id").equals("patch-me") && c.getString("op").equals("updated")));

    Http.Res typeChange = http.patch("/instances/patch-me", shop.key(), new JsonObject()
        .put("provider", new JsonObject().put("type", "waha")));
    assertThat(typeChange.status()).isEqualTo(400);
    assertThat(typeChange.body()).contains("/provider/type");
    Http.Res bad = http.patch("/instances/patch-me", shop.key(), new JsonObject()
        .put("limits", new JsonObject().put("perMinute", -1).put("perWeek", 3)));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body()).contains("/limits/perMinute").contains("/limits/perWeek");
    assertThat(hub.sql.count("SELECT per_minute FROM instances WHERE id = 'patch-me'")).isEqualTo(2);
  }

  @Test
  void validationNamesEveryBadField() {
    Http.Res res = http.post("/instances", shop.key(), new JsonObject().put("id", "../etc/passwd")
        .put("provider", new JsonObject().put("type", "carrier-pigeon"))
        .put("limits", "lots").put("maxQueueSize", 0).put("color", "red"));
    assertThat(res.status()).isEqualTo(400);
    String errors = res.json().getJsonArray("errors").encode();
    assertThat(errors).contains("/id").contains("/provider/type").contains("/limits").contains("/maxQueueSize").contains("/color");
    Http.Res waha = http.post("/instances", shop.key(), new JsonObject().put("id", "waha-x")
        .put("provider", new JsonObject().put("type", "waha").put("baseUrl", "ftp://x")));
    assertThat(waha.status()).isEqualTo(400);
    assertThat(waha.body()).contains("/provider/baseUrl");
    Http.Res cloud = http.post("/instances", shop.key(), new JsonObject().put("id", "cloud-x")
        .put("provider", new JsonObject().put("type", "cloud-api")));
    assertThat(cloud.status()).isEqualTo(400);
    assertThat(cloud.body()).contains("/provider/phoneNumberId").contains("/provider/accessToken");
    Http.Res sim = http.post("/instances", shop.key(), new JsonObject().put("id", "sim-x")
        .put("provider", new JsonObject().put("type", "simulator").put("retriableFailureRate", 0.7).put("permanentFailureRate", 0.5)));
    assertThat(sim.status()).isEqualTo(400);
    assertThat(hub.sql.count("SELECT count(*) FROM instances WHERE id IN ('waha-x', 'cloud-x', 'sim-x')")).isZero();
  }

  @Test
  void anotherTenantsInstanceIsNotFound() {
    hub.instance(shop, "private-1", null);
    assertThat(http.get("/instances/private-1", other.key()).status()).isEqualTo(404);
    assertThat(http.patch("/instances/private-1", other.key(), new JsonObject().put("name", "mine")).status()).isEqualTo(404);
    assertThat(http.delete("/instances/private-1", other.key()).status()).isEqualTo(404);
    assertThat(http.post("/instances/private-1/messages", other.key(), new JsonObject().put("to", "+4915112345678")
        .put("text", "hi")).status()).isEqualTo(404);
    assertThat(http.get("/instances", other.key()).body()).doesNotContain("private-1");
    assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE instance_id = 'private-1'")).isZero();
    assertThat(http.get("/instances/private-1", shop.key()).status()).isEqualTo(200);
  }

  @Test
  void deleteRefusesPendingMessagesUnlessForced() {
    hub.instance(shop, "del-me", null);
    assertThat(http.post("/instances/del-me/messages", shop.key(), new JsonObject().put("to", "+4915112345678")
        .put("text", "pending")).status()).isEqualTo(202);
    Http.Res refused = http.delete("/instances/del-me", shop.key());
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().getString("code")).isEqualTo("instance_has_pending_messages");
    assertThat(http.delete("/instances/del-me?force=maybe", shop.key()).status()).isEqualTo(400);
    assertThat(http.delete("/instances/del-me?force=true", shop.key()).status()).isEqualTo(204);
    assertThat(http.get("/instances/del-me", shop.key()).status()).isEqualTo(404);
    assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE instance_id = 'del-me'")).isZero();
    await().until(() -> changes.stream().anyMatch(c -> c.getString("id").equals("del-me") && c.getString("op").equals("deleted")));
  }

  @Test
  void listIsPaginatedById() {
    TestHub.Tenant lister = hub.tenant("lister");
    for (int i = 0; i < 5; i++) {
      hub.instance(lister, "list-" + i, null);
    }
    Http.Res page1 = http.get("/instances?limit=2", lister.key());
    assertThat(page1.json().getJsonArray("items")).hasSize(2);
    String cursor = page1.json().getString("nextCursor");
    Http.Res page2 = http.get("/instances?limit=10&after=" + cursor, lister.key());
    assertThat(page2.json().getJsonArray("items")).hasSize(3);
    assertThat(page2.json().getString("nextCursor")).isNull();
    assertThat(http.get("/instances?limit=0", lister.key()).status()).isEqualTo(400);
  }
}
