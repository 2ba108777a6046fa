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

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tenant cannot stop the hub through the simulator: halting the JVM needs the operator setting
 * HUB_SIMULATOR_ALLOW_HALT (off by default), and malformed fault-injection commands are 400s
 * answered at once, never time-outs in the instance.
 */
@ExtendWith(VertxExtension.class)
class SimulatorAbuseTest {

  static TestHub hub;
  static TestHub.Tenant shop;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx);
    shop = hub.tenant("abuse-shop");
    hub.instance(shop, "victim", new JsonObject().put("provider", new JsonObject().put("type", "simulator")
        .put("startState", "READY").put("pairingMs", 0).put("latencyMs", 0))
        .put("pacing", new JsonObject().put("minIntervalMs", 0)));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void aTenantCannotHaltTheProcessAndTheHubKeepsServing() {
    Http http = hub.http;
    await().until(() -> "READY".equals(http.get("/instances/victim/status", shop.key()).json().getString("state")));
    Http.Res halt = http.post("/instances/victim/simulate", shop.key(),
        new JsonObject().put("event", "crash_after_send").put("halt", true));
    assertThat(halt.status()).as(halt.body()).isEqualTo(403);
    assertThat(halt.json().getString("code")).isEqualTo("halt_not_allowed");

    // the refused command changed nothing: the next message is sent normally and the hub still answers
    Http.Res sent = http.post("/instances/victim/messages", shop.key(),
        new JsonObject().put("to", "+4915112345678").put("text", "still here"));
    assertThat(sent.status()).isEqualTo(202);
    String id = sent.json().getString("id");
    await().until(() -> "sent".equals(http.get("/messages/" + id, shop.key()).json().getString("status")));
    assertThat(http.get("/health/live", null).status()).isEqualTo(200);
  }

  @Test
  void malformedCommandsAreBadRequestsAnsweredAtOnce() {
    Http http = hub.http;
    List<JsonObject> bad = List.of(
        new JsonObject().put("event", "fail_next").put("count", "x"),
        new JsonObject().put("event", "fail_next").put("kind", "sometimes"),
        new JsonObject().put("event", "disconnect").put("failRestarts", -1),
        new JsonObject().put("event", "crash_after_send").put("halt", "yes"),
        new JsonObject().put("event", "receipt").put("status", "delivered"),
        new JsonObject().put("event", "explode"),
        new JsonObject().put("event", 7),
        new JsonObject().put("event", "ready").put("unknownField", 1));
    int checked = 0;
    for (JsonObject command : bad) {
      long t0 = System.nanoTime();
      Http.Res res = http.post("/instances/victim/simulate", shop.key(), command);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(res.status()).as(command + " -> " + res.body()).isEqualTo(400);
      assertThat(res.header("Content-Type")).startsWith("application/problem+json");
      assertThat(ms).as("answered without waiting for the instance").isLessThan(2_000);
      checked++;
    }
    assertThat(checked).isEqualTo(bad.size());
  }
}
