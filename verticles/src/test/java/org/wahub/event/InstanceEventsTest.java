package org.wahub.event;

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

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Instance state changes leave the actor through its command executor (InstanceEffects) and are
 * written with their domain events in one statement: one instance.state_changed per audit row,
 * in the same order, plus instance.needs_qr (with the QR) and instance.failed where the state says
 * so. Accelerated time (HUB_TIME_SCALE=60) so the reconnect ladder runs out within seconds.
 */
@ExtendWith(VertxExtension.class)
class InstanceEventsTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of(
        "HUB_TIME_SCALE", "60",
        "RECONNECT_DELAYS_MS", "6000,12000,18000",
        "RESTART_WINDOW_MINUTES", "1"));
    http = hub.http;
    shop = hub.tenant("instance-events");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static JsonObject simulator(JsonObject config) {
    return new JsonObject().put("provider", new JsonObject().put("type", "simulator").put("pairingMs", 0)
        .put("softRestartMs", 30).put("hardRestartMs", 30).mergeIn(config));
  }

  static void simulate(String instance, JsonObject command) {
    Http.Res res = http.post("/instances/" + instance + "/simulate", shop.key(), command);
    assertThat(res.status()).as(res.body()).isEqualTo(200);
  }

  static void awaitState(String instance, String state) {
    await().atMost(Duration.ofSeconds(20)).until(() ->
        state.equals(http.get("/instances/" + instance + "/status", shop.key()).json().getString("state")));
  }

  static List<Map<String, Object>> events(String instance, String type) {
    return hub.sql.rows("SELECT tenant_id, message_id, data::text AS data FROM events WHERE instance_id = ? AND type = ? "
        + "ORDER BY tx, seq", instance, type);
  }

  /** "FROM>TO" of every state_changed event, in position order. */
  static List<String> moves(String instance) {
    return events(instance, "instance.state_changed").stream().map(r -> new JsonObject((String) r.get("data")))
        .map(d -> d.getString("from") + ">" + d.getString("to")).toList();
  }

  /** "FROM>TO" of every audited state change, in the order written. */
  static List<String> audited(String instance) {
    return hub.sql.rows("SELECT from_state, to_state FROM instance_events WHERE instance_id = ? AND to_state IS NOT NULL "
        + "ORDER BY id", instance).stream().map(r -> r.get("from_state") + ">" + r.get("to_state")).toList();
  }

  @Test
  void needsQrCarriesTheCodeAndEveryMoveIsToldOnceInOrder() {
    hub.instance(shop, "ie-qr", simulator(new JsonObject().put("startState", "NEEDS_QR")));
    awaitState("ie-qr", "NEEDS_QR");
    await().atMost(Duration.ofSeconds(5)).until(() -> events("ie-qr", "instance.needs_qr").size() == 1);
    JsonObject qr = new JsonObject((String) events("ie-qr", "instance.needs_qr").get(0).get("data"));
    assertThat(qr.getString("qr")).startsWith("sim-qr:").isEqualTo(http.get("/instances/ie-qr/qr", shop.key()).json()
        .getString("qr"));
    assertThat(qr.getString("to")).isEqualTo("NEEDS_QR");
    assertThat(qr.getString("tenantId")).isEqualTo(shop.id());

    simulate("ie-qr", new JsonObject().put("event", "ready"));
    awaitState("ie-qr", "READY");
    await().atMost(Duration.ofSeconds(5)).until(() -> moves("ie-qr").size() == 2);
    assertThat(moves("ie-qr")).containsExactly("STARTING>NEEDS_QR", "NEEDS_QR>READY").isEqualTo(audited("ie-qr"));

    // an operator's stop and start are moves too; a repeated stop is none
    assertThat(http.post("/instances/ie-qr/stop", shop.key(), new JsonObject()).status()).isEqualTo(200);
    assertThat(http.post("/instances/ie-qr/stop", shop.key(), new JsonObject()).status()).isEqualTo(200);
    awaitState("ie-qr", "STOPPED");
    await().atMost(Duration.ofSeconds(5)).until(() -> moves("ie-qr").size() == 3);
    assertThat(moves("ie-qr")).endsWith("READY>STOPPED").isEqualTo(audited("ie-qr"));
    List<Map<String, Object>> all = hub.sql.rows("SELECT tenant_id, message_id FROM events WHERE instance_id = 'ie-qr'");
    assertThat(all).hasSize(4).allSatisfy(r -> assertThat(r).containsEntry("tenant_id", shop.id())
        .containsEntry("message_id", null));
    assertThat(events("ie-qr", "instance.failed")).isEmpty();
  }

  @Test
  void anExhaustedLadderWritesInstanceFailedOnce() {
    hub.instance(shop, "ie-doomed", simulator(new JsonObject()));
    awaitState("ie-doomed", "READY");
    simulate("ie-doomed", new JsonObject().put("event", "disconnect").put("failRestarts", 100));
    awaitState("ie-doomed", "FAILED");
    await().atMost(Duration.ofSeconds(5)).until(() -> events("ie-doomed", "instance.failed").size() == 1);
    JsonObject failed = new JsonObject((String) events("ie-doomed", "instance.failed").get(0).get("data"));
    assertThat(failed.getString("to")).isEqualTo("FAILED");
    assertThat(failed.getString("reason")).contains("reconnect ladder exhausted");
    // every state change of the climb is told, once each, in the order it was audited
    await().atMost(Duration.ofSeconds(5)).until(() -> moves("ie-doomed").size() == audited("ie-doomed").size());
    assertThat(moves("ie-doomed")).isEqualTo(audited("ie-doomed")).contains("READY>DISCONNECTED")
        .endsWith("DISCONNECTED>FAILED");
    assertThat(events("ie-doomed", "instance.needs_qr")).isEmpty();
  }
}
