package org.wahub.health;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * GET /health over real HTTP: the hub/ rule applied to the hub's real counts. Thresholds are
 * lowered (failed > 2, p95 > 40 ms) so a few simulated sends cross them; the aggregate runs every
 * 200 ms instead of 15 s.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthReportTest {

  static TestHub hub;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of(
        "HUB_STATS_REFRESH_MS", "200",
        "HUB_HEALTH_FAILED_MAX", "2",
        "HUB_HEALTH_P95_LATENCY_MS_MAX", "40"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  @Order(1) // the admin's view must not yet include the other tests' failing instances
  void anIdleHubIsHealthy() {
    TestHub.Tenant idle = hub.tenant("health-idle");
    for (String key : List.of(TestHub.ADMIN_KEY, idle.key())) {
      JsonObject h = health(key);
      assertThat(h.getString("status")).as(h.encodePrettily()).isEqualTo("healthy");
      assertThat(h.getJsonArray("checks")).hasSize(6);
      h.getJsonArray("checks").forEach(c -> assertThat(((JsonObject) c).getString("status")).isEqualTo("healthy"));
      assertThat(check(h, "failed_messages").getLong("threshold")).isEqualTo(2);
      assertThat(check(h, "stuck_sending").getLong("threshold")).as("a default").isEqualTo(5);
      assertThat(h.getString("checkedAt")).isNotBlank();
    }
    JsonObject mine = health(idle.key());
    assertThat(mine.getJsonObject("queue").getJsonArray("instances")).isEmpty();
    assertThat(mine.getJsonObject("queue").getJsonObject("total").getLong("queued")).isZero();
  }

  @Test
  void withoutAKeyItIs401() {
    Http.Res res = hub.http.get("/health", null);
    assertThat(res.status()).isEqualTo(401);
    assertThat(hub.http.get("/health", "wah_not-a-real-key-000000000000000000000000000").status()).isEqualTo(401);
    // the probes stay open
    assertThat(hub.http.get("/health/live", null).status()).isEqualTo(200);
    assertThat(hub.http.get("/health/ready", null).status()).isEqualTo(200);
  }

  @Test
  void failedMessagesAboveTheThresholdWarnAndATenantSeesOnlyItsOwn() {
    TestHub.Tenant failing = hub.tenant("health-failing");
    TestHub.Tenant calm = hub.tenant("health-calm");
    hub.instance(failing, "hf-1", simulator(new JsonObject().put("permanentFailureRate", 1.0)));
    hub.instance(calm, "hc-1", simulator(new JsonObject()));
    await().atMost(Duration.ofSeconds(20)).until(() -> "READY".equals(state(failing, "hf-1")) && "READY".equals(state(calm, "hc-1")));
    for (int i = 0; i < 3; i++) {
      post(failing, "hf-1", "+491511234560" + i);
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> totals(health(failing.key())).getLong("failed") == 3);

    JsonObject f = health(failing.key());
    assertThat(f.getString("status")).as(f.encodePrettily()).isEqualTo("warning");
    assertThat(check(f, "failed_messages").getString("status")).isEqualTo("warning");
    assertThat(check(f, "failed_messages").getLong("value")).isEqualTo(3);
    assertThat(check(f, "failed_messages").getString("message")).contains("3 messages failed");
    assertThat(ids(f)).containsExactly("hf-1");
    assertThat(f.getJsonObject("instances").getLong("READY")).isEqualTo(1);

    // the other tenant sees neither the instance nor its failures
    JsonObject c = health(calm.key());
    assertThat(c.getString("status")).as(c.encodePrettily()).isEqualTo("healthy");
    assertThat(ids(c)).containsExactly("hc-1");
    assertThat(totals(c).getLong("failed")).isZero();
    assertThat(c.encode()).doesNotContain("hf-1");
    JsonObject hc = c.getJsonObject("queue").getJsonArray("instances").getJsonObject(0);
    assertThat(hc.fieldNames()).contains("queued", "sending", "stuck", "sent1h", "errors1h", "failed", "inDoubt", "state");

    // the admin sees both
    JsonObject all = health(TestHub.ADMIN_KEY);
    assertThat(ids(all)).contains("hf-1", "hc-1");
    assertThat(all.getString("status")).isIn("warning", "critical");
  }

  @Test
  void aSlowProviderDegradesOnlyItsTenant() {
    TestHub.Tenant slow = hub.tenant("health-slow");
    TestHub.Tenant other = hub.tenant("health-other");
    hub.instance(slow, "hs-1", simulator(new JsonObject().put("latencyMs", 80)));
    await().atMost(Duration.ofSeconds(20)).until(() -> "READY".equals(state(slow, "hs-1")));
    post(slow, "hs-1", "+4915112345670");
    post(slow, "hs-1", "+4915112345671");
    await().atMost(Duration.ofSeconds(20)).until(() -> totals(health(slow.key())).getLong("sent1h") == 2);

    JsonObject s = health(slow.key());
    assertThat(check(s, "p95_send_latency_ms").getString("status")).as(s.encodePrettily()).isEqualTo("degraded");
    assertThat(check(s, "p95_send_latency_ms").getLong("value")).isGreaterThanOrEqualTo(80);
    assertThat(s.getString("status")).isEqualTo("degraded");
    JsonObject o = health(other.key());
    assertThat(check(o, "p95_send_latency_ms").getLong("value")).isZero();
    assertThat(o.getString("status")).isEqualTo("healthy");
  }

  @Test
  void aDisabledOrFailingWebhookEndpointWarnsItsTenantOnly() {
    TestHub.Tenant shop = hub.tenant("health-webhooks");
    TestHub.Tenant neighbour = hub.tenant("health-webhooks-neighbour");
    hub.instance(shop, "hw-1", simulator(new JsonObject()));
    hub.instance(neighbour, "hn-1", simulator(new JsonObject()));
    // an endpoint the owner disabled, and one whose delivery is being retried after a failed attempt
    String disabled = webhook(shop);
    assertThat(hub.http.patch("/webhooks/" + disabled, shop.key(), new JsonObject().put("enabled", false)).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> check(health(shop.key()), "webhook_endpoints_failing").getLong("value") == 1);
    String retrying = webhook(shop);
    webhook(neighbour);
    hub.sql.update("INSERT INTO webhook_deliveries (id, webhook_id, event_type, body, attempts, next_attempt_at, created_at, updated_at,"
        + " last_status) VALUES (gen_random_uuid(), ?, 'webhook.test', '{}', 1, now() + interval '1 hour', now(), now(), 500)", retrying);
    await().atMost(Duration.ofSeconds(10)).until(() -> check(health(shop.key()), "webhook_endpoints_failing").getLong("value") == 2);

    JsonObject h = health(shop.key());
    assertThat(check(h, "webhook_endpoints_failing").getString("status")).as(h.encodePrettily()).isEqualTo("warning");
    assertThat(check(h, "webhook_endpoints_failing").getString("message")).contains("2 webhook endpoints");
    assertThat(h.getString("status")).isIn("warning", "critical");
    JsonObject n = health(neighbour.key());
    assertThat(check(n, "webhook_endpoints_failing").getLong("value")).as("a healthy endpoint of another tenant").isZero();
    assertThat(check(n, "webhook_endpoints_failing").getString("status")).isEqualTo("healthy");
  }

  private static String webhook(TestHub.Tenant t) {
    Http.Res res = hub.http.post("/webhooks", t.key(), new JsonObject().put("url", "http://127.0.0.1:9/hook")
        .put("eventTypes", new io.vertx.core.json.JsonArray().add("message.sent")));
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    return res.json().getString("id");
  }

  // ---------------------------------------------------------------- helpers

  private static JsonObject simulator(JsonObject extra) {
    return new JsonObject().put("provider", new JsonObject().put("type", "simulator").put("pairingMs", 0)
        .put("latencyMs", 5).mergeIn(extra))
        .put("pacing", new JsonObject().put("minIntervalMs", 0).put("jitterMs", 0));
  }

  private static void post(TestHub.Tenant t, String instance, String to) {
    Http.Res res = hub.http.post("/instances/" + instance + "/messages", t.key(), new JsonObject().put("to", to).put("text", "hi"));
    assertThat(res.status()).as(res.body()).isEqualTo(202);
  }

  private static String state(TestHub.Tenant t, String instance) {
    return hub.http.get("/instances/" + instance + "/status", t.key()).json().getString("state");
  }

  private static JsonObject health(String key) {
    Http.Res res = hub.http.get("/health", key);
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    return res.json();
  }

  private static JsonObject check(JsonObject health, String name) {
    return health.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> name.equals(c.getString("name"))).findFirst().orElseThrow();
  }

  private static JsonObject totals(JsonObject health) {
    return health.getJsonObject("queue").getJsonObject("total");
  }

  private static List<String> ids(JsonObject health) {
    JsonArray a = health.getJsonObject("queue").getJsonArray("instances");
    return a.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }
}
