package org.wahub.inbound;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inbound side end to end (issue 14 parts 5 and 6): real hub, real HTTP, real PostgreSQL, the
 * simulator as the provider. Items are injected the way a provider reports them (through the
 * simulator's control route) and what they did is read from the API and, for the outbox, from the
 * events table itself. The instance stores its items one at a time in arrival order, so "a replay
 * was ignored" is checked after a later item is visible.
 */
@ExtendWith(VertxExtension.class)
class InboundTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static TestHub.Tenant other;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of());
    http = hub.http;
    shop = hub.tenant("inbound-shop");
    other = hub.tenant("inbound-other");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static JsonObject ready(JsonObject config) {
    return new JsonObject().put("provider", new JsonObject().put("type", "simulator").put("pairingMs", 0)
        .put("latencyMs", 5).put("startState", "READY").mergeIn(config));
  }

  static JsonObject simulate(String instance, JsonObject command) {
    Http.Res res = http.post("/instances/" + instance + "/simulate", shop.key(), command);
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    return res.json();
  }

  static JsonObject message(String id) {
    Http.Res res = http.get("/messages/" + id, shop.key());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    return res.json();
  }

  /** Posts and waits until sent; returns {id, providerMessageId}. */
  static JsonObject sent(String instance, String path, JsonObject body) {
    Http.Res res = http.post("/instances/" + instance + path, shop.key(), body);
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    String id = res.json().getString("id");
    await().atMost(Duration.ofSeconds(20)).until(() -> "sent".equals(message(id).getString("status")));
    return new JsonObject().put("id", id).put("providerMessageId", message(id).getString("providerMessageId"));
  }

  static long events(String type, String messageId) {
    return hub.sql.count("SELECT count(*) FROM events WHERE type = ? AND message_id = ?::uuid", type, messageId);
  }

  static long inboundRows(String instance) {
    return hub.sql.count("SELECT count(*) FROM inbound WHERE instance_id = ?", instance);
  }

  static List<String> historyKinds(String messageId) {
    List<String> out = new ArrayList<>();
    message(messageId).getJsonArray("history").forEach(h -> out.add(((JsonObject) h).getString("event")));
    return out;
  }

  static List<JsonObject> inbox(String instance, int limit) {
    List<JsonObject> out = new ArrayList<>();
    String cursor = null;
    do {
      Http.Res res = http.get("/instances/" + instance + "/inbound?limit=" + limit + (cursor == null ? "" : "&after=" + cursor),
          shop.key());
      assertThat(res.status()).as(res.body()).isEqualTo(200);
      assertThat(res.json().getJsonArray("items").size()).isLessThanOrEqualTo(limit);
      res.json().getJsonArray("items").forEach(o -> out.add((JsonObject) o));
      cursor = res.json().getString("nextCursor");
    } while (cursor != null);
    return out;
  }

  @Test
  void aReplayedInboundMessageIsIgnoredButNewContentNeverIs() {
    hub.instance(shop, "in-msg", null);
    JsonObject hello = new JsonObject().put("event", "inbound_message").put("eventId", "wamid.1")
        .put("from", "+4915112345678").put("text", "hello");
    simulate("in-msg", hello);
    simulate("in-msg", hello); // the provider's webhook retry
    // the same words again, as a new message: a new event id, stored
    simulate("in-msg", hello.copy().put("eventId", "wamid.2"));
    // a provider reusing an event id for different content: still a new item, never dropped
    simulate("in-msg", hello.copy().put("text", "hello again"));
    simulate("in-msg", new JsonObject().put("event", "inbound_message").put("eventId", "wamid.3")
        .put("from", "+4915112345679").put("text", "last"));
    await().atMost(Duration.ofSeconds(10)).until(() -> inboundRows("in-msg") == 4);
    List<JsonObject> inbox = inbox("in-msg", 1);
    assertThat(inbox).extracting(o -> o.getString("text")).containsExactly("hello", "hello", "hello again", "last");
    assertThat(inbox).extracting(o -> o.getString("providerEventId"))
        .containsExactly("wamid.1", "wamid.2", "wamid.1", "wamid.3");
    assertThat(inbox.get(0).getString("chatId")).isEqualTo("4915112345678@c.us");
    assertThat(inbox.get(0).getString("from")).isEqualTo("+4915112345678");
    assertThat(hub.sql.count("SELECT count(*) FROM events WHERE type = 'message.received' AND instance_id = 'in-msg'"))
        .isEqualTo(4);
    JsonObject data = new JsonObject(hub.sql.rows("SELECT data::text AS d FROM events WHERE type = 'message.received' "
        + "AND instance_id = 'in-msg' ORDER BY tx, seq LIMIT 1").get(0).get("d").toString());
    assertThat(data.getString("text")).isEqualTo("hello");
    assertThat(data.getString("tenantId")).isEqualTo(shop.id());
  }

  @Test
  void receiptsOnlyMoveForwardAndALateFailureIsOnlyRecorded() {
    hub.instance(shop, "in-rcpt", ready(new JsonObject()));
    JsonObject m = sent("in-rcpt", "/messages", new JsonObject().put("to", "+4915112345678").put("text", "hi"));
    String id = m.getString("id");
    String pid = m.getString("providerMessageId");
    // out of order: read arrives before delivered
    simulate("in-rcpt", new JsonObject().put("event", "receipt").put("providerMessageId", pid).put("status", "read"));
    simulate("in-rcpt", new JsonObject().put("event", "receipt").put("providerMessageId", pid).put("status", "delivered"));
    simulate("in-rcpt", new JsonObject().put("event", "receipt").put("providerMessageId", pid).put("status", "read"));
    simulate("in-rcpt", new JsonObject().put("event", "receipt").put("providerMessageId", pid).put("status", "failed")
        .put("error", "131026: undeliverable"));
    await().atMost(Duration.ofSeconds(10)).until(() -> inboundRows("in-rcpt") == 3);
    JsonObject after = message(id);
    assertThat(after.getString("status")).isEqualTo("read");
    assertThat(after.getString("readAt")).isNotNull();
    assertThat(after.getString("deliveredAt")).as("read implies delivered").isNotNull();
    assertThat(historyKinds(id)).containsSubsequence("sent", "read", "receipt_late", "receipt_late");
    assertThat(message(id).getJsonArray("history").stream().map(h -> ((JsonObject) h).getString("detail")).toList())
        .anyMatch(d -> d != null && d.contains("failed receipt after read"))
        .anyMatch(d -> d != null && d.contains("delivered receipt after read"));
    assertThat(events("message.read", id)).isEqualTo(1);
    assertThat(events("message.delivered", id)).isZero();
    assertThat(events("message.failed", id)).isZero();
  }

  @Test
  void deliveredThenReadAndAFailureOfASentMessageFailsIt() {
    hub.instance(shop, "in-fwd", ready(new JsonObject()));
    JsonObject a = sent("in-fwd", "/messages", new JsonObject().put("to", "+4915112345678").put("text", "a"));
    JsonObject b = sent("in-fwd", "/messages", new JsonObject().put("to", "+4915112345679").put("text", "b"));
    simulate("in-fwd", new JsonObject().put("event", "receipt").put("providerMessageId", a.getString("providerMessageId"))
        .put("status", "delivered"));
    simulate("in-fwd", new JsonObject().put("event", "receipt").put("providerMessageId", a.getString("providerMessageId"))
        .put("status", "read"));
    simulate("in-fwd", new JsonObject().put("event", "receipt").put("providerMessageId", b.getString("providerMessageId"))
        .put("status", "failed").put("error", "131026: undeliverable"));
    await().atMost(Duration.ofSeconds(10)).until(() -> inboundRows("in-fwd") == 3);
    assertThat(message(a.getString("id")).getString("status")).isEqualTo("read");
    assertThat(historyKinds(a.getString("id"))).containsSubsequence("sent", "delivered", "read");
    assertThat(events("message.delivered", a.getString("id"))).isEqualTo(1);
    assertThat(events("message.read", a.getString("id"))).isEqualTo(1);
    JsonObject failed = message(b.getString("id"));
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getJsonObject("lastError").getString("code")).isEqualTo("receipt_failed");
    assertThat(failed.getJsonObject("lastError").getString("message")).contains("131026");
    assertThat(events("message.failed", b.getString("id"))).isEqualTo(1);
    // a receipt about a message the hub never sent is kept (deduplicated) but tells nobody anything
    simulate("in-fwd", new JsonObject().put("event", "receipt").put("providerMessageId", "sim-unknown").put("status", "read"));
    await().atMost(Duration.ofSeconds(10)).until(() -> inboundRows("in-fwd") == 4);
    assertThat(hub.sql.count("SELECT count(*) FROM inbound WHERE instance_id = 'in-fwd' AND outcome = 'unmatched'"))
        .isEqualTo(1);
  }

  @Test
  void votesAreAggregatedAChangedVoteReplacesAndAFailedVoteIsNoWithdrawal() {
    hub.instance(shop, "in-poll", ready(new JsonObject()));
    JsonObject poll = sent("in-poll", "/polls", new JsonObject().put("to", "+4915112345678")
        .put("question", "Confirm order?").put("options", new JsonArray().add("Yes").add("No").add("Later")));
    String id = poll.getString("id");
    String pid = poll.getString("providerMessageId");
    JsonObject annYes = new JsonObject().put("event", "poll_vote").put("providerMessageId", pid).put("voter", "ann@c.us")
        .put("options", new JsonArray().add("Yes")).put("eventId", "v1").put("at", "2026-03-01T10:00:00Z");
    simulate("in-poll", annYes);
    simulate("in-poll", new JsonObject().put("event", "poll_vote").put("providerMessageId", pid).put("voter", "bob@c.us")
        .put("options", new JsonArray().add("No")).put("eventId", "v2").put("at", "2026-03-01T10:00:05Z"));
    // ann changes her mind
    simulate("in-poll", new JsonObject().put("event", "poll_vote").put("providerMessageId", pid).put("voter", "ann@c.us")
        .put("options", new JsonArray().add("No")).put("eventId", "v3").put("at", "2026-03-01T10:01:00Z"));
    simulate("in-poll", annYes); // a replay of her first vote: ignored
    // bob's older vote arriving late: recorded, not counted
    simulate("in-poll", new JsonObject().put("event", "poll_vote").put("providerMessageId", pid).put("voter", "bob@c.us")
        .put("options", new JsonArray().add("Later")).put("eventId", "v0").put("at", "2026-03-01T09:59:00Z"));
    // the provider could not read ann's next vote: her "No" stands
    simulate("in-poll", new JsonObject().put("event", "vote_failed").put("providerMessageId", pid).put("voter", "ann@c.us")
        .put("eventId", "v4").put("at", "2026-03-01T10:02:00Z"));
    await().atMost(Duration.ofSeconds(10)).until(() -> inboundRows("in-poll") == 5);

    JsonObject results = message(id).getJsonObject("poll");
    assertThat(results.getInteger("voters")).isEqualTo(2);
    JsonArray options = results.getJsonArray("options");
    assertThat(options.getJsonObject(0)).isEqualTo(new JsonObject().put("option", "Yes").put("count", 0)
        .put("voters", new JsonArray()));
    assertThat(options.getJsonObject(1)).isEqualTo(new JsonObject().put("option", "No").put("count", 2)
        .put("voters", new JsonArray().add("ann@c.us").add("bob@c.us")));
    assertThat(options.getJsonObject(2).getInteger("count")).isZero();
    assertThat(historyKinds(id)).contains("vote", "vote_late", "vote_failed");
    // three votes that counted and the failed one (marked), nothing for the replay or the late vote
    assertThat(events("poll.vote", id)).isEqualTo(4);
    JsonObject failed = new JsonObject(hub.sql.rows("SELECT data::text AS d FROM events WHERE type = 'poll.vote' "
        + "AND message_id = ?::uuid ORDER BY tx DESC, seq DESC LIMIT 1", id).get(0).get("d").toString());
    assertThat(failed.getBoolean("failed")).isTrue();
    assertThat(failed.getJsonArray("selectedOptions")).isEqualTo(new JsonArray().add("No"));
    // ann withdraws every choice: an empty selection is a real withdrawal
    simulate("in-poll", new JsonObject().put("event", "poll_vote").put("providerMessageId", pid).put("voter", "ann@c.us")
        .put("options", new JsonArray()).put("eventId", "v5").put("at", "2026-03-01T10:03:00Z"));
    await().atMost(Duration.ofSeconds(10)).until(() -> message(id).getJsonObject("poll").getInteger("voters") == 1);
  }

  @Test
  void anotherTenantsInstanceIs404AndBadParametersAre400() {
    hub.instance(shop, "in-own", null);
    Http.Res foreign = http.get("/instances/in-own/inbound", other.key());
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.header("Content-Type")).startsWith("application/problem+json");
    assertThat(http.get("/instances/nope/inbound", shop.key()).status()).isEqualTo(404);
    for (String query : List.of("limit=0", "limit=201", "limit=abc", "after=not-a-cursor", "after=", "status=x")) {
      Http.Res res = http.get("/instances/in-own/inbound?" + query, shop.key());
      assertThat(res.status()).as(query).isEqualTo(400);
      assertThat(res.header("Content-Type")).as(query).startsWith("application/problem+json");
      assertThat(res.json().getInteger("status")).isEqualTo(400);
    }
    Http.Res empty = http.get("/instances/in-own/inbound?limit=200", shop.key());
    assertThat(empty.status()).isEqualTo(200);
    assertThat(empty.json().getJsonArray("items")).isEmpty();
    assertThat(empty.json().getString("nextCursor")).isNull();
    // the simulator's inbound commands are checked before they reach the instance
    assertThat(http.post("/instances/in-own/simulate", shop.key(), new JsonObject().put("event", "poll_vote")
        .put("providerMessageId", "x").put("voter", "v")).status()).isEqualTo(400);
    assertThat(http.post("/instances/in-own/simulate", shop.key(), new JsonObject().put("event", "receipt")
        .put("providerMessageId", "x").put("status", "seen")).status()).isEqualTo(400);
  }

  @Test
  void theSimulatorPlaysTheOtherSide() {
    hub.instance(shop, "in-sim", ready(new JsonObject().put("seed", 7).put("deliveredAfterMs", 100).put("readAfterMs", 400)
        .put("replyText", "thanks!").put("replyAfterMs", 200).put("voteProbability", 1.0).put("voteOption", "Yes")
        .put("voteAfterMs", 200)));
    Http.Res text = http.post("/instances/in-sim/messages", shop.key(), new JsonObject().put("to", "+4915112345678")
        .put("text", "your order shipped"));
    Http.Res poll = http.post("/instances/in-sim/polls", shop.key(), new JsonObject().put("to", "+4915112345679")
        .put("question", "Happy?").put("options", new JsonArray().add("Yes").add("No")));
    assertThat(text.status()).isEqualTo(202);
    assertThat(poll.status()).isEqualTo(202);
    String textId = text.json().getString("id");
    String pollId = poll.json().getString("id");
    await().atMost(Duration.ofSeconds(20)).until(() -> "read".equals(message(textId).getString("status"))
        && "read".equals(message(pollId).getString("status"))
        && message(pollId).getJsonObject("poll").getInteger("voters") == 1
        && inbox("in-sim", 50).size() == 2);
    assertThat(historyKinds(textId)).containsSubsequence("attempt", "sent", "delivered", "read");
    for (String type : List.of("message.delivered", "message.read")) {
      assertThat(events(type, textId)).as(type).isEqualTo(1);
    }
    JsonObject yes = message(pollId).getJsonObject("poll").getJsonArray("options").getJsonObject(0);
    assertThat(yes.getString("option")).isEqualTo("Yes");
    assertThat(yes.getInteger("count")).isEqualTo(1);
    assertThat(yes.getJsonArray("voters")).containsExactly("4915112345679@c.us");
    assertThat(events("poll.vote", pollId)).isEqualTo(1);
    assertThat(inbox("in-sim", 50)).extracting(o -> o.getString("text")).containsOnly("thanks!");
    assertThat(hub.sql.count("SELECT count(*) FROM events WHERE type = 'message.received' AND instance_id = 'in-sim'"))
        .isEqualTo(2);
    // the config is shown back (no secrets in it)
    JsonObject provider = http.get("/instances/in-sim", shop.key()).json().getJsonObject("provider");
    assertThat(provider.getString("replyText")).isEqualTo("thanks!");
    assertThat(provider.getInteger("deliveredAfterMs")).isEqualTo(100);
  }
}
