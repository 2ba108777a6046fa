package org.wahub.provider.waha;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.HubConfig;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.ProviderOutcome;
import org.wahub.outbound.OutboundGuard;
import org.wahub.outbound.OutboundPolicy;
import org.wahub.provider.Inbound;
import org.wahub.provider.OutboundMessage;
import org.wahub.provider.ProviderEvents;
import org.wahub.provider.SessionContext;
import org.wahub.support.TestHub;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One {@link WahaSession} against the fake WAHA over real HTTP, with a stand-in for the hub's
 * webhook route (it checks the signature like {@code WahaRoutes} and hands the event to the
 * session): what the session asks of WAHA (each body validated against WAHA's OpenAPI schema by
 * the fake), and what it tells its instance — states and inbound events — captured.
 */
@ExtendWith(VertxExtension.class)
class WahaSessionTest {

  static Vertx vertx;
  static FakeWaha fake;
  static String wahaUrl;
  static HttpServer hubStandIn;
  static int hubPort;
  static OutboundGuard guard;
  static HubConfig config;
  static final Map<String, Opened> opened = new ConcurrentHashMap<>();

  /** What the session told its instance. */
  static final class Recorder implements ProviderEvents {
    final List<InstanceState> states = new CopyOnWriteArrayList<>();
    final List<String> reasons = new CopyOnWriteArrayList<>();
    final List<Inbound> inbound = new CopyOnWriteArrayList<>();

    @Override
    public void stateChanged(InstanceState state, String reason) {
      states.add(state);
      reasons.add(reason);
    }

    /** While set, storing fails (the database is down): the webhook must be answered 503 and come again. */
    volatile boolean failStoring;

    @Override
    public io.vertx.core.Future<Void> inbound(Inbound event) {
      if (failStoring) {
        return io.vertx.core.Future.failedFuture(new IllegalStateException("database down"));
      }
      inbound.add(event);
      return io.vertx.core.Future.succeededFuture();
    }

    InstanceState last() {
      return states.isEmpty() ? null : states.get(states.size() - 1);
    }
  }

  record Opened(String id, String name, String key, WahaSession session, Context context, Recorder events) {

    <T> T call(Function<WahaSession, Future<T>> action) {
      CompletableFuture<T> out = new CompletableFuture<>();
      context.runOnContext(v -> action.apply(session).onComplete(ar -> {
        if (ar.succeeded()) {
          out.complete(ar.result());
        } else {
          out.completeExceptionally(ar.cause());
        }
      }));
      try {
        return out.get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new CallFailedException(e.getCause());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final class CallFailedException extends RuntimeException {
    CallFailedException(Throwable cause) {
      super(cause);
    }
  }

  @BeforeAll
  static void start(Vertx v) throws Exception {
    vertx = v;
    fake = new FakeWaha(vertx);
    wahaUrl = "http://127.0.0.1:" + fake.start();
    hubPort = TestHub.freePort();
    // the hub's webhook route in miniature: signature first, then the session
    hubStandIn = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String[] parts = req.path().split("/");
      Opened o = parts.length == 5 ? opened.get(parts[3]) : null;
      if (o == null || !WahaWebhook.verify(o.key(), body.getBytes(), req.getHeader(WahaWebhook.SIGNATURE_HEADER),
          req.getHeader(WahaWebhook.ALGORITHM_HEADER))) {
        req.response().setStatusCode(401).end();
        return;
      }
      o.context().runOnContext(x -> o.session().operation(WahaSession.OP_WEBHOOK, new JsonObject()
              .put("event", new JsonObject(body)).put("requestId", req.getHeader(WahaWebhook.REQUEST_ID_HEADER)))
          .onComplete(ar -> req.response().setStatusCode(ar.succeeded() ? 200 : 500).end()));
    }));
    hubStandIn.listen(hubPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    config = new HubConfig(new JsonObject().put("HUB_OUTBOUND_ALLOW", "127.0.0.1/32")
        .put("HUB_PUBLIC_URL", "http://127.0.0.1:" + hubPort + "/").put("HUB_SEND_TIMEOUT_MS", 3000)
        .put("HUB_OUTBOUND_TIMEOUT_MS", 5000));
    guard = new OutboundGuard(vertx, OutboundPolicy.from(config));
  }

