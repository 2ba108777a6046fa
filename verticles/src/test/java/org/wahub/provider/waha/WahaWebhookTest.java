package org.wahub.provider.waha;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.wahub.provider.Inbound;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook's signature check (PROVIDERS.md §2.4 test vector) and the event mapping (§2.5), without a server. */
class WahaWebhookTest {

  static final String VECTOR_BODY = "{\"event\":\"message\",\"session\":\"default\",\"engine\":\"WEBJS\"}";
  static final String VECTOR_KEY = "my-secret-key";
  static final String VECTOR_HMAC = "208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17a6ce93b6b47"
      + "a136cf2e78a33a63f6752c2c1631777076153fa89";
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theDocumentedTestVector() {
    assertThat(WahaWebhook.sign(VECTOR_KEY, bytes(VECTOR_BODY))).isEqualTo(VECTOR_HMAC);
    assertThat(WahaWebhook.verify(VECTOR_KEY, bytes(VECTOR_BODY), VECTOR_HMAC, "sha512")).isTrue();
    assertThat(WahaWebhook.verify(VECTOR_KEY, bytes(VECTOR_BODY), VECTOR_HMAC.toUpperCase(), null)).isTrue();
  }

  @Test
  void anythingElseIsRefused() {
    byte[] body = bytes(VECTOR_BODY);
    assertThat(WahaWebhook.verify(VECTOR_KEY, body, null, "sha512")).as("no signature").isFalse();
    assertThat(WahaWebhook.verify(VECTOR_KEY, body, "", "sha512")).as("empty signature").isFalse();
    assertThat(WahaWebhook.verify(VECTOR_KEY, body, "zz" + VECTOR_HMAC.substring(2), "sha512")).as("not hex").isFalse();
    assertThat(WahaWebhook.verify(VECTOR_KEY, body, VECTOR_HMAC.substring(0, 64), "sha512")).as("truncated").isFalse();
    assertThat(WahaWebhook.verify("my-secret-kez", body, VECTOR_HMAC, "sha512")).as("other key").isFalse();
    assertThat(WahaWebhook.verify(VECTOR_KEY, bytes(VECTOR_BODY + " "), VECTOR_HMAC, "sha512")).as("re-encoded body").isFalse();
    assertThat(WahaWebhook.verify(VECTOR_KEY, body, VECTOR_HMAC, "sha256")).as("other algorithm").isFalse();
    assertThat(WahaWebhook.verify(null, body, VECTOR_HMAC, "sha512")).as("no key configured").isFalse();
    assertThat(WahaWebhook.verify("", body, WahaWebhook.sign("x", body), "sha512")).as("empty key").isFalse();
  }

  @Property
  void aFlippedBitInTheBodyOrTheSignatureIsRefused(@ForAll @IntRange(min = 0, max = 54) int index,
                                                    @ForAll @IntRange(min = 0, max = 7) int bit) {
    byte[] body = bytes(VECTOR_BODY);
    body[index] ^= (byte) (1 << bit);
    assertThat(WahaWebhook.verify(VECTOR_KEY, body, VECTOR_HMAC, "sha512")).isFalse();
    char[] sig = VECTOR_HMAC.toCharArray();
    int at = (index * 8 + bit) % sig.length;
    sig[at] = sig[at] == '0' ? '1' : '0';
    assertThat(WahaWebhook.verify(VECTOR_KEY, bytes(VECTOR_BODY), new String(sig), "sha512")).isFalse();
  }

  // ---------------------------------------------------------------- mapping

  static JsonObject envelope(String event, JsonObject payload) {
    return new JsonObject().put("id", "evt_01jabcdefghjkmnpqrstvwxyz0").put("timestamp", 1764583200123L).put("event", event)
        .put("session", "default").put("metadata", new JsonObject()).put("engine", "WEBJS").put("payload", payload);
  }

  static WahaWebhook.Effect effect(JsonObject envelope) {
    return WahaWebhook.map(envelope, "req-1", "default", NOW).effect();
  }

