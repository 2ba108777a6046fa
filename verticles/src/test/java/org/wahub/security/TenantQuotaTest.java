package org.wahub.security;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.wahub.support.TestHub.ADMIN_KEY;

/** Quotas per tenant (DESIGN §12): set by the admin, enforced per tenant, other tenants untouched. */
@ExtendWith(VertxExtension.class)
class TenantQuotaTest {

  static TestHub hub;
  static Http http;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of(
        "HUB_TENANT_MAX_INSTANCES", 4,
        "HUB_TENANT_MAX_QUEUE_SIZE", 500,
        "HUB_TENANT_ACCEPTED_PER_MINUTE", 1000));
    http = hub.http;
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static Http.Res quotas(TestHub.Tenant t, JsonObject quotas) {
    return http.patch("/tenants/" + t.id(), ADMIN_KEY, new JsonObject().put("quotas", quotas));
  }

  static JsonObject instance(String id) {
    return new JsonObject().put("id", id).put("provider", new JsonObject().put("type", "simulator").put("startState", "NEEDS_QR"));
  }

  static void assertQuota(Http.Res res, int status, String code, String quota) {
    assertThat(res.status()).as(res.body()).isEqualTo(status);
    assertThat(res.header("Content-Type")).startsWith("application/problem+json");
    assertThat(res.json().getString("code")).isEqualTo(code);
    assertThat(res.json().getString("quota")).isEqualTo(quota);
  }

  @Test
  void theAdminSetsQuotasAndSeesThem() {
    TestHub.Tenant t = hub.tenant("q-admin");
    JsonObject listed = findTenant(t.id());
    assertThat(listed.getJsonObject("quotas").getMap()).containsEntry("instances", 4).containsEntry("maxQueueSize", 500)
        .containsEntry("acceptedPerMinute", 1000);
    Http.Res set = quotas(t, new JsonObject().put("instances", 7).put("acceptedPerMinute", 60));
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    JsonObject q = findTenant(t.id()).getJsonObject("quotas");
    assertThat(q.getInteger("instances")).isEqualTo(7);
    assertThat(q.getInteger("maxQueueSize")).isEqualTo(500);
    assertThat(q.getInteger("acceptedPerMinute")).isEqualTo(60);
    assertThat(q.getJsonObject("set").fieldNames()).containsExactlyInAnyOrder("instances", "acceptedPerMinute");
    // null: back to the configured default
    assertThat(quotas(t, new JsonObject().putNull("instances")).status()).isEqualTo(200);
    assertThat(findTenant(t.id()).getJsonObject("quotas").getInteger("instances")).isEqualTo(4);
    assertThat(http.get("/tenants/" + t.id(), ADMIN_KEY).json().getJsonObject("quotas").getInteger("acceptedPerMinute")).isEqualTo(60);

    Http.Res bad = quotas(t, new JsonObject().put("instances", -1).put("maxQueueSize", 0).put("perHour", 3));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getJsonArray("errors").encode()).contains("/quotas/instances").contains("/quotas/maxQueueSize")
        .contains("/quotas/perHour");
    assertThat(http.patch("/tenants/" + t.id(), t.key(), new JsonObject().put("quotas", new JsonObject())).status()).isEqualTo(403);
    assertThat(http.patch("/tenants/ten_nope", ADMIN_KEY, new JsonObject().put("quotas", new JsonObject())).status()).isEqualTo(404);
  }

  static JsonObject findTenant(String id) {
    Http.Res list = http.get("/tenants", ADMIN_KEY);
    assertThat(list.status()).isEqualTo(200);
    return list.json().getJsonArray("items").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("id").equals(id)).findFirst().orElseThrow();
  }

  @Test
  void instancesOverTheQuotaAre403EvenWhenCreatedConcurrently() {
    TestHub.Tenant racer = hub.tenant("q-racer");
    TestHub.Tenant other = hub.tenant("q-other");
    assertThat(quotas(racer, new JsonObject().put("instances", 3)).status()).isEqualTo(200);
    List<CompletableFuture<Http.Res>> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      all.add(http.postAsync("/instances", racer.key(), instance("race-" + i), Map.of()));
    }
    int created = 0;
    int refused = 0;
    for (CompletableFuture<Http.Res> f : all) {
      Http.Res res = f.join();
      if (res.status() == 201) {
        created++;
      } else {
        assertQuota(res, 403, "quota_exceeded", "instances");
        refused++;
      }
    }
    assertThat(created).isEqualTo(3);
    assertThat(refused).isEqualTo(9);
    assertThat(hub.sql.count("SELECT count(*) FROM instances WHERE tenant_id = ?", racer.id())).isEqualTo(3);
    // the other tenant has the default (4) and is not affected
    for (int i = 0; i < 4; i++) {
      assertThat(http.post("/instances", other.key(), instance("other-" + i)).status()).isEqualTo(201);
    }
    assertQuota(http.post("/instances", other.key(), instance("other-4")), 403, "quota_exceeded", "instances");
    // raising the quota takes effect at once; deleting one frees a slot
    assertThat(quotas(racer, new JsonObject().put("instances", 4)).status()).isEqualTo(200);
    assertThat(http.post("/instances", racer.key(), instance("race-late")).status()).isEqualTo(201);
    assertQuota(http.post("/instances", racer.key(), instance("race-later")), 403, "quota_exceeded", "instances");
    assertThat(http.delete("/instances/race-late", racer.key()).status()).isEqualTo(204);
    assertThat(http.post("/instances", racer.key(), instance("race-later")).status()).isEqualTo(201);
  }

  @Test
  void aQueueSizeAboveTheCeilingIs422NamingTheQuota() {
    TestHub.Tenant t = hub.tenant("q-queue");
    TestHub.Tenant other = hub.tenant("q-queue-other");
    assertThat(quotas(t, new JsonObject().put("maxQueueSize", 50)).status()).isEqualTo(200);
    Http.Res over = http.post("/instances", t.key(), instance("big").put("maxQueueSize", 51));
    assertQuota(over, 422, "quota_exceeded", "maxQueueSize");
    assertThat(over.json().getJsonArray("errors").getJsonObject(0).getString("pointer")).isEqualTo("/maxQueueSize");
    assertThat(http.post("/instances", t.key(), instance("fits").put("maxQueueSize", 50)).status()).isEqualTo(201);
    // without maxQueueSize the default (200) is capped at the ceiling
    Http.Res plain = http.post("/instances", t.key(), instance("plain"));
    assertThat(plain.status()).isEqualTo(201);
    assertThat(hub.sql.count("SELECT max_queue FROM instances WHERE id = 'plain'")).isEqualTo(50);
    assertQuota(http.patch("/instances/fits", t.key(), new JsonObject().put("maxQueueSize", 60)), 422, "quota_exceeded",
        "maxQueueSize");
    assertThat(http.patch("/instances/fits", t.key(), new JsonObject().put("maxQueueSize", 40)).status()).isEqualTo(200);
    // the other tenant has the configured ceiling (500)
    assertThat(http.post("/instances", other.key(), instance("other-big").put("maxQueueSize", 500)).status()).isEqualTo(201);
    assertQuota(http.post("/instances", other.key(), instance("other-bigger").put("maxQueueSize", 501)), 422,
        "quota_exceeded", "maxQueueSize");
    assertThat(hub.sql.count("SELECT count(*) FROM instances WHERE id IN ('big', 'other-bigger')")).isZero();
  }

  @Test
  void acceptedPerMinuteIs429WithRetryAfterAndAChangeTakesEffectAtOnce() {
    TestHub.Tenant t = hub.tenant("q-rate");
    TestHub.Tenant other = hub.tenant("q-rate-other");
    hub.instance(t, "rate", null);
    hub.instance(other, "rate-other", null);
    assertThat(quotas(t, new JsonObject().put("acceptedPerMinute", 5)).status()).isEqualTo(200);
    for (int i = 0; i < 5; i++) {
      assertThat(post(t, "rate", i).status()).isEqualTo(202);
    }
    Http.Res limited = post(t, "rate", 5);
    assertQuota(limited, 429, "tenant_rate_limited", "acceptedPerMinute");
    assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 120L);
    assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE tenant_id = ?", t.id())).isEqualTo(5);
    // invalid requests are not counted (and still get their 400)
    assertThat(http.post("/instances/rate/messages", t.key(), new JsonObject().put("to", "nope").put("text", "x")).status())
        .isEqualTo(400);
    // another tenant is not affected
    for (int i = 0; i < 10; i++) {
      assertThat(post(other, "rate-other", i).status()).isEqualTo(202);
    }
    // raised: the next request is admitted at once (the change drops the cached principal)
    assertThat(quotas(t, new JsonObject().put("acceptedPerMinute", 100)).status()).isEqualTo(200);
    assertThat(post(t, "rate", 6).status()).isEqualTo(202);
    // lowered to zero: refused at once
    assertThat(quotas(t, new JsonObject().put("acceptedPerMinute", 0)).status()).isEqualTo(200);
    assertQuota(post(t, "rate", 7), 429, "tenant_rate_limited", "acceptedPerMinute");
  }

  static Http.Res post(TestHub.Tenant t, String instance, int i) {
    return http.post("/instances/" + instance + "/messages", t.key(),
        new JsonObject().put("to", "+4915112345678").put("text", "n" + i).put("idempotencyKey", t.id() + "-" + i));
  }
}
