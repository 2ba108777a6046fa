package org.wahub.provider.adapter;

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
import org.wahub.support.TestPg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The adapter protocol end to end: a real hub, real HTTP, real PostgreSQL, and a reference adapter
 * written from docs/adapter-protocol.md. The hub's limits still decide when a dispatch goes; what
 * the tests check is the protocol: dispatch, ack, confirm, fail, replay, tokens, state and events.
 */
@ExtendWith(VertxExtension.class)
class AdapterProtocolTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of(
        "HUB_TIME_SCALE", "60",
        "HUB_SEND_TIMEOUT_MS", "3000",
        "HUB_ADAPTER_ACK_TIMEOUT_MS", "300",
        "HUB_ADAPTER_HEARTBEAT_MS", "200"));
    http = hub.http;
    shop = hub.tenant("adapter-shop");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  /** Creates an adapter instance and returns its token (shown only in this answer). */
  static String adapterInstance(String id) {
    Http.Res res = http.post("/instances", shop.key(), new JsonObject().put("id", id)
        .put("provider", new JsonObject().put("type", "adapter"))
        .put("limits", new JsonObject().put("perMinute", 60).put("perHour", 600).put("perDay", 3000))
        .put("pacing", new JsonObject().put("minIntervalMs", 0)));
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    String token = res.json().getJsonObject("provider").getString("token");
    assertThat(token).startsWith("wah_");
    await().atMost(ReferenceAdapter.patience()).until(() -> http.get("/instances/" + id + "/status", shop.key()).status() == 200);
    return token;
  }

  static ReferenceAdapter readyAdapter(String id) throws Exception {
    ReferenceAdapter adapter = new ReferenceAdapter(hub.port, id, adapterInstance(id));
    assertThat(adapter.connect()).isEqualTo(200);
    assertThat(adapter.report(ReferenceAdapter.state("READY")).status()).isEqualTo(200);
    awaitState(id, "READY");
    return adapter;
  }

  static void awaitState(String id, String state) {
    await().atMost(ReferenceAdapter.patience()).until(() ->
        state.equals(http.get("/instances/" + id + "/status", shop.key()).json().getString("state")));
  }

  static String post(String instance, String to, String text) {
    Http.Res res = http.post("/instances/" + instance + "/messages", shop.key(), new JsonObject().put("to", to).put("text", text));
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    return res.json().getString("id");
  }

  static JsonObject message(String id) {
    return http.get("/messages/" + id, shop.key()).json();
  }

  static void awaitStatus(String id, String status) {
    await().atMost(ReferenceAdapter.patience()).until(() -> status.equals(message(id).getString("status")));
  }

  @Test
  void messagesFlowThroughTheAdapterAndEachIsSentOnce() throws Exception {
    try (ReferenceAdapter adapter = readyAdapter("ad-flow")) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ids.add(post("ad-flow", "+4915112345" + (600 + i), "hello " + i));
      }
      for (String id : ids) {
        awaitStatus(id, "sent");
        assertThat(message(id).getString("providerMessageId")).isEqualTo("ext-" + id);
      }
      assertThat(adapter.phoneSends.get()).isEqualTo(5);
      assertThat(adapter.phone.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(adapter.dispatches).hasSize(5);
      // dispatch ids are messageId.attempt: what Last-Event-ID names
      assertThat(adapter.dispatches.get(0).getString("id")).isEqualTo(ids.get(0) + ".1");
      // the heartbeat keeps the stream visibly alive
      await().atMost(ReferenceAdapter.patience()).until(() -> adapter.pings.get() >= 2);
    }
  }

  @Test
  void aDisconnectMidDispatchReplaysItOnReconnectAndTheMessageIsSentOnce() throws Exception {
    try (ReferenceAdapter adapter = readyAdapter("ad-drop")) {
      AtomicInteger seen = new AtomicInteger();
      adapter.behaviour = d -> seen.incrementAndGet() == 1 ? ReferenceAdapter.Reaction.DROP_STREAM
          : ReferenceAdapter.Reaction.CONFIRM;
      String id = post("ad-drop", "+4915112345700", "survives a drop");
      await().atMost(ReferenceAdapter.patience()).until(() -> adapter.dispatches.size() == 1);
      awaitState("ad-drop", "DISCONNECTED");
      assertThat(adapter.connect()).isEqualTo(200);
      assertThat(adapter.report(ReferenceAdapter.state("READY")).status()).isEqualTo(200);
      awaitStatus(id, "sent");
      assertThat(adapter.dispatches).hasSizeGreaterThanOrEqualTo(2)
          .allSatisfy(d -> assertThat(d.getString("messageId")).isEqualTo(id));
      assertThat(adapter.phoneSends.get()).isEqualTo(1);
      assertThat(message(id).getInteger("attempts")).isEqualTo(1);
    }
  }

  @Test
  void anUnacknowledgedDispatchIsRepeatedAfterTheAckTimeout() throws Exception {
    try (ReferenceAdapter adapter = readyAdapter("ad-silent")) {
      AtomicInteger seen = new AtomicInteger();
      adapter.behaviour = d -> seen.incrementAndGet() == 1 ? ReferenceAdapter.Reaction.IGNORE
          : ReferenceAdapter.Reaction.CONFIRM;
      String id = post("ad-silent", "+4915112345701", "say it twice");
      awaitStatus(id, "sent");
      assertThat(adapter.dispatches).hasSize(2);
      assertThat(adapter.dispatches.get(1).getString("id")).isEqualTo(adapter.dispatches.get(0).getString("id"));
      assertThat(adapter.phoneSends.get()).isEqualTo(1);
    }
  }

  @Test
  void failuresAreRetriedOrFinalAsTheAdapterSays() throws Exception {
    try (ReferenceAdapter adapter = readyAdapter("ad-fail")) {
      AtomicInteger seen = new AtomicInteger();
      adapter.behaviour = d -> {
        if (d.getString("to").endsWith("799")) {
          return ReferenceAdapter.Reaction.FAIL_PERMANENT;
        }
        return seen.incrementAndGet() == 1 ? ReferenceAdapter.Reaction.FAIL_RETRIABLE : ReferenceAdapter.Reaction.CONFIRM;
      };
      String retried = post("ad-fail", "+4915112345702", "second time lucky");
      awaitStatus(retried, "sent");
      assertThat(message(retried).getInteger("attempts")).isEqualTo(2);
      String refused = post("ad-fail", "+4915112345799", "nobody there");
      awaitStatus(refused, "failed");
      JsonObject failed = message(refused);
      assertThat(failed.getJsonObject("lastError").getString("code")).isEqualTo("not_on_whatsapp");
      assertThat(failed.getInteger("attempts")).isEqualTo(1);
    }
  }

  @Test
  void onlyTheInstancesOwnTokenOpensItsRoutes() throws Exception {
    String token = adapterInstance("ad-auth");
    String other = adapterInstance("ad-auth-other");
    String stream = "/instances/ad-auth/adapter/stream";
    assertThat(http.get(stream, null).status()).isEqualTo(401);
    assertThat(http.get(stream, "wah_not-the-token").status()).isEqualTo(401);
    assertThat(http.get(stream, other).status()).isEqualTo(401);
    // hub keys are not adapter tokens
    assertThat(http.get(stream, shop.key()).status()).isEqualTo(401);
    assertThat(http.get(stream, TestHub.ADMIN_KEY).status()).isEqualTo(401);
    // an unknown instance answers like a wrong token
    assertThat(http.get("/instances/nope/adapter/stream", token).status()).isEqualTo(401);
    Http.Res events = http.post("/instances/ad-auth/adapter/events", other,
        new JsonObject().put("events", new JsonArray().add(ReferenceAdapter.state("READY"))));
    assertThat(events.status()).isEqualTo(401);
    assertThat(events.header("Content-Type")).startsWith("application/problem+json");

    // a message of a simulator instance cannot be confirmed with any adapter token
    hub.instance(shop, "ad-sim", new JsonObject());
    String simulated = post("ad-sim", "+4915112345703", "not yours");
    assertThat(http.post("/messages/" + simulated + "/confirm", token, new JsonObject().put("externalId", "x")).status())
        .isEqualTo(401);
    assertThat(http.post("/messages/not-a-uuid/ack", token, new JsonObject()).status()).isEqualTo(401);
    assertThat(message(simulated).getString("status")).isNotEqualTo("sent").isNotEqualTo("failed");
  }

  @Test
  void answersForMessagesNotInFlightAreConflictsAndChangeNothing() throws Exception {
    try (ReferenceAdapter adapter = readyAdapter("ad-late")) {
      String id = post("ad-late", "+4915112345704", "once");
      awaitStatus(id, "sent");
      Http.Res late = adapter.post("/messages/" + id + "/fail", new JsonObject().put("reason", "late").put("retriable", false));
      assertThat(late.status()).as(late.body()).isEqualTo(409);
      assertThat(late.json().getString("code")).isEqualTo("not_dispatched");
      assertThat(message(id).getString("status")).isEqualTo("sent");
    }
  }

  @Test
  void badBodiesAreFieldErrorsAndChangeNothing() throws Exception {
    try (ReferenceAdapter adapter = readyAdapter("ad-bad")) {
      Http.Res res = adapter.report(new JsonObject().put("type", "state").put("state", "HAPPY"),
          new JsonObject().put("type", "vote").put("id", "v1").put("pollExternalId", "p").put("voter", "x")
              .put("options", new JsonArray().add(3)),
          new JsonObject().put("type", "teleport"));
      assertThat(res.status()).as(res.body()).isEqualTo(400);
      List<String> pointers = res.json().getJsonArray("errors").stream()
          .map(e -> ((JsonObject) e).getString("pointer")).toList();
      assertThat(pointers).containsExactlyInAnyOrder("/events/0/state", "/events/1/options", "/events/2/type");
      assertThat(adapter.post("/instances/ad-bad/adapter/events", new JsonObject().put("events", new JsonArray())).status())
          .isEqualTo(400);
      JsonArray many = new JsonArray();
      for (int i = 0; i < 101; i++) {
        many.add(ReferenceAdapter.state("READY"));
      }
      assertThat(adapter.post("/instances/ad-bad/adapter/events", new JsonObject().put("events", many)).status())
          .isEqualTo(400);
      String id = post("ad-bad", "+4915112345705", "x");
      awaitStatus(id, "sent");
      assertThat(adapter.post("/messages/" + id + "/confirm", new JsonObject()).status()).isEqualTo(400);
      assertThat(adapter.post("/messages/" + id + "/fail", new JsonObject().put("reason", "r").put("retriable", "no"))
          .status()).isEqualTo(400);
      // nothing above changed the instance
      awaitState("ad-bad", "READY");
    }
  }

  @Test
  void theAdapterReportsStateAndQr() throws Exception {
    try (ReferenceAdapter adapter = readyAdapter("ad-qr")) {
      assertThat(adapter.report(new JsonObject().put("type", "state").put("state", "NEEDS_QR").put("qr", "2@scan-me"))
          .status()).isEqualTo(200);
      awaitState("ad-qr", "NEEDS_QR");
      Http.Res qr = http.get("/instances/ad-qr/qr", shop.key());
      assertThat(qr.status()).as(qr.body()).isEqualTo(200);
      assertThat(qr.json().getString("qr")).isEqualTo("2@scan-me");
      // a message waits while the adapter is not READY, and goes once it is
      String id = post("ad-qr", "+4915112345706", "after pairing");
      assertThat(adapter.dispatches).isEmpty();
      assertThat(adapter.report(ReferenceAdapter.state("READY")).status()).isEqualTo(200);
      awaitStatus(id, "sent");
      assertThat(adapter.phoneSends.get()).isEqualTo(1);
    }
  }

  @Test
  void aNewerStreamReplacesTheOlderOne() throws Exception {
    String id = "ad-twice";
    String token = adapterInstance(id);
    try (ReferenceAdapter first = new ReferenceAdapter(hub.port, id, token);
         ReferenceAdapter second = new ReferenceAdapter(hub.port, id, token)) {
      assertThat(first.connect()).isEqualTo(200);
      assertThat(first.report(ReferenceAdapter.state("READY")).status()).isEqualTo(200);
      awaitState(id, "READY");
      assertThat(second.connect()).isEqualTo(200);
      await().atMost(ReferenceAdapter.patience()).until(() -> first.closes.size() == 1);
      assertThat(first.closes.get(0)).contains("replaced");
      String m = post(id, "+4915112345707", "to the newest");
      awaitStatus(m, "sent");
      assertThat(second.phoneSends.get()).isEqualTo(1);
      assertThat(first.dispatches).isEmpty();
    }
  }
}