  static JsonObject ack(int ack, boolean fromMe) {
    return new JsonObject().put("id", "true_4915112345678@c.us_3EB0ABC").put("from", "4915100000000@c.us")
        .put("to", "4915112345678@c.us").put("participant", null).put("fromMe", fromMe).put("ack", ack).put("ackName", "X");
  }

  @Test
  void acksOfOurMessagesAreReceipts() {
    List<Object[]> table = List.of(
        new Object[] {1, Inbound.Receipt.Status.SENT},
        new Object[] {2, Inbound.Receipt.Status.DELIVERED},
        new Object[] {3, Inbound.Receipt.Status.READ},
        new Object[] {4, Inbound.Receipt.Status.READ},
        new Object[] {-1, Inbound.Receipt.Status.FAILED});
    for (Object[] row : table) {
      WahaWebhook.Effect e = effect(envelope("message.ack", ack((Integer) row[0], true)));
      assertThat(e).as("ack " + row[0]).isInstanceOf(WahaWebhook.Received.class);
      Inbound.Receipt r = (Inbound.Receipt) ((WahaWebhook.Received) e).inbound();
      assertThat(r.status()).isEqualTo(row[1]);
      assertThat(r.providerMessageId()).isEqualTo("true_4915112345678@c.us_3EB0ABC");
      assertThat(r.providerEventId()).isEqualTo("evt_01jabcdefghjkmnpqrstvwxyz0");
      assertThat(r.at()).isEqualTo(Instant.ofEpochMilli(1764583200123L));
    }
    assertThat(effect(envelope("message.ack", ack(0, true)))).as("pending").isInstanceOf(WahaWebhook.Ignored.class);
    assertThat(effect(envelope("message.ack", ack(3, false)))).as("a message we received").isInstanceOf(WahaWebhook.Ignored.class);
  }

  static JsonObject vote(List<String> options, long ts, boolean pollFromMe) {
    return new JsonObject()
        .put("vote", new JsonObject().put("id", "false_4915112345678@c.us_VOTE1").put("to", "4915100000000@c.us")
            .put("from", "4915112345678@c.us").put("fromMe", false).put("selectedOptions", new JsonArray(options))
            .put("timestamp", ts))
        .put("poll", new JsonObject().put("id", "true_4915112345678@c.us_POLL1").put("to", "4915112345678@c.us")
            .put("from", "4915100000000@c.us").put("fromMe", pollFromMe));
  }

  @Test
  void aVoteIsTheVotersWholeSelection() {
    Inbound.Vote v = (Inbound.Vote) ((WahaWebhook.Received) effect(envelope("poll.vote",
        vote(List.of("Yes", "Maybe"), 1764583190L, true)))).inbound();
    assertThat(v.pollProviderMessageId()).isEqualTo("true_4915112345678@c.us_POLL1");
    assertThat(v.voter()).isEqualTo("4915112345678@c.us");
    assertThat(v.options()).containsExactly("Yes", "Maybe");
    assertThat(v.at()).isEqualTo(Instant.ofEpochSecond(1764583190L)); // seconds today
    // the docs warn the vote timestamp may become ms: both read the same instant
    Inbound.Vote ms = (Inbound.Vote) ((WahaWebhook.Received) effect(envelope("poll.vote",
        vote(List.of("Yes"), 1764583190123L, true)))).inbound();
    assertThat(ms.at()).isEqualTo(Instant.ofEpochMilli(1764583190123L));
    // an empty selection withdraws the vote
    assertThat(((Inbound.Vote) ((WahaWebhook.Received) effect(envelope("poll.vote", vote(List.of(), 1764583191L, true))))
        .inbound()).options()).isEmpty();
    // votes on polls this number did not send are someone else's
    assertThat(effect(envelope("poll.vote", vote(List.of("Yes"), 1764583190L, false)))).isInstanceOf(WahaWebhook.Ignored.class);
  }

