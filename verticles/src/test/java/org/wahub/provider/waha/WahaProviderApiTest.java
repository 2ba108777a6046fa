package org.wahub.provider.waha;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * waha instances end to end: a real hub (real HTTP, the embedded PostgreSQL) whose instances drive
 * the fake WAHA over real HTTP through the outbound guard, and the fake posting signed webhooks back
 * to the hub's {@code HUB_PUBLIC_URL}. Every body the hub sends to WAHA is validated against WAHA's
 * OpenAPI schema; the captured log never shows a secret.
 */
@ExtendWith(VertxExtension.class)
class WahaProviderApiTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static FakeWaha fake;
  static String wahaUrl;
  static int hubPort;
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  /** Every webhook HMAC key handed to the hub, to look for in the log. */
  static final Set<String> secrets = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start(Vertx vertx) {
    Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.setContext(root.getLoggerContext());
    logs.start();
    root.addAppender(logs);
    fake = new FakeWaha(vertx);
    wahaUrl = "http://127.0.0.1:" + fake.start();
    hubPort = TestHub.freePort();
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of(
        "HUB_HTTP_PORT", hubPort,
        "HUB_PUBLIC_URL", "http://127.0.0.1:" + hubPort,
        "HUB_OUTBOUND_ALLOW", "127.0.0.1/32",
        "HUB_TIME_SCALE", "60",
        "HUB_SEND_TIMEOUT_MS", "3000",
        "CIRCUIT_BREAKER_MAX_FAILURES", "1000"));
    http = hub.http;
    shop = hub.tenant("waha-shop");
    secrets.add(FakeWaha.API_KEY);
  }

  @AfterAll
  static void stop() {
    hub.close();
    fake.close();
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(logs);
    logs.stop();
  }

  @AfterEach
  void everyRequestMatchedWahasSchemaAndNoSecretWasLogged() {
    assertThat(fake.violations()).isEmpty();
    assertThat(fake.validatedRequests()).isPositive();
    List<String> lines;
    synchronized (logs) { // ListAppender appends under its own lock (AppenderBase.doAppend), not the list's
      lines = logs.list.stream().map(e -> e.getFormattedMessage() + " " + e.getKeyValuePairs()
          + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
    }
    assertThat(lines).isNotEmpty();
    for (String secret : secrets) {
      assertThat(lines).noneMatch(l -> l.contains(secret));
    }
    fake.pairedByDefault = true;
    fake.script.clear();
  }

  /** Creates a waha instance on its own WAHA session and waits until its actor answers. */
  static String create(String session, JsonObject providerExtra) {
    String id = "waha-" + UUID.randomUUID().toString().substring(0, 8);
    String key = "whk-" + UUID.randomUUID();
    secrets.add(key);
    JsonObject provider = new JsonObject().put("type", "waha").put("baseUrl", wahaUrl).put("apiKey", FakeWaha.API_KEY)
        .put("session", session).put("webhookHmacKey", key).mergeIn(providerExtra == null ? new JsonObject() : providerExtra);
    Http.Res res = http.post("/instances", shop.key(), new JsonObject().put("id", id).put("provider", provider)
        .put("limits", new JsonObject().put("perMinute", 100).put("perHour", 1000).put("perDay", 1000))
        .put("pacing", new JsonObject().put("minIntervalMs", 0)));
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/instances/" + id + "/status", shop.key()).status() == 200);
    return id;
  }

  static String state(String id) {
    return http.get("/instances/" + id + "/status", shop.key()).json().getString("state");
  }

  static void awaitState(String id, String state) {
    await(id + " " + state).atMost(Duration.ofSeconds(20)).until(() -> state.equals(state(id)));
  }

  static String session() {
    return "s" + UUID.randomUUID().toString().substring(0, 8);
  }

  static String post(String id, String path, JsonObject body) {
    Http.Res res = http.post("/instances/" + id + path, shop.key(), body);
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    return res.json().getString("id");
  }

  static JsonObject message(String messageId) {
    Http.Res res = http.get("/messages/" + messageId, shop.key());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    return res.json();
  }

  static JsonObject awaitStatus(String messageId, String status) {
    await(messageId + " " + status).atMost(Duration.ofSeconds(20)).until(() -> status.equals(message(messageId).getString("status")));
    return message(messageId);
  }

  static FakeWaha.Sent sentWith(String text) {
    synchronized (fake.sent) {
      return fake.sent.stream().filter(s -> text.equals(s.body().getString("text"))).reduce((a, b) -> b).orElseThrow();
    }
  }

  static JsonObject ack(String providerMessageId, int ack) {
    return new JsonObject().put("id", providerMessageId).put("from", "4915100000000@c.us").put("to", "4915112345678@c.us")
        .put("participant", "4915112345678@c.us").put("fromMe", true).put("ack", ack).put("ackName", "ACK_" + ack);
  }

  static List<Integer> result(io.vertx.core.Future<List<Integer>> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- the happy path

  @Test
  void textAndPollAreSentThroughWahaAndReceiptsComeBackSigned() {
    String name = session();
    String id = create(name, null);
    awaitState(id, "READY");
    // the session was created with start sent explicitly and the hub's signed webhook
    JsonObject created = fake.requests("POST", "/api/sessions").stream()
        .filter(r -> name.equals(r.body().getString("name"))).findFirst().orElseThrow().body();
    assertThat(created.getBoolean("start")).isTrue();
    assertThat(created.getJsonObject("config").getJsonArray("webhooks").getJsonObject(0).getString("url"))
        .isEqualTo("http://127.0.0.1:" + hubPort + "/providers/waha/" + id + "/webhook");

    String text = "Order 1001 confirmed " + UUID.randomUUID();
    String textId = post(id, "/messages", new JsonObject().put("to", "+4915112345678").put("text", text));
    String pollId = post(id, "/polls", new JsonObject().put("to", "+4915112345678").put("question", "Confirm order 1001?")
        .put("options", new JsonArray().add("Yes").add("No")).put("multipleAnswers", true));

    JsonObject sentText = awaitStatus(textId, "sent");
    FakeWaha.Sent onPhone = sentWith(text);
    assertThat(sentText.getString("providerMessageId")).isEqualTo(onPhone.id());
    assertThat(onPhone.chatId()).isEqualTo("4915112345678@c.us");
    assertThat(onPhone.session()).isEqualTo(name);

    JsonObject sentPoll = awaitStatus(pollId, "sent");
    FakeWaha.Sent pollOnPhone;
    synchronized (fake.sent) {
      pollOnPhone = fake.sent.stream().filter(s -> s.id().equals(sentPoll.getString("providerMessageId"))).findFirst().orElseThrow();
    }
    assertThat(pollOnPhone.kind()).isEqualTo("poll");
    assertThat(pollOnPhone.body().getJsonObject("poll").getValue("multipleAnswers")).isEqualTo(true);

    // receipts: read before delivered, and read twice — the message ends read, and only moves forward
    assertThat(result(fake.emit(name, "message.ack", ack(onPhone.id(), 3)))).containsOnly(200);
    assertThat(result(fake.emit(name, "message.ack", ack(onPhone.id(), 2)))).containsOnly(200);
    assertThat(result(fake.emit(name, "message.ack", ack(onPhone.id(), 3)))).containsOnly(200);
    JsonObject read = awaitStatus(textId, "read");
    assertThat(read.getString("readAt")).isNotNull();

    // a vote on the poll is taken (its storage is the inbound pipeline's)
    JsonObject vote = new JsonObject()
        .put("vote", new JsonObject().put("id", "false_4915112345678@c.us_V1").put("to", "4915100000000@c.us")
            .put("from", "4915112345678@c.us").put("fromMe", false).put("selectedOptions", new JsonArray().add("Yes"))
            .put("timestamp", System.currentTimeMillis() / 1000))
        .put("poll", new JsonObject().put("id", pollOnPhone.id()).put("to", "4915112345678@c.us")
            .put("from", "4915100000000@c.us").put("fromMe", true));
    assertThat(result(fake.emit(name, "poll.vote", vote))).containsOnly(200);
  }

  @Test
  void qrAndPairingCodeWhileTheSessionWaitsForAScan() {
    fake.pairedByDefault = false;
    String name = session();
    String id = create(name, null);
    awaitState(id, "NEEDS_QR");
    Http.Res qr = http.get("/instances/" + id + "/qr", shop.key());
    assertThat(qr.status()).as(qr.body()).isEqualTo(200);
    assertThat(qr.json().getString("qr")).startsWith("data:image/png;base64,");
    assertThat(qr.json().getString("state")).isEqualTo("NEEDS_QR");

    Http.Res code = http.post("/instances/" + id + "/pairing-code", shop.key(), new JsonObject().put("phoneNumber", "+4915112345678"));
    assertThat(code.status()).as(code.body()).isEqualTo(200);
    assertThat(code.json().getString("code")).isEqualTo("ABCD-EFGH");
    assertThat(fake.requests("POST", "/api/{session}/auth/request-code")).anyMatch(r -> r.path().contains("/" + name + "/")
        && "4915112345678".equals(r.body().getString("phoneNumber")));
    assertThat(http.post("/instances/" + id + "/pairing-code", shop.key(), new JsonObject().put("phoneNumber", "call me"))
        .status()).isEqualTo(400);
    // only waha instances pair by code; another tenant's instance is not found
    String sim = "sim-" + UUID.randomUUID().toString().substring(0, 6);
    hub.instance(shop, sim, null);
    Http.Res notWaha = http.post("/instances/" + sim + "/pairing-code", shop.key(), new JsonObject().put("phoneNumber", "4915112345678"));
    assertThat(notWaha.status()).isEqualTo(409);
    assertThat(notWaha.json().getString("code")).isEqualTo("not_a_waha_instance");
    TestHub.Tenant other = hub.tenant("waha-other-" + UUID.randomUUID().toString().substring(0, 4));
    assertThat(http.post("/instances/" + id + "/pairing-code", other.key(), new JsonObject().put("phoneNumber", "4915112345678"))
        .status()).isEqualTo(404);

    fake.scan(name);
    awaitState(id, "READY");
    Http.Res none = http.get("/instances/" + id + "/qr", shop.key());
    assertThat(none.status()).isEqualTo(409);
  }

  @Test
  void softAndHardRestartsFromTheApi() {
    String name = session();
    String id = create(name, null);
    awaitState(id, "READY");
    assertThat(http.post("/instances/" + id + "/restart", shop.key(), new JsonObject().put("type", "soft")).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(20)).until(() -> fake.requests("POST", "/api/sessions/{session}/restart").stream()
        .anyMatch(r -> r.path().contains("/" + name + "/")));
    awaitState(id, "READY");
    await().atMost(Duration.ofSeconds(20)).until(() -> !http.get("/instances/" + id + "/status", shop.key()).json()
        .getJsonObject("reconnect").getBoolean("restartRunning"));

    assertThat(http.post("/instances/" + id + "/restart", shop.key(), new JsonObject().put("type", "hard")).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(20)).until(() -> fake.requests("POST", "/api/sessions/{session}/stop").stream()
        .anyMatch(r -> r.path().contains("/" + name + "/")));
    awaitState(id, "READY");
    // an operator's stop stops the WAHA session; a start brings it back
    assertThat(http.post("/instances/" + id + "/stop", shop.key(), null).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> WahaStatus.STOPPED.equals(fake.session(name).status));
    assertThat(http.post("/instances/" + id + "/start", shop.key(), null).status()).isEqualTo(202);
    awaitState(id, "READY");
  }

  // ---------------------------------------------------------------- the webhook's signature

  @Test
  void onlyCorrectlySignedEventsReachTheInstance() {
    String name = session();
    String key = "sig-key-" + UUID.randomUUID();
    secrets.add(key);
    String id = create(name, new JsonObject().put("webhookHmacKey", key));
    awaitState(id, "READY");
    String text = "signed " + UUID.randomUUID();
    String messageId = post(id, "/messages", new JsonObject().put("to", "+4915112345678").put("text", text));
    awaitStatus(messageId, "sent");
    String providerId = sentWith(text).id();
    FakeWaha.Session s = fake.session(name);
    byte[] body = fake.envelope(s, "message.ack", ack(providerId, 2)).encode().getBytes(StandardCharsets.UTF_8);
    String path = "/providers/waha/" + id + "/webhook";
    String good = WahaWebhook.sign(key, body);

    Map<String, Map<String, String>> refused = Map.of(
        "no signature", Map.of(),
        "another key", Map.of("X-Webhook-Hmac", WahaWebhook.sign("guessed", body), "X-Webhook-Hmac-Algorithm", "sha512"),
        "another algorithm", Map.of("X-Webhook-Hmac", good, "X-Webhook-Hmac-Algorithm", "sha256"),
        "not hex", Map.of("X-Webhook-Hmac", "nothex", "X-Webhook-Hmac-Algorithm", "sha512"));
    refused.forEach((what, headers) -> {
      Http.Res res = http.sendAsync("POST", path, null, body, "application/json", headers).join();
      assertThat(res.status()).as(what).isEqualTo(401);
      assertThat(res.json().getString("code")).as(what).isEqualTo("invalid_signature");
    });
    // a signed body that was changed on the way
    byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("\"ack\":2", "\"ack\":3").getBytes(StandardCharsets.UTF_8);
    assertThat(http.sendAsync("POST", path, null, tampered, "application/json",
        Map.of("X-Webhook-Hmac", good, "X-Webhook-Hmac-Algorithm", "sha512")).join().status()).isEqualTo(401);
    // the right signature for another (or no) instance opens nothing
    assertThat(http.sendAsync("POST", "/providers/waha/no-such-instance/webhook", null, body, "application/json",
        Map.of("X-Webhook-Hmac", good)).join().status()).isEqualTo(401);
    // nothing was handed on
    assertThat(message(messageId).getString("status")).isEqualTo("sent");

    Http.Res ok = http.sendAsync("POST", path, null, body, "application/json",
        Map.of("X-Webhook-Hmac", good, "X-Webhook-Hmac-Algorithm", "sha512", "X-Webhook-Request-Id", "req-1")).join();
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    awaitStatus(messageId, "delivered");
  }

  // ---------------------------------------------------------------- errors

  @Test
  void wahasErrorsBecomeFailedInDoubtOrAPausedInstance() {
    String name = session();
    String id = create(name, null);
    awaitState(id, "READY");

    fake.script.add(FakeWaha.Scripted.answer(400, new JsonObject().put("statusCode", 400)
        .put("message", new JsonArray().add("chatId must be a valid chat id")).put("error", "Bad Request")));
    JsonObject rejected = awaitStatus(post(id, "/messages", new JsonObject().put("to", "+4915112345678").put("text", "a")), "failed");
    assertThat(rejected.getJsonObject("lastError").getString("code")).isEqualTo("payload_rejected");

    fake.script.add(FakeWaha.Scripted.answer(500, new JsonObject().put("statusCode", 500).put("message", "Evaluation failed")));
    JsonObject crashed = awaitStatus(post(id, "/messages", new JsonObject().put("to", "+4915112345678").put("text", "b")), "in_doubt");
    assertThat(crashed.getJsonObject("lastError").getString("code")).isEqualTo("provider_unavailable");

    // handed to WhatsApp, then the connection drops: in doubt, sent exactly once, never resent
    String text = "dropped " + UUID.randomUUID();
    fake.script.add(FakeWaha.Scripted.dropAfterHandOff());
    String dropped = post(id, "/messages", new JsonObject().put("to", "+4915112345678").put("text", text));
    awaitStatus(dropped, "in_doubt");
    synchronized (fake.sent) {
      assertThat(fake.sent.stream().filter(s -> text.equals(s.body().getString("text")))).hasSize(1);
    }
    assertThat(state(id)).isEqualTo("READY");

    // a key WAHA refuses pauses the instance
    String refused = create(session(), new JsonObject().put("apiKey", "not-the-waha-key"));
    secrets.add("not-the-waha-key");
    awaitState(refused, "AUTH_FAILURE");
    // WAHA Core serves only "default": a named session is a config problem, not a reason to retry
    fake.core = true;
    try {
      String named = create("second-number", null);
      awaitState(named, "AUTH_FAILURE");
      assertThat(http.get("/instances/" + named + "/status", shop.key()).json().getString("lastError")).contains("'default'");
    } finally {
      fake.core = false;
    }
  }

  // ---------------------------------------------------------------- secrets

  @Test
  void secretsAreWriteOnly() {
    String key = "never-shown-" + UUID.randomUUID();
    secrets.add(key);
    String id = create(session(), new JsonObject().put("webhookHmacKey", key));
    Http.Res one = http.get("/instances/" + id, shop.key());
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.body()).doesNotContain(key).doesNotContain(FakeWaha.API_KEY);
    assertThat(one.json().getJsonObject("provider").getJsonArray("secretsSet").getList())
        .containsExactlyInAnyOrder("apiKey", "webhookHmacKey");
    assertThat(http.get("/instances?limit=100", shop.key()).body()).doesNotContain(key).doesNotContain(FakeWaha.API_KEY);
    assertThat(http.get("/instances/" + id + "/status", shop.key()).body()).doesNotContain(key).doesNotContain(FakeWaha.API_KEY);
  }
}
