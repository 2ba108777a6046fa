package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.wahub.support.TestHub.ADMIN_KEY;

@ExtendWith(VertxExtension.class)
class TenantApiTest {

  static TestHub hub;
  static Http http;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx);
    http = hub.http;
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void createTenantShowsTheKeyOnceAndStoresOnlyItsHash() throws Exception {
    Http.Res res = http.post("/tenants", ADMIN_KEY, new JsonObject().put("name", "shop-a"));
    assertThat(res.status()).isEqualTo(201);
    JsonObject body = res.json();
    String token = body.getJsonObject("key").getString("token");
    assertThat(token).startsWith("wah_").hasSize(4 + 43);
    assertThat(body.getString("id")).startsWith("ten_");

    // the hash is stored, the token is not
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    assertThat(hub.sql.count("SELECT count(*) FROM api_keys WHERE key_hash = ?", hash)).isEqualTo(1);
    assertThat(hub.sql.count("SELECT count(*) FROM api_keys k WHERE k::text LIKE ?", "%" + token.substring(4) + "%")).isZero();
    assertThat(hub.sql.count("SELECT count(*) FROM tenants t WHERE t::text LIKE ?", "%" + token.substring(4) + "%")).isZero();

    // the tenant can use it; reading the tenant back never shows a token
    assertThat(http.get("/instances", token).status()).isEqualTo(200);
    Http.Res read = http.get("/tenants/" + body.getString("id"), ADMIN_KEY);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body()).doesNotContain(token).doesNotContain("\"token\"");
    assertThat(read.json().getJsonArray("keys")).hasSize(1);
    assertThat(http.get("/tenants", ADMIN_KEY).body()).doesNotContain(token);
  }

  @Test
  void duplicateTenantNameIs409() {
    assertThat(http.post("/tenants", ADMIN_KEY, new JsonObject().put("name", "dup-shop")).status()).isEqualTo(201);
    Http.Res again = http.post("/tenants", ADMIN_KEY, new JsonObject().put("name", "dup-shop"));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("code")).isEqualTo("tenant_exists");
  }

  @Test
  void tenantValidation() {
    Http.Res res = http.post("/tenants", ADMIN_KEY, new JsonObject().put("name", 5).put("nmae", "x"));
    assertThat(res.status()).isEqualTo(400);
    assertThat(res.header("Content-Type")).startsWith("application/problem+json");
    assertThat(res.json().getJsonArray("errors").encode()).contains("/name").contains("/nmae").contains("unknown_field");
    assertThat(http.post("/tenants", ADMIN_KEY, new JsonObject().put("name", "   ")).status()).isEqualTo(400);
    assertThat(http.post("/tenants", ADMIN_KEY, new JsonObject().put("name", "x".repeat(201))).status()).isEqualTo(400);
    assertThat(hub.sql.count("SELECT count(*) FROM tenants WHERE name LIKE 'xx%'")).isZero();
  }

  @Test
  void revokedKeyStopsWorkingAtOnce() {
    TestHub.Tenant t = hub.tenant("revoke-shop");
    Http.Res second = http.post("/tenants/" + t.id() + "/keys", ADMIN_KEY, new JsonObject().put("label", "cron"));
    assertThat(second.status()).isEqualTo(201);
    String token2 = second.json().getString("token");
    String keyId2 = second.json().getString("id");
    assertThat(http.get("/instances", token2).status()).isEqualTo(200); // now cached

    assertThat(http.delete("/tenants/" + t.id() + "/keys/" + keyId2, ADMIN_KEY).status()).isEqualTo(204);
    Http.Res after = http.get("/instances", token2);
    assertThat(after.status()).isEqualTo(401);
    assertThat(after.json().getString("code")).isEqualTo("unauthorized");
    // the other key still works; revoking again is idempotent; unknown key is 404
    assertThat(http.get("/instances", t.key()).status()).isEqualTo(200);
    assertThat(http.delete("/tenants/" + t.id() + "/keys/" + keyId2, ADMIN_KEY).status()).isEqualTo(204);
    assertThat(http.delete("/tenants/" + t.id() + "/keys/key_nope", ADMIN_KEY).status()).isEqualTo(404);
  }

  @Test
  void authErrorsAreProblems() {
    Http.Res none = http.get("/tenants", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.header("Content-Type")).startsWith("application/problem+json");
    assertThat(none.header("WWW-Authenticate")).contains("Bearer");
    assertThat(none.json().getString("type")).isEqualTo("urn:wa-hub:problem:unauthorized");
    assertThat(http.get("/tenants", "wah_not-a-real-key-at-all").status()).isEqualTo(401);
    assertThat(http.send("GET", "/tenants", null, null, null, Map.of("Authorization", "Basic YWRtaW46YWRtaW4=")).status())
        .isEqualTo(401);
    assertThat(http.send("GET", "/tenants", null, null, null, Map.of("Authorization", "Bearer ")).status()).isEqualTo(401);

    TestHub.Tenant t = hub.tenant("not-admin");
    Http.Res forbidden = http.get("/tenants", t.key());
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(http.get("/instances", ADMIN_KEY).status()).isEqualTo(403);
  }

  @Test
  void unknownRoutesAndMethodsAreProblems() {
    Http.Res missing = http.get("/nope", ADMIN_KEY);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
    Http.Res method = http.send("PUT", "/tenants", ADMIN_KEY, "{}", "application/json", Map.of());
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.json().getString("code")).isEqualTo("method_not_allowed");
    assertThat(http.get("/tenants/ten_unknown", ADMIN_KEY).status()).isEqualTo(404);
    assertThat(http.post("/tenants/ten_unknown/keys", ADMIN_KEY, new JsonObject()).status()).isEqualTo(404);
  }
}
