package org.wahub.provider.cloudapi;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
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

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session on its own against the fake Graph, with the events it hands to its instance
 * captured: state on start and restart, sends, and what a verified webhook payload becomes.
 */
@ExtendWith(VertxExtension.class)
class CloudApiSessionTest {

  static final String TOKEN = "EAAG-test-access-token";
  static final String NUMBER = "106540352242922";
  static Vertx vertx;
  static FakeGraph graph;
  static OutboundGuard guard;

  /** What the session told its instance. */
  static final class Captured implements ProviderEvents {
    final List<String> states = new ArrayList<>();
    final List<Inbound> inbound = new ArrayList<>();

    @Override
    public synchronized void stateChanged(InstanceState state, String reason) {
      states.add(state.name());
    }

    @Override
    public synchronized io.vertx.core.Future<Void> inbound(Inbound event) {
      inbound.add(event);
      return io.vertx.core.Future.succeededFuture();
    }
  }

  @BeforeAll
  static void start(Vertx injected) throws Exception {
    vertx = injected;
    graph = FakeGraph.start(vertx, TOKEN, NUMBER);
    guard = new OutboundGuard(vertx, OutboundPolicy.strict().allowing("127.0.0.1/32"));
  }

  @AfterAll
  static void stop() throws Exception {
    graph.close();
  }

  static CloudApiSession session(String baseUrl, String token, Captured events) {
    JsonObject config = new JsonObject().put("baseUrl", baseUrl).put("apiVersion", "v23.0").put("phoneNumberId", NUMBER)
        .put("accessToken", token).put("appSecret", "app-secret").put("verifyToken", "verify");
    return new CloudApiSession(new SessionContext(vertx, new HubConfig(new JsonObject()), "cloud-session", config, null,
        events, guard));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void startChecksTheNumberAndTheToken() throws Exception {
    Captured ok = new Captured();
    await(session(graph.baseUrl(), TOKEN, ok).start());
    assertThat(ok.states).containsExactly("READY");

    Captured refused = new Captured();
    await(session(graph.baseUrl(), "expired-token", refused).start());
    assertThat(refused.states).containsExactly("AUTH_FAILURE");

    // Graph unreachable: the start fails (the instance's reconnect ladder retries), no state is claimed
    Captured down = new Captured();
    Future<Void> start = session("http://127.0.0.1:" + TestHub.freePort(), TOKEN, down).start();
    assertThat(start.toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(20, TimeUnit.SECONDS)).isNotNull();
    assertThat(down.states).isEmpty();

    // a restart with a refused token fails and says why
    Captured restart = new Captured();
    Future<Void> r = session(graph.baseUrl(), "expired-token", restart).restart(RestartType.HARD);
    assertThat(r.toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(20, TimeUnit.SECONDS)).isNotNull();
    assertThat(restart.states).containsExactly("AUTH_FAILURE");
  }

  @Test
  void aSendReturnsTheWamidAndAGraphErrorItsClass() throws Exception {
    CloudApiSession s = session(graph.baseUrl(), TOKEN, new Captured());
    String to = "+4915112345601";
    ProviderOutcome sent = await(s.send(new OutboundMessage(UUID.randomUUID().toString(), "cloud-session", "4915112345601@c.us",
        to, "text", new JsonObject().put("text", "hello"), 1)));
    assertThat(sent).isInstanceOf(ProviderOutcome.Sent.class);
    assertThat(((ProviderOutcome.Sent) sent).providerMessageId()).startsWith("wamid.");

    graph.failNext(to, 400, 131026, "Message undeliverable", "Recipient is not a WhatsApp user", java.util.Map.of());
    ProviderOutcome refused = await(s.send(new OutboundMessage(UUID.randomUUID().toString(), "cloud-session",
        "4915112345601@c.us", to, "text", new JsonObject().put("text", "hello again"), 1)));
    assertThat(((ProviderOutcome.Refused) refused).error().kind()).isEqualTo(SendError.Kind.PERMANENT);
    assertThat(((ProviderOutcome.Refused) refused).error().code()).isEqualTo(SendError.NOT_ON_WHATSAPP);

    ProviderOutcome group = await(s.send(new OutboundMessage(UUID.randomUUID().toString(), "cloud-session",
        "120363025246125486@g.us", "120363025246125486@g.us", "text", new JsonObject().put("text", "hi"), 1)));
    assertThat(((ProviderOutcome.Refused) group).error().code()).isEqualTo(SendError.UNSUPPORTED);
    assertThat(graph.invalid()).isEmpty();
  }

  @Test
  void aVerifiedPayloadIsHandedOnAsInboundEvents() throws Exception {
    Captured events = new Captured();
    CloudApiSession s = session(graph.baseUrl(), TOKEN, events);
    JsonObject value = new JsonObject().put("messaging_product", "whatsapp")
        .put("metadata", new JsonObject().put("display_phone_number", "15550783881").put("phone_number_id", NUMBER))
        .put("statuses", new JsonArray().add(new JsonObject().put("id", "wamid.P").put("status", "delivered")
            .put("timestamp", "1749416383").put("recipient_id", "16505551234")))
        .put("messages", new JsonArray().add(new JsonObject().put("from", "16505551234").put("id", "wamid.V")
            .put("timestamp", "1749416390").put("type", "interactive")
            .put("context", new JsonObject().put("from", "15550783881").put("id", "wamid.P"))
            .put("interactive", new JsonObject().put("type", "button_reply")
                .put("button_reply", new JsonObject().put("id", "poll:0:Yes").put("title", "Yes")))));
    JsonObject payload = new JsonObject().put("object", "whatsapp_business_account").put("entry", new JsonArray()
        .add(new JsonObject().put("id", "1").put("changes", new JsonArray().add(new JsonObject().put("field", "messages")
            .put("value", value)))));
    JsonObject summary = await(s.operation(CloudApiSession.WEBHOOK, payload));
    assertThat(summary.getInteger("receipts")).isEqualTo(1);
    assertThat(summary.getInteger("votes")).isEqualTo(1);
    assertThat(events.inbound).containsExactly(
        new Inbound.Receipt("wamid.P:delivered", Instant.ofEpochSecond(1749416383), "wamid.P", Inbound.Receipt.Status.DELIVERED, null),
        new Inbound.Vote("wamid.V", Instant.ofEpochSecond(1749416390), "wamid.P", "16505551234@c.us", List.of("Yes")));
  }
}
