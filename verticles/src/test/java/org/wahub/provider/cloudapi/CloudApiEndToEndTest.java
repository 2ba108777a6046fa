package org.wahub.provider.cloudapi;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * cloud-api end to end: the hub's HTTP API, a real hub on the embedded PostgreSQL, cloud-api
 * instances whose {@code baseUrl} is a local fake Graph server ({@link FakeGraph}) that validates
 * every body against Meta's OpenAPI document, and Meta's webhook signed like Meta signs it.
 */
@ExtendWith(VertxExtension.class)
class CloudApiEndToEndTest {

  static final String TOKEN = "EAAG-e2e-access-token-7f3a";
  static final String APP_SECRET = "e2e-app-secret-51c2";
  static final String VERIFY = "e2e-verify-token-90bd";
  static final String NUMBER = "106540352242922";
  static final AtomicInteger RECIPIENTS = new AtomicInteger(10);
  static final AtomicInteger INSTANCES = new AtomicInteger();

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static FakeGraph graph;
  static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    logs = new ListAppender<>();
    Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.setContext(root.getLoggerContext());
    logs.start();
    root.addAppender(logs);
    graph = FakeGraph.start(vertx, TOKEN, NUMBER);
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of(
        "HUB_OUTBOUND_ALLOW", "127.0.0.1/32",
        "RETRY_BASE_BACKOFF_MS", "300",
        "RETRY_MAX_BACKOFF_MS", "2000",
        "CIRCUIT_BREAKER_MAX_FAILURES", "1000"));
    http = hub.http;
    shop = hub.tenant("cloud-shop");
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
    graph.close();
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(logs);
    // whatever happened in this class, the hub never wrote a secret into its logs
    synchronized (logs) { // ListAppender appends under its own lock (AppenderBase.doAppend), not the list's
      for (ILoggingEvent e : logs.list) {
        String line = e.getFormattedMessage() + " " + java.util.Arrays.toString(e.getArgumentArray());
        assertThat(line).doesNotContain(TOKEN, APP_SECRET, VERIFY);
      }
      assertThat(logs.list).isNotEmpty();
    }
  }

  // ---------------------------------------------------------------- helpers

  static String instance(String token) {
    String id = "cloud-" + INSTANCES.incrementAndGet();
    JsonObject body = new JsonObject().put("id", id)
        .put("provider", new JsonObject().put("type", "cloud-api").put("baseUrl", graph.baseUrl()).put("apiVersion", "v23.0")
            .put("phoneNumberId", NUMBER).put("accessToken", token).put("appSecret", APP_SECRET).put("verifyToken", VERIFY))
        .put("limits", new JsonObject().put("perMinute", 100).put("perHour", 1000).put("perDay", 5000))
        .put("pacing", new JsonObject().put("minIntervalMs", 0).put("jitterMs", 0));
    Http.Res res = http.post("/instances", shop.key(), body);
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/instances/" + id + "/status", shop.key()).status() == 200);
    return id;
  }

  static String ready() {
    String id = instance(TOKEN);
    awaitState(id, "READY");
    return id;
  }

  static void awaitState(String id, String state) {
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> state.equals(status(id).getString("state")));
  }

  static JsonObject status(String id) {
    return http.get("/instances/" + id + "/status", shop.key()).json();
  }

  static String recipient() {
    return "+49151123456" + RECIPIENTS.getAndIncrement();
  }

  static String send(String id, JsonObject body) {
    Http.Res res = http.post("/instances/" + id + "/messages", shop.key(), body);
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    return res.json().getString("id");
  }

  static Http.Res poll(String id, String to, boolean multiple, String... options) {
    return http.post("/instances/" + id + "/polls", shop.key(), new JsonObject().put("to", to).put("question", "Which one?")
        .put("options", new JsonArray(List.of((Object[]) options))).put("multipleAnswers", multiple));
  }

  static JsonObject message(String messageId) {
    return http.get("/messages/" + messageId, shop.key()).json();
  }

  static JsonObject awaitStatus(String messageId, String status) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> status.equals(message(messageId).getString("status")));
    return message(messageId);
  }

  static JsonObject lastBodyTo(String to) {
    List<FakeGraph.Received> got = graph.to(to);
    assertThat(got).isNotEmpty();
    return got.get(got.size() - 1).body();
  }

  static Http.Res webhook(String id, String body, String signature) {
    Map<String, String> headers = signature == null ? Map.of() : Map.of("X-Hub-Signature-256", signature);
    return http.send("POST", "/providers/cloud-api/" + id + "/webhook", null, body, "application/json", headers);
  }

  static String signed(String body) {
    return CloudApiWebhook.signature(APP_SECRET, body.getBytes(StandardCharsets.UTF_8));
  }

  static String payload(JsonObject value) {
    value.put("messaging_product", "whatsapp")
        .put("metadata", new JsonObject().put("display_phone_number", "15550783881").put("phone_number_id", NUMBER));
    return new JsonObject().put("object", "whatsapp_business_account").put("entry", new JsonArray().add(new JsonObject()
        .put("id", "102290129340398").put("changes", new JsonArray().add(new JsonObject().put("field", "messages")
            .put("value", value))))).encode();
  }

  // ---------------------------------------------------------------- sending

  @Test
  void textTemplateMediaAndPollsAreSentAsTheSpecDescribes() {
    String id = ready();
    String a = recipient();
    JsonObject text = awaitStatus(send(id, new JsonObject().put("to", a).put("text", "Your order 4711 ships today")), "sent");
    assertThat(text.getString("providerMessageId")).startsWith("wamid.");
    JsonObject sentText = lastBodyTo(a);
    assertThat(sentText.getString("type")).isEqualTo("text");
    assertThat(sentText.getJsonObject("text").getString("body")).isEqualTo("Your order 4711 ships today");
    assertThat(graph.to(a)).extracting(FakeGraph.Received::answered).containsExactly(200);

    String b = recipient();
    JsonArray components = new JsonArray().add(new JsonObject().put("type", "body").put("parameters",
        new JsonArray().add(new JsonObject().put("type", "text").put("text", "4711"))));
    awaitStatus(send(id, new JsonObject().put("to", b).put("template", new JsonObject().put("name", "order_update")
        .put("language", "de").put("components", components))), "sent");
    assertThat(lastBodyTo(b).getJsonObject("template")).isEqualTo(new JsonObject().put("name", "order_update")
        .put("language", new JsonObject().put("policy", "deterministic").put("code", "de")).put("components", components));

    String c = recipient();
    awaitStatus(send(id, new JsonObject().put("to", c).put("media", new JsonObject().put("url", "https://example.com/inv.pdf")
        .put("mimetype", "application/pdf").put("filename", "invoice-4711.pdf").put("caption", "Your invoice"))), "sent");
    assertThat(lastBodyTo(c).getJsonObject("document")).isEqualTo(new JsonObject().put("link", "https://example.com/inv.pdf")
        .put("caption", "Your invoice").put("filename", "invoice-4711.pdf"));

    String d = recipient();
    Http.Res buttons = poll(id, d, false, "Yes", "No", "Later");
    assertThat(buttons.status()).as(buttons.body()).isEqualTo(202);
    awaitStatus(buttons.json().getString("id"), "sent");
    assertThat(lastBodyTo(d).getJsonObject("interactive").getString("type")).isEqualTo("button");

    String e = recipient();
    Http.Res list = poll(id, e, false, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Never", "Always", "Ask me");
    assertThat(list.status()).as(list.body()).isEqualTo(202);
    awaitStatus(list.json().getString("id"), "sent");
    JsonObject listBody = lastBodyTo(e).getJsonObject("interactive");
    assertThat(listBody.getString("type")).isEqualTo("list");
    assertThat(listBody.getJsonObject("action").getJsonArray("sections").getJsonObject(0).getJsonArray("rows")).hasSize(10);

    assertThat(graph.invalid()).isEmpty();
    assertThat(graph.validated()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void pollsThatCannotBeMappedAreRefusedAtIntakeForCloudApiOnly() {
    String id = ready();
    Http.Res tooMany = poll(id, recipient(), false, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11");
    assertThat(tooMany.status()).as(tooMany.body()).isEqualTo(400);
    assertThat(tooMany.json().getJsonArray("errors").getJsonObject(0).getString("pointer")).isEqualTo("/options");
    assertThat(tooMany.json().getJsonArray("errors").getJsonObject(0).getString("code")).isEqualTo("unsupported_by_provider");
    Http.Res multiple = poll(id, recipient(), true, "Red", "Green");
    assertThat(multiple.status()).as(multiple.body()).isEqualTo(400);
    assertThat(multiple.json().getJsonArray("errors").getJsonObject(0).getString("pointer")).isEqualTo("/multipleAnswers");
    // nothing was stored for them
    assertThat(http.get("/messages?instance=" + id, shop.key()).json().getJsonArray("items")).isEmpty();
    // the same polls are fine where the provider carries them natively
    hub.instance(shop, "cloud-sim-" + INSTANCES.incrementAndGet(), null);
    String sim = "cloud-sim-" + INSTANCES.get();
    assertThat(poll(sim, recipient(), true, "Red", "Green").status()).isEqualTo(202);
    assertThat(poll(sim, recipient(), false, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11").status()).isEqualTo(202);
  }

  // ---------------------------------------------------------------- errors

  @Test
  void outsideTheCustomerCareWindowTheMessageFailsWithNeedsTemplate() {
    String id = ready();
    String to = recipient();
    graph.failNext(to, 400, 131047, "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.", Map.of());
    JsonObject m = awaitStatus(send(id, new JsonObject().put("to", to).put("text", "Hello again")), "failed");
    assertThat(m.getJsonObject("lastError").getString("code")).isEqualTo("needs_template");
    assertThat(m.getInteger("attempts")).isEqualTo(1);
  }

  @Test
  void throughputLimitPausesTheInstanceAndTheMessageGoesLater() {
    String id = ready();
    String a = recipient();
    String b = recipient();
    graph.failNext(a, 400, 130429, "Rate limit hit", "Cloud API message throughput has been reached.", Map.of("Retry-After", "2"));
    String first = send(id, new JsonObject().put("to", a).put("text", "first"));
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !graph.to(a).isEmpty());
    Instant throttledAt = graph.to(a).get(0).at();
    String second = send(id, new JsonObject().put("to", b).put("text", "second"));
    awaitStatus(second, "sent");
    awaitStatus(first, "sent");
    // the whole instance waited: nothing went to Graph within the 2 s Meta asked for
    List<Instant> later = graph.received().stream().filter(r -> a.equals(r.to()) || b.equals(r.to()))
        .map(FakeGraph.Received::at).filter(t -> t.isAfter(throttledAt)).toList();
    assertThat(later).isNotEmpty().allSatisfy(t -> assertThat(Duration.between(throttledAt, t)).isGreaterThanOrEqualTo(Duration.ofMillis(1900)));
    assertThat(message(first).getInteger("attempts")).isEqualTo(2);
  }

  @Test
  void thePairRateLimitHoldsOnlyThatRecipient() {
    String id = ready();
    String a = recipient();
    String b = recipient();
    graph.failNext(a, 400, 131056, "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number to the same phone number "
            + "in a short period of time.", Map.of());
    String held = send(id, new JsonObject().put("to", a).put("text", "to a"));
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !graph.to(a).isEmpty());
    Instant refusedAt = graph.to(a).get(0).at();
    String other = send(id, new JsonObject().put("to", b).put("text", "to b"));
    awaitStatus(other, "sent");
    // b went while a is held back
    assertThat(Duration.between(refusedAt, graph.to(b).get(0).at())).isLessThan(Duration.ofSeconds(5));
    JsonObject waiting = message(held);
    assertThat(waiting.getString("status")).isEqualTo("queued");
    assertThat(waiting.getJsonObject("lastError").getString("code")).isEqualTo("pair_rate_limited");
    assertThat(status(id).getString("state")).isEqualTo("READY");
    awaitStatus(held, "sent");
    assertThat(Duration.between(refusedAt, graph.to(a).get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(5900));
  }

  @Test
  void aRefusedTokenPutsTheInstanceInAuthFailure() {
    String bad = instance("not-the-token");
    awaitState(bad, "AUTH_FAILURE");

    String id = ready();
    String to = recipient();
    graph.revokeToken();
    try {
      String m = send(id, new JsonObject().put("to", to).put("text", "after revocation"));
      awaitState(id, "AUTH_FAILURE");
      JsonObject msg = message(m);
      assertThat(msg.getString("status")).isEqualTo("queued"); // kept for when a human fixed the token
      assertThat(msg.getJsonObject("lastError").getString("code")).isEqualTo("auth");
      assertThat(status(id).getString("lastError")).contains("190");
    } finally {
      graph.restoreToken();
    }
  }

  // ---------------------------------------------------------------- the webhook

  @Test
  void theSubscriptionCheck() {
    String id = instance(TOKEN);
    String path = "/providers/cloud-api/" + id + "/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=";
    Http.Res ok = http.get(path + URLEncoder.encode(VERIFY, StandardCharsets.UTF_8), null);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("1158201444");
    assertThat(ok.header("Content-Type")).startsWith("text/plain");
    assertThat(http.get(path + "wrong", null).status()).isEqualTo(403);
    assertThat(http.get("/providers/cloud-api/" + id + "/webhook?hub.mode=subscribe&hub.challenge=1", null).status()).isEqualTo(401);
    assertThat(http.get("/providers/cloud-api/no-such-instance/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token="
        + VERIFY, null).status()).isEqualTo(403);
  }

  @Test
  void signedStatusesMoveTheMessageAndBadSignaturesHandNothingOn() {
    String id = ready();
    String to = recipient();
    String messageId = send(id, new JsonObject().put("to", to).put("text", "track me"));
    String wamid = awaitStatus(messageId, "sent").getString("providerMessageId");
    String read = payload(new JsonObject().put("statuses", new JsonArray()
        .add(new JsonObject().put("id", wamid).put("status", "delivered").put("timestamp", "1749416383").put("recipient_id", to.substring(1)))
        .add(new JsonObject().put("id", wamid).put("status", "read").put("timestamp", "1749416390").put("recipient_id", to.substring(1)))));

    assertThat(webhook(id, read, null).status()).isEqualTo(401);
    assertThat(webhook(id, read, "sha256=" + "0".repeat(64)).status()).isEqualTo(401);
    assertThat(webhook(id, read, CloudApiWebhook.signature("another-secret", read.getBytes(StandardCharsets.UTF_8))).status()).isEqualTo(401);
    assertThat(webhook(id, read + " ", signed(read)).status()).isEqualTo(401);
    // nothing of those was handed on
    assertThat(message(messageId).getString("status")).isEqualTo("sent");

    Http.Res ok = webhook(id, read, signed(read));
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.json().getInteger("receipts")).isEqualTo(2);
    awaitStatus(messageId, "read");
    // Meta repeats deliveries until it gets a 200: a repeat changes nothing
    assertThat(webhook(id, read, signed(read)).status()).isEqualTo(200);
    assertThat(message(messageId).getString("status")).isEqualTo("read");
  }

  @Test
  void aButtonReplyToAMappedPollIsHandedOnAsAVote() {
    String id = ready();
    String to = recipient();
    Http.Res p = poll(id, to, false, "Yes", "No");
    String pollWamid = awaitStatus(p.json().getString("id"), "sent").getString("providerMessageId");
    String reply = payload(new JsonObject()
        .put("contacts", new JsonArray().add(new JsonObject().put("profile", new JsonObject().put("name", "Sheena"))
            .put("wa_id", to.substring(1))))
        .put("messages", new JsonArray().add(new JsonObject().put("from", to.substring(1)).put("id", "wamid.REPLY1")
            .put("timestamp", "1749416383").put("type", "interactive")
            .put("context", new JsonObject().put("from", "15550783881").put("id", pollWamid))
            .put("interactive", new JsonObject().put("type", "button_reply")
                .put("button_reply", new JsonObject().put("id", "poll:1:No").put("title", "No"))))));
    Http.Res ok = webhook(id, reply, signed(reply));
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.json().getInteger("votes")).isEqualTo(1);
    assertThat(ok.json().getInteger("messages")).isEqualTo(0);
  }

  @Test
  void secretsAreNeverShown() {
    String id = instance(TOKEN);
    Http.Res res = http.get("/instances/" + id, shop.key());
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.body()).doesNotContain(TOKEN, APP_SECRET, VERIFY);
    JsonObject provider = res.json().getJsonObject("provider");
    assertThat(provider.getString("type")).isEqualTo("cloud-api");
    assertThat(provider.getString("phoneNumberId")).isEqualTo(NUMBER);
    assertThat(http.get("/instances", shop.key()).body()).doesNotContain(TOKEN, APP_SECRET, VERIFY);
  }
}