  @AfterAll
  static void stop() throws Exception {
    opened.values().forEach(o -> o.call(WahaSession::close));
    fake.close();
    hubStandIn.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    guard.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void everyRequestMatchedWahasSchema() {
    assertThat(fake.violations()).isEmpty();
    fake.core = false;
    fake.pairedByDefault = true;
    fake.engine = "WEBJS";
    fake.script.clear();
  }

  static Opened open(String session, JsonObject extra) {
    String id = "inst-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject provider = new JsonObject().put("baseUrl", wahaUrl).put("apiKey", FakeWaha.API_KEY)
        .put("session", session).put("webhookHmacKey", "hmac-" + UUID.randomUUID()).mergeIn(extra == null ? new JsonObject() : extra);
    return open(id, provider, vertx.getOrCreateContext());
  }

  /** A session for instance {@code id}; the stand-in hands that instance's events to it from now on. */
  static Opened open(String id, JsonObject provider, Context context) {
    Recorder events = new Recorder();
    CompletableFuture<WahaSession> made = new CompletableFuture<>();
    context.runOnContext(v -> made.complete((WahaSession) new WahaType().open(
        new SessionContext(vertx, config, id, provider, null, events, guard))));
    try {
      Opened o = new Opened(id, provider.getString("session"), provider.getString("webhookHmacKey"),
          made.get(10, TimeUnit.SECONDS), context, events);
      opened.put(id, o);
      return o;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Opened ready(String session) {
    Opened o = open(session, null);
    o.call(WahaSession::start);
    await().atMost(Duration.ofSeconds(10)).until(() -> o.events().last() == InstanceState.READY);
    return o;
  }

  static OutboundMessage text(String chatId, String text) {
    return new OutboundMessage(UUID.randomUUID().toString(), "i", chatId, "+" + chatId.substring(0, chatId.indexOf('@')),
        "text", new JsonObject().put("text", text), 1);
  }

  static OutboundMessage poll(String chatId) {
    return new OutboundMessage(UUID.randomUUID().toString(), "i", chatId, null, "poll",
        new JsonObject().put("question", "Confirm order 1001?").put("options", new JsonArray().add("Yes").add("No"))
            .put("multipleAnswers", false), 1);
  }

  // ---------------------------------------------------------------- lifecycle

  @Test
  void startCreatesTheSessionWithStartSentAndTheSignedWebhookThenReportsReady() {
    Opened o = ready("default-" + UUID.randomUUID().toString().substring(0, 6));
    FakeWaha.Request create = fake.requests("POST", "/api/sessions").stream()
        .filter(r -> r.body().getString("name").equals(o.name())).reduce((a, b) -> b).orElseThrow();
    assertThat(create.body().getBoolean("start")).isTrue();
    JsonObject hook = create.body().getJsonObject("config").getJsonArray("webhooks").getJsonObject(0);
    assertThat(hook.getString("url")).isEqualTo("http://127.0.0.1:" + hubPort + "/providers/waha/" + o.id() + "/webhook");
    assertThat(hook.getJsonArray("events").getList())
        .containsExactlyInAnyOrder("session.status", "message", "message.ack", "poll.vote", "poll.vote.failed");
    assertThat(hook.getJsonObject("hmac").getString("key")).isEqualTo(o.key());
    // on the way up STARTING, then READY from the signed session.status webhook (or the poll)
    assertThat(o.events().states).containsSubsequence(InstanceState.STARTING, InstanceState.READY);
    assertThat(fake.validatedRequests()).isPositive();
  }

  @Test
  void aSessionWaitingForAScanIsNeedsQrWithItsQrAndAPairingCodeThenReadyOnceScanned() {
    fake.pairedByDefault = false;
    String name = "shop-" + UUID.randomUUID().toString().substring(0, 6); // a named session (WAHA Plus)
    Opened o = open(name, null);
    o.call(WahaSession::start);
    await().atMost(Duration.ofSeconds(10)).until(() -> o.events().last() == InstanceState.NEEDS_QR);
    Optional<String> qr = o.call(WahaSession::qr);
    assertThat(qr).hasValueSatisfying(q -> assertThat(q).startsWith("data:image/png;base64,"));
    assertThat(fake.requests("GET", "/api/{session}/auth/qr")).isNotEmpty();
    JsonObject code = o.call(s -> s.operation(WahaSession.OP_PAIRING_CODE, new JsonObject().put("phoneNumber", "4915112345678")));
    assertThat(code.getString("code")).isEqualTo("ABCD-EFGH");
    assertThat(fake.requests("POST", "/api/{session}/auth/request-code").get(0).body().getString("phoneNumber"))
        .isEqualTo("4915112345678");

    fake.scan(name);
    await().atMost(Duration.ofSeconds(10)).until(() -> o.events().last() == InstanceState.READY);
    assertThat(o.call(WahaSession::qr)).isEmpty(); // no QR once working
    // a pairing code while working is the instance's conflict, not an error of the hub
    assertThat(catchFailure(() -> o.call(s -> s.operation(WahaSession.OP_PAIRING_CODE,
        new JsonObject().put("phoneNumber", "4915112345678"))))).hasMessageContaining("not waiting to be paired");
  }

  @Test
  void anExistingStoppedSessionGetsTheWebhookAddedKeepingItsConfigAndIsStarted() {
    String name = "old-" + UUID.randomUUID().toString().substring(0, 6);
    JsonObject theirHook = new JsonObject().put("url", "https://crm.example/hooks").put("events", new JsonArray().add("message"));
    FakeWaha.Session s = new FakeWaha.Session(name, new JsonObject().put("metadata", new JsonObject().put("user.id", "7"))
        .put("webhooks", new JsonArray().add(theirHook)).put("proxy", (Object) null));
    s.status = WahaStatus.STOPPED;
    s.paired = true;
    fake.sessions.put(name, s);
    Opened o = open(name, null);
    o.call(WahaSession::start);
    await().atMost(Duration.ofSeconds(10)).until(() -> o.events().last() == InstanceState.READY);
    List<FakeWaha.Request> puts = fake.requests("PUT", "/api/sessions/{session}").stream()
        .filter(r -> r.path().endsWith("/" + name)).toList();
    assertThat(puts).hasSize(1);
    JsonObject config = puts.get(0).body().getJsonObject("config");
    assertThat(config.getJsonObject("metadata").getString("user.id")).isEqualTo("7");
    assertThat(config.getJsonArray("webhooks")).hasSize(2).contains(theirHook);
    assertThat(config.containsKey("proxy")).as("null members dropped").isFalse();
    assertThat(fake.requests("POST", "/api/sessions/{session}/start").stream().filter(r -> r.path().contains("/" + name + "/")))
        .hasSize(1);

    // a redeploy (a new session object for the same instance): the webhook is in place, nothing changes
    o.call(WahaSession::close);
    JsonObject before = fake.session(name).config.copy();
    Opened again = open(o.id(), new JsonObject().put("baseUrl", wahaUrl).put("apiKey", FakeWaha.API_KEY)
        .put("session", name).put("webhookHmacKey", o.key()), o.context());
    again.call(WahaSession::start);
    await().atMost(Duration.ofSeconds(10)).until(() -> again.events().last() == InstanceState.READY);
    assertThat(fake.requests("PUT", "/api/sessions/{session}").stream().filter(r -> r.path().endsWith("/" + name))).hasSize(1);
    assertThat(fake.session(name).config).isEqualTo(before);
  }

  @Test
  void softRestartIsWahasRestartAndEndsWhenWorking() {
    Opened o = ready("soft-" + UUID.randomUUID().toString().substring(0, 6));
    String path = "/api/sessions/" + o.name() + "/restart";
    o.call(s -> s.restart(RestartType.SOFT));
    assertThat(fake.requests.stream().filter(r -> r.path().equals(path))).hasSize(1);
    assertThat(o.events().last()).isEqualTo(InstanceState.READY);
  }

  @Test
  void hardRestartIsStopThenStart() {
    Opened o = ready("hard-" + UUID.randomUUID().toString().substring(0, 6));
    String name = o.name();
    int before = fake.requests.size();
    o.call(s -> s.restart(RestartType.HARD));
    List<String> calls = fake.requests.subList(before, fake.requests.size()).stream()
        .filter(r -> r.path().contains("/" + name)).map(r -> r.method() + " " + r.template()).toList();
    assertThat(calls).containsSubsequence("POST /api/sessions/{session}/stop", "GET /api/sessions/{session}",
        "POST /api/sessions/{session}/start");
    assertThat(o.events().last()).isEqualTo(InstanceState.READY);
  }

  @Test
  void aRestartIntoAQrScanFailsAndSaysNeedsQr() {
    Opened o = ready("logout-" + UUID.randomUUID().toString().substring(0, 6));
    fake.session(o.name()).paired = false; // logged out on the phone
    assertThat(catchFailure(() -> o.call(s -> s.restart(RestartType.SOFT)))).hasMessageContaining("needs a person");
    assertThat(o.events().last()).isEqualTo(InstanceState.NEEDS_QR);
  }

  @Test
  void wahaCoreRefusesANamedSession() {
    fake.core = true;
    Opened o = open("second-number", null);
    assertThat(catchFailure(() -> o.call(WahaSession::start))).hasMessageContaining(WahaErrors.PLUS_REQUIRED);
    assertThat(o.events().last()).isEqualTo(InstanceState.AUTH_FAILURE);
    assertThat(o.events().reasons.get(o.events().reasons.size() - 1)).contains("'default'");
  }

  @Test
  void aWrongApiKeyIsAnAccountProblem() {
    Opened o = open("key-" + UUID.randomUUID().toString().substring(0, 6), new JsonObject().put("apiKey", "not-the-key"));
    catchFailure(() -> o.call(WahaSession::start));
    assertThat(o.events().last()).isEqualTo(InstanceState.AUTH_FAILURE);
    assertThat(String.join(" ", o.events().reasons)).contains("401").doesNotContain("not-the-key");
  }

  @Test
  void aDroppedSessionIsDisconnectedAndComesBackByItself() {
    Opened o = ready("drop-" + UUID.randomUUID().toString().substring(0, 6));
    String name = o.name();
    for (String down : List.of(WahaStatus.STARTING, WahaStatus.FAILED, "SOMETHING_NEW", WahaStatus.STOPPED)) {
      fake.setStatus(name, down);
      await(down).atMost(Duration.ofSeconds(10)).until(() -> o.events().last() == InstanceState.DISCONNECTED);
      fake.setStatus(name, WahaStatus.WORKING);
      await(down + " then WORKING").atMost(Duration.ofSeconds(10)).until(() -> o.events().last() == InstanceState.READY);
    }
    fake.setStatus(name, WahaStatus.PASSKEY_REQUIRED);
    await().atMost(Duration.ofSeconds(10)).until(() -> o.events().last() == InstanceState.NEEDS_QR);
  }

  @Test
  void stopStopsTheWahaSessionButCloseLeavesItRunning() {
    Opened a = ready("stop-" + UUID.randomUUID().toString().substring(0, 6));
    a.call(WahaSession::stop);
    assertThat(fake.session(a.name()).status).isEqualTo(WahaStatus.STOPPED);
    Opened b = ready("close-" + UUID.randomUUID().toString().substring(0, 6));
    int before = fake.requests.size();
    b.call(WahaSession::close);
    assertThat(fake.requests.size()).isEqualTo(before);
    assertThat(fake.session(b.name()).status).isEqualTo(WahaStatus.WORKING);
  }

  // ---------------------------------------------------------------- sending

  @Test
  void textAndPollGoOutWithTheIdsTheirEventsWillName() {
    Opened o = ready("send-" + UUID.randomUUID().toString().substring(0, 6));
    for (String engine : List.of("WEBJS", "NOWEB")) {
      fake.engine = engine;
      ProviderOutcome t = o.call(s -> s.send(text("4915112345678@c.us", "Order 1001 confirmed")));
      FakeWaha.Sent sentText = fake.sent.get(fake.sent.size() - 1);
      assertThat(t).as(engine).isEqualTo(new ProviderOutcome.Sent(sentText.id()));
      assertThat(sentText.body().getString("text")).isEqualTo("Order 1001 confirmed");
      assertThat(sentText.body().getString("session")).isEqualTo(o.name());

      ProviderOutcome p = o.call(s -> s.send(poll("4915112345678@c.us")));
      FakeWaha.Sent sentPoll = fake.sent.get(fake.sent.size() - 1);
      assertThat(p).as(engine).isEqualTo(new ProviderOutcome.Sent(sentPoll.id()));
      assertThat(sentPoll.body().getJsonObject("poll")).isEqualTo(new JsonObject().put("name", "Confirm order 1001?")
          .put("options", new JsonArray().add("Yes").add("No")).put("multipleAnswers", false));
    }
  }

  @Test
  void everyErrorClass() {
    Opened o = ready("errors-" + UUID.randomUUID().toString().substring(0, 6));
    OutboundMessage m = text("4915112345678@c.us", "hi");

    fake.script.add(FakeWaha.Scripted.answer(500, new JsonObject().put("statusCode", 500).put("message", "Evaluation failed")));
    assertThat(send(o, m)).isInstanceOf(ProviderOutcome.Lost.class);

    fake.script.add(FakeWaha.Scripted.answer(400, new JsonObject().put("statusCode", 400)
        .put("message", new JsonArray().add("chatId must be a string")).put("error", "Bad Request")));
    assertThat(kind(send(o, m))).isEqualTo(SendError.Kind.PERMANENT);

    fake.script.add(FakeWaha.Scripted.answer(429, new JsonObject().put("statusCode", 429).put("message", "Too Many Requests")));
    assertThat(kind(send(o, m))).isEqualTo(SendError.Kind.RATE_LIMITED);

    int sentBefore = fake.sent.size();
    fake.script.add(FakeWaha.Scripted.dropAfterHandOff());
    ProviderOutcome dropped = send(o, m);
    assertThat(dropped).as("the connection died after WAHA took it").isInstanceOf(ProviderOutcome.Lost.class);
    assertThat(fake.sent.size()).isEqualTo(sentBefore + 1);

    // the session is not working: retriable, and the session asks WAHA at once
    fake.setStatus(o.name(), WahaStatus.STARTING);
    await().atMost(Duration.ofSeconds(10)).until(() -> o.events().last() == InstanceState.DISCONNECTED);
    int gets = fake.requests("GET", "/api/sessions/{session}").size();
    ProviderOutcome notWorking = send(o, m);
    assertThat(kind(notWorking)).isEqualTo(SendError.Kind.RETRIABLE);
    assertThat(((ProviderOutcome.Refused) notWorking).error().code()).isEqualTo(WahaErrors.SESSION_NOT_WORKING);
    await().atMost(Duration.ofSeconds(1)).until(() -> fake.requests("GET", "/api/sessions/{session}").size() > gets);

    // what the hub cannot send through WAHA yet
    ProviderOutcome media = o.call(s -> s.send(new OutboundMessage(UUID.randomUUID().toString(), "i", "4915112345678@c.us",
        null, "media", new JsonObject().put("url", "https://example.com/a.png").put("mimetype", "image/png"), 1)));
    assertThat(((ProviderOutcome.Refused) media).error().code()).isEqualTo(SendError.UNSUPPORTED);
  }

  @Test
  void aRefusedKeyOrAnUnreachableWaha() {
    Opened wrongKey = open("k-" + UUID.randomUUID().toString().substring(0, 6), new JsonObject().put("apiKey", "nope"));
    assertThat(kind(wrongKey.call(s -> s.send(text("4915112345678@c.us", "x"))))).isEqualTo(SendError.Kind.ACCOUNT);
    Opened nowhere = open("n", new JsonObject().put("baseUrl", "http://127.0.0.1:" + TestHub.freePort()));
    ProviderOutcome refused = nowhere.call(s -> s.send(text("4915112345678@c.us", "x")));
    assertThat(kind(refused)).as("nothing was handed over").isEqualTo(SendError.Kind.RETRIABLE);
    assertThat(((ProviderOutcome.Refused) refused).error().code()).isEqualTo(SendError.NETWORK);
  }

  // ---------------------------------------------------------------- events over the signed webhook

  @Test
  void receiptsVotesAndMessagesReachTheInstanceOnceEach() {
    Opened o = ready("events-" + UUID.randomUUID().toString().substring(0, 6));
    String name = o.name();
    String msgId = "true_4915112345678@c.us_3EB0ACK";
    JsonObject ack = new JsonObject().put("id", msgId).put("from", "4915100000000@c.us").put("to", "4915112345678@c.us")
        .put("participant", "4915112345678@c.us").put("fromMe", true).put("ackName", "READ");
    FakeWaha.Session s = fake.session(name);
    // read before delivered (out of order), and the read one twice (a WAHA retry: same event id)
    JsonObject read = fake.envelope(s, "message.ack", ack.copy().put("ack", 3));
    assertThat(result(fake.post(s, read))).containsOnly(200);
    assertThat(result(fake.post(s, read))).containsOnly(200);
    assertThat(result(fake.emit(name, "message.ack", ack.copy().put("ack", 2).put("ackName", "DEVICE")))).containsOnly(200);

    JsonObject vote = new JsonObject()
        .put("vote", new JsonObject().put("id", "false_4915112345678@c.us_V1").put("to", "4915100000000@c.us")
            .put("from", "4915112345678@c.us").put("fromMe", false).put("selectedOptions", new JsonArray().add("Yes"))
            .put("timestamp", 1764583190L))
        .put("poll", new JsonObject().put("id", "true_4915112345678@c.us_POLL").put("to", "4915112345678@c.us")
            .put("from", "4915100000000@c.us").put("fromMe", true));
    assertThat(result(fake.emit(name, "poll.vote", vote))).containsOnly(200);
    JsonObject changed = vote.copy();
    changed.getJsonObject("vote").put("selectedOptions", new JsonArray().add("No").add("Maybe")).put("timestamp", 1764583195L);
    assertThat(result(fake.emit(name, "poll.vote", changed))).containsOnly(200);
    JsonObject failed = vote.copy();
    failed.getJsonObject("vote").put("selectedOptions", new JsonArray());
    assertThat(result(fake.emit(name, "poll.vote.failed", failed))).containsOnly(200);
    assertThat(result(fake.emit(name, "message", new JsonObject().put("id", "false_4915112345678@c.us_IN").put("timestamp", 1764583199L)
        .put("from", "4915112345678@c.us").put("fromMe", false).put("to", "4915100000000@c.us").put("body", "thanks")
        .put("hasMedia", false)))).containsOnly(200);

    List<Inbound> got = o.events().inbound;
    assertThat(got).hasSize(6);
    assertThat(((Inbound.Receipt) got.get(0)).status()).isEqualTo(Inbound.Receipt.Status.READ);
    assertThat(got.get(0).providerEventId()).isEqualTo(read.getString("id"));
    assertThat(((Inbound.Receipt) got.get(1)).status()).isEqualTo(Inbound.Receipt.Status.DELIVERED);
    assertThat(((Inbound.Receipt) got.get(1)).providerMessageId()).isEqualTo(msgId);
    assertThat(((Inbound.Vote) got.get(2)).options()).containsExactly("Yes");
    assertThat(((Inbound.Vote) got.get(3)).options()).containsExactly("No", "Maybe");
    assertThat(got.get(3).at()).isAfter(got.get(2).at());
    assertThat(got.get(4)).isInstanceOf(Inbound.VoteFailed.class);
    assertThat(((Inbound.Message) got.get(5)).text()).isEqualTo("thanks");
    assertThat(got.stream().map(Inbound::providerEventId).distinct()).hasSize(6);
  }

  @Test
  void anItemTheHubCouldNotStoreIsRefusedAndTakenWhenWahaSendsItAgain() {
    Opened o = ready("store-" + UUID.randomUUID().toString().substring(0, 6));
    FakeWaha.Session s = fake.session(o.name());
    JsonObject message = fake.envelope(s, "message", new JsonObject().put("id", "false_4915112345678@c.us_DOWN")
        .put("timestamp", 1764583199L).put("from", "4915112345678@c.us").put("fromMe", false).put("to", "4915100000000@c.us")
        .put("body", "are you there?").put("hasMedia", false));
    o.events().failStoring = true;
    assertThat(result(fake.post(s, message))).as("not stored: WAHA must try again").containsOnly(500);
    Throwable refused = catchFailure(() -> o.call(x -> x.operation(WahaSession.OP_WEBHOOK,
        new JsonObject().put("event", message).put("requestId", "req-direct"))));
    assertThat(refused).isInstanceOf(org.wahub.api.ApiError.class);
    assertThat(((org.wahub.api.ApiError) refused).status()).isEqualTo(503);
    assertThat(o.events().inbound).isEmpty();

    // the database is back: the same event (WAHA's retry) is taken, once
    o.events().failStoring = false;
    assertThat(result(fake.post(s, message))).containsOnly(200);
    assertThat(result(fake.post(s, message))).containsOnly(200);
    assertThat(o.events().inbound).hasSize(1);
    assertThat(((Inbound.Message) o.events().inbound.get(0)).text()).isEqualTo("are you there?");
  }

  @Test
  void anUnsignedOrMissignedEventIsRefusedAndReachesNothing() {
    Opened o = ready("sig-" + UUID.randomUUID().toString().substring(0, 6));
    FakeWaha.Session s = fake.session(o.name());
    JsonObject realHook = s.config.getJsonArray("webhooks").getJsonObject(0).copy();
    s.config.getJsonArray("webhooks").getJsonObject(0).put("hmac", new JsonObject().put("key", "guessed"));
    JsonObject ack = new JsonObject().put("id", "true_1@c.us_X").put("from", "a").put("to", "b").put("participant", "b")
        .put("fromMe", true).put("ack", 3).put("ackName", "READ");
    assertThat(result(fake.emit(o.name(), "message.ack", ack))).containsOnly(401);
    s.config.getJsonArray("webhooks").getJsonObject(0).remove("hmac");
    assertThat(result(fake.emit(o.name(), "message.ack", ack))).containsOnly(401);
    s.config.getJsonArray("webhooks").set(0, realHook);
    assertThat(o.events().inbound).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  static ProviderOutcome send(Opened o, OutboundMessage m) {
    return o.call(s -> s.send(m));
  }

  static SendError.Kind kind(ProviderOutcome outcome) {
    assertThat(outcome).isInstanceOf(ProviderOutcome.Refused.class);
    return ((ProviderOutcome.Refused) outcome).error().kind();
  }

  static <T> T result(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Throwable catchFailure(Runnable r) {
    try {
      r.run();
    } catch (CallFailedException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the call to fail");
  }
}
