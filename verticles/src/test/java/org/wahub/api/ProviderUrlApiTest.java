package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tenant cannot redirect stored provider secrets: moving a provider URL to another origin needs
 * the secrets again (422), and provider URLs with user info, a query or a fragment are refused (400).
 */
@ExtendWith(VertxExtension.class)
class ProviderUrlApiTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx);
    http = hub.http;
    shop = hub.tenant("url-shop");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void movingTheBaseUrlAloneIsRefusedAndChangesNothing() {
    assertThat(http.post("/instances", shop.key(), new JsonObject().put("id", "cloud-move")
        .put("provider", new JsonObject().put("type", "cloud-api").put("phoneNumberId", "106540352242922")
            .put("accessToken", "EAAG-keep-me").put("appSecret", "app-secret-keep")))).extracting(Http.Res::status).isEqualTo(201);

    Http.Res moved = http.patch("/instances/cloud-move", shop.key(), new JsonObject()
        .put("provider", new JsonObject().put("baseUrl", "https://collector.attacker.example")));
    assertThat(moved.status()).isEqualTo(422);
    assertThat(moved.json().getString("code")).isEqualTo("provider_secrets_required");
    JsonArray errors = moved.json().getJsonArray("errors");
    assertThat(errors).hasSize(2);
    assertThat(errors.encode()).contains("/provider/accessToken").contains("/provider/appSecret");
    assertThat(moved.body()).doesNotContain("EAAG-keep-me").doesNotContain("app-secret-keep");
    assertThat(hub.sql.count("SELECT count(*) FROM instances WHERE id = 'cloud-move' AND version = 1"
        + " AND provider_config->>'baseUrl' = 'https://graph.facebook.com'")).isEqualTo(1);

    // the path may change on the same origin without the secrets
    Http.Res samePlace = http.patch("/instances/cloud-move", shop.key(), new JsonObject()
        .put("provider", new JsonObject().put("baseUrl", "https://graph.facebook.com:443/")));
    assertThat(samePlace.status()).isEqualTo(200);

    // with every stored secret given again (or removed) the move is fine
    Http.Res withSecrets = http.patch("/instances/cloud-move", shop.key(), new JsonObject()
        .put("provider", new JsonObject().put("baseUrl", "https://graph.example.net")
            .put("accessToken", "EAAG-new").put("appSecret", (Object) null)));
    assertThat(withSecrets.status()).isEqualTo(200);
    assertThat(withSecrets.json().getJsonObject("provider").getString("baseUrl")).isEqualTo("https://graph.example.net");
    assertThat(withSecrets.json().getJsonObject("provider").getJsonArray("secretsSet")).isEqualTo(new JsonArray().add("accessToken"));
  }

  @Test
  void wahaNeedsOnlyTheSecretsItHas() {
    assertThat(http.post("/instances", shop.key(), new JsonObject().put("id", "waha-move")
        .put("provider", new JsonObject().put("type", "waha").put("baseUrl", "http://waha.example:3000").put("apiKey", "k1")))
        .status()).isEqualTo(201);
    Http.Res moved = http.patch("/instances/waha-move", shop.key(), new JsonObject()
        .put("provider", new JsonObject().put("baseUrl", "http://waha.example:3001")));
    assertThat(moved.status()).isEqualTo(422);
    assertThat(moved.json().getJsonArray("errors")).hasSize(1);
    assertThat(moved.json().getJsonArray("errors").getJsonObject(0).getString("pointer")).isEqualTo("/provider/apiKey");
    assertThat(http.patch("/instances/waha-move", shop.key(), new JsonObject()
        .put("provider", new JsonObject().put("baseUrl", "http://waha.example:3001").put("apiKey", "k2"))).status()).isEqualTo(200);
  }

  @Test
  void userInfoQueryAndFragmentAreRefused() {
    for (String bad : new String[] {"https://user:pw-secret@waha.example", "https://waha.example/api?token=x", "https://waha.example/#frag"}) {
      Http.Res created = http.post("/instances", shop.key(), new JsonObject().put("id", "waha-bad")
          .put("provider", new JsonObject().put("type", "waha").put("baseUrl", bad)));
      assertThat(created.status()).as(bad).isEqualTo(400);
      assertThat(created.json().getString("code")).isEqualTo("validation_failed");
      assertThat(created.json().getJsonArray("errors").encode()).contains("/provider/baseUrl").doesNotContain("pw-secret");
    }
    assertThat(hub.sql.count("SELECT count(*) FROM instances WHERE id = 'waha-bad'")).isZero();

    assertThat(http.post("/instances", shop.key(), new JsonObject().put("id", "waha-ok")
        .put("provider", new JsonObject().put("type", "waha").put("baseUrl", "https://waha.example/api"))).status()).isEqualTo(201);
    Http.Res patched = http.patch("/instances/waha-ok", shop.key(), new JsonObject()
        .put("provider", new JsonObject().put("baseUrl", "https://waha.example/api?x=1")));
    assertThat(patched.status()).isEqualTo(400);
    assertThat(patched.body()).contains("/provider/baseUrl");
  }
}