  @Test
  void aVoteThatCouldNotBeReadIsNotAWithdrawal() {
    WahaWebhook.Effect e = effect(envelope("poll.vote.failed", vote(List.of(), 1764583190L, true)));
    Inbound.VoteFailed f = (Inbound.VoteFailed) ((WahaWebhook.Received) e).inbound();
    assertThat(f.pollProviderMessageId()).isEqualTo("true_4915112345678@c.us_POLL1");
    assertThat(f.voter()).isEqualTo("4915112345678@c.us");
  }

  @Test
  void anInboundMessage() {
    JsonObject payload = new JsonObject().put("id", "false_4915112345678@c.us_IN1").put("timestamp", 1764583100L)
        .put("from", "4915112345678@c.us").put("fromMe", false).put("to", "4915100000000@c.us").put("body", "Hello shop")
        .put("hasMedia", false).put("ack", 1);
    Inbound.Message m = (Inbound.Message) ((WahaWebhook.Received) effect(envelope("message", payload))).inbound();
    assertThat(m.chatId()).isEqualTo("4915112345678@c.us");
    assertThat(m.from()).isEqualTo("4915112345678@c.us");
    assertThat(m.text()).isEqualTo("Hello shop");
    assertThat(m.kind()).isEqualTo("text");
    assertThat(m.providerMessageId()).isEqualTo("false_4915112345678@c.us_IN1");
    assertThat(m.at()).isEqualTo(Instant.ofEpochSecond(1764583100L));
    // in a group the sender is the participant
    Inbound.Message g = (Inbound.Message) ((WahaWebhook.Received) effect(envelope("message", payload.copy()
        .put("from", "120363000000000001@g.us").put("participant", "4915112345678@c.us").put("hasMedia", true)))).inbound();
    assertThat(g.chatId()).isEqualTo("120363000000000001@g.us");
    assertThat(g.from()).isEqualTo("4915112345678@c.us");
    assertThat(g.kind()).isEqualTo("media");
    assertThat(effect(envelope("message", payload.copy().put("fromMe", true)))).isInstanceOf(WahaWebhook.Ignored.class);
  }

  @Test
  void statusesAndTheRest() {
    assertThat(effect(envelope("session.status", new JsonObject().put("status", "WORKING")
        .put("statuses", new JsonArray())))).isEqualTo(new WahaWebhook.Status("WORKING"));
    // older WAHA: {name, status}
    assertThat(effect(envelope("session.status", new JsonObject().put("name", "default").put("status", "SCAN_QR_CODE"))))
        .isEqualTo(new WahaWebhook.Status("SCAN_QR_CODE"));
    assertThat(effect(envelope("presence.update", new JsonObject()))).isInstanceOf(WahaWebhook.Ignored.class);
    // an event of another session (a webhook configured by hand on the wrong session) changes nothing here
    assertThat(effect(envelope("session.status", new JsonObject().put("status", "STOPPED")).put("session", "other")))
        .isInstanceOf(WahaWebhook.Ignored.class);
  }

  @Test
  void withoutAnEventIdTheKeyComesFromTheContentSoARetryRepeatsIt() {
    JsonObject first = envelope("message.ack", ack(3, true));
    first.remove("id");
    WahaWebhook.Mapped a = WahaWebhook.map(first, "req-1", "default", NOW);
    WahaWebhook.Mapped b = WahaWebhook.map(first.copy(), "req-2", "default", NOW);
    assertThat(a.eventId()).isEqualTo("ack:true_4915112345678@c.us_3EB0ABC:3").isEqualTo(b.eventId());
    // a changed vote in the same second is a different event
    JsonObject v1 = envelope("poll.vote", vote(List.of("Yes"), 1764583190L, true));
    JsonObject v2 = envelope("poll.vote", vote(List.of("No"), 1764583190L, true));
    v1.remove("id");
    v2.remove("id");
    assertThat(WahaWebhook.map(v1, null, "default", NOW).eventId()).isNotEqualTo(WahaWebhook.map(v2, null, "default", NOW).eventId());
    // nothing to derive a key from: the request id
    JsonObject odd = new JsonObject().put("event", "message").put("session", "default").put("payload", new JsonObject());
    assertThat(WahaWebhook.map(odd, "req-9", "default", NOW).eventId()).isEqualTo("req-9");
  }
}
