package org.wahub.event;

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

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delivery path writes its message events into the outbox in the same statement as the change
 * (DESIGN §8): exactly one per change, with the message's ids, recipient, attempt, the caller's
 * metadata and the change's own data; message.queued only while an enabled endpoint of the tenant
 * names it. Real hub, simulator provider, real PostgreSQL; the outbox is read with plain SQL.
 */
@ExtendWith(VertxExtension.class)
class MessageEventsTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static TestHub.Tenant other;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of("HUB_SEND_TIMEOUT_MS", "600"));
    http = hub.http;
    shop = hub.tenant("events-shop");
    other = hub.tenant("events-other");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static JsonObject simulator(JsonObject config) {
    return new JsonObject().put("provider", new JsonObject().put("type", "simulator").put("pairingMs", 0)
        .put("latencyMs", 5).mergeIn(config)).put("pacing", new JsonObject().put("minIntervalMs", 0));
  }

  static String post(TestHub.Tenant t, String instance, JsonObject body) {
    Http.Res res = http.post("/instances/" + instance + "/messages", t.key(), body);
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    return res.json().getString("id");
  }

  static JsonObject text(String to, String text) {
    return new JsonObject().put("to", to).put("text", text);
  }

  static void simulate(String instance, JsonObject command) {
    Http.Res res = http.post("/instances/" + instance + "/simulate", shop.key(), command);
    assertThat(res.status()).as(res.body()).isEqualTo(200);
  }

  static String status(String id) {
    return http.get("/messages/" + id, shop.key()).json().getString("status");
  }

  static void awaitReady(String instance) {
    await().atMost(Duration.ofSeconds(20)).until(() ->
        "READY".equals(http.get("/instances/" + instance + "/status", shop.key()).json().getString("state")));
  }

  /** The outbox rows of one message, in position order. */
  static List<Map<String, Object>> events(String messageId) {
    return hub.sql.rows("SELECT tenant_id, instance_id, type, at, data::text AS data FROM events "
        + "WHERE message_id = ?::uuid ORDER BY tx, seq", messageId);
  }

  static long count(String messageId, String type) {
    return hub.sql.count("SELECT count(*) FROM events WHERE message_id = ?::uuid AND type = ?", messageId, type);
  }

  static JsonObject only(String messageId, String type) {
    List<Map<String, Object>> rows = events(messageId).stream().filter(r -> type.equals(r.get("type"))).toList();
    assertThat(rows).as("exactly one %s of %s", type, messageId).hasSize(1);
    return new JsonObject((String) rows.get(0).get("data"));
  }

  @Test
  void aSentMessageWritesOneMessageSentWithItsMetadataAndProviderId() {
    hub.instance(shop, "ev-sent", simulator(new JsonObject()));
    awaitReady("ev-sent");
    String id = post(shop, "ev-sent", text("+4915112340101", "hello").put("metadata",
        new JsonObject().put("orderId", "A-42").put("n", 7)));
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(id)));
    await().atMost(Duration.ofSeconds(5)).until(() -> count(id, "message.sent") == 1);

    JsonObject data = only(id, "message.sent");
    JsonObject view = http.get("/messages/" + id, shop.key()).json();
    assertThat(data.getString("tenantId")).isEqualTo(shop.id());
    assertThat(data.getString("instanceId")).isEqualTo("ev-sent");
    assertThat(data.getString("messageId")).isEqualTo(id);
    assertThat(data.getString("to")).isEqualTo(view.getString("to"));
    assertThat(data.getInteger("attempt")).isEqualTo(1);
    assertThat(data.getString("status")).isEqualTo("sent");
    assertThat(data.getString("providerMessageId")).isEqualTo(view.getString("providerMessageId")).isNotNull();
    assertThat(data.getJsonObject("metadata")).isEqualTo(new JsonObject().put("orderId", "A-42").put("n", 7));
    Map<String, Object> row = events(id).get(0);
    assertThat(row).containsEntry("tenant_id", shop.id()).containsEntry("instance_id", "ev-sent");
    // the event's time is the change's time (the hub's clock, as sent_at)
    assertThat(hub.sql.count("SELECT count(*) FROM events e JOIN messages m ON m.id = e.message_id "
        + "WHERE e.message_id = ?::uuid AND e.at = m.sent_at", id)).isEqualTo(1);
    // nothing else: no message.queued (nobody asked for it), no failure
    assertThat(events(id)).hasSize(1);
  }

  @Test
  void permanentFailureRetriesAndInDoubtEachWriteTheirOwnEventOnce() {
    hub.instance(shop, "ev-fail", simulator(new JsonObject()));
    awaitReady("ev-fail");
    simulate("ev-fail", new JsonObject().put("event", "fail_next").put("count", 1).put("kind", "permanent"));
    String failed = post(shop, "ev-fail", text("+4915112340102", "blocked"));
    await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(status(failed)));
    JsonObject f = only(failed, "message.failed");
    assertThat(f.getString("status")).isEqualTo("failed");
    assertThat(f.getJsonObject("error").getString("code")).isEqualTo("not_on_whatsapp");
    assertThat(f.getJsonObject("metadata")).isEqualTo(new JsonObject());
    assertThat(events(failed)).hasSize(1);

    // a retriable failure is a retry, not an event; the later success is one message.sent
    simulate("ev-fail", new JsonObject().put("event", "fail_next").put("count", 1));
    String retried = post(shop, "ev-fail", text("+4915112340103", "second try"));
    await().atMost(Duration.ofSeconds(30)).until(() -> "sent".equals(status(retried)));
    assertThat(only(retried, "message.sent").getInteger("attempt")).isEqualTo(2);
    assertThat(events(retried)).hasSize(1);

    // the answer is lost after hand-off: in doubt, once
    simulate("ev-fail", new JsonObject().put("event", "crash_after_send"));
    String lost = post(shop, "ev-fail", text("+4915112340104", "answer lost"));
    await().atMost(Duration.ofSeconds(10)).until(() -> "in_doubt".equals(status(lost)));
    JsonObject d = only(lost, "message.in_doubt");
    assertThat(d.getJsonObject("error").getString("code")).isEqualTo("timeout");
    assertThat(events(lost)).hasSize(1);
  }

  @Test
  void expiryAndCancelWriteOneEventEachAndARefusedCancelWritesNone() {
    hub.instance(shop, "ev-paused", null); // stays at NEEDS_QR: nothing is sent
    String expiring = post(shop, "ev-paused", text("+4915112340105", "too late")
        .put("expiresAt", Instant.now().plusSeconds(2).toString()).put("metadata", new JsonObject().put("k", "v")));
    await().atMost(Duration.ofSeconds(15)).until(() -> "expired".equals(status(expiring)));
    JsonObject e = only(expiring, "message.expired");
    assertThat(e.getString("status")).isEqualTo("expired");
    assertThat(e.getJsonObject("error").getString("code")).isEqualTo("expired");
    assertThat(e.getJsonObject("metadata").getString("k")).isEqualTo("v");
    assertThat(e.getString("expiresAt")).isNotNull();
    assertThat(events(expiring)).hasSize(1);

    String cancelled = post(shop, "ev-paused", text("+4915112340106", "never mind"));
    assertThat(http.post("/messages/" + cancelled + "/cancel", shop.key(), new JsonObject()).status()).isEqualTo(200);
    JsonObject c = only(cancelled, "message.cancelled");
    assertThat(c.getString("from")).isEqualTo("queued");
    assertThat(c.getString("tenantId")).isEqualTo(shop.id());
    // cancelling again is refused (409): the statement matched nothing, so it wrote nothing
    assertThat(http.post("/messages/" + cancelled + "/cancel", shop.key(), new JsonObject()).status()).isEqualTo(409);
    // an expired message cannot be cancelled either
    assertThat(http.post("/messages/" + expiring + "/cancel", shop.key(), new JsonObject()).status()).isEqualTo(409);
    assertThat(events(cancelled)).hasSize(1);
    assertThat(events(expiring)).hasSize(1);
  }

  @Test
  void messageQueuedIsWrittenOnlyWhileAnEnabledEndpointOfTheTenantNamesIt() {
    hub.instance(shop, "ev-queued", null);
    hub.instance(shop, "ev-queued-2", null);
    hub.instance(other, "ev-queued-other", null);
    String before = post(shop, "ev-queued", text("+4915112340107", "nobody listens"));
    assertThat(events(before)).isEmpty();

    // a wildcard does not ask for message.queued; another tenant's subscription does not count
    webhook(shop, new JsonArray().add("message.*").add("*"), null);
    webhook(other, new JsonArray().add("message.queued"), null);
    String wildcard = post(shop, "ev-queued", text("+4915112340108", "wildcards only"));
    assertThat(events(wildcard)).isEmpty();

    // named, but for another instance: still nothing for this one
    String onlySecond = webhook(shop, new JsonArray().add("message.queued"), "ev-queued-2");
    String stillNone = post(shop, "ev-queued", text("+4915112340109", "other instance listens"));
    assertThat(events(stillNone)).isEmpty();
    String forSecond = post(shop, "ev-queued-2", text("+4915112340110", "listened to").put("metadata",
        new JsonObject().put("ref", 1)));
    JsonObject q = only(forSecond, "message.queued");
    assertThat(q.getString("status")).isEqualTo("queued");
    assertThat(q.getInteger("attempt")).isZero();
    assertThat(q.getJsonObject("metadata").getInteger("ref")).isEqualTo(1);

    // a replay of the same request is not a new message: no second event
    JsonObject again = text("+4915112340111", "once").put("idempotencyKey", "queued-once");
    String first = post(shop, "ev-queued-2", again);
    assertThat(post(shop, "ev-queued-2", again)).isEqualTo(first);
    assertThat(count(first, "message.queued")).isEqualTo(1);

    // disabled: nothing again
    assertThat(http.patch("/webhooks/" + onlySecond, shop.key(), new JsonObject().put("enabled", false)).status())
        .isEqualTo(200);
    String afterDisable = post(shop, "ev-queued-2", text("+4915112340112", "disabled"));
    assertThat(events(afterDisable)).isEmpty();
  }

  static String webhook(TestHub.Tenant t, JsonArray types, String instance) {
    JsonObject body = new JsonObject().put("url", "http://127.0.0.1:9/hook").put("eventTypes", types);
    if (instance != null) {
      body.put("instanceId", instance);
    }
    Http.Res res = http.post("/webhooks", t.key(), body);
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    return res.json().getString("id");
  }
}
