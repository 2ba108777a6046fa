package org.wahub.webhook;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.Outbox;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;
import org.wahub.support.WebhookReceiver;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Delivery end to end: outbox rows → fan-out → signed requests to real local receivers. A receiver
 * that is down and comes back gets everything in per-message order; 410 disables; an endpoint that
 * never answers does not slow another; filters pick the right events; ended deliveries are pruned.
 */
@ExtendWith(VertxExtension.class)
class WebhookDeliveryTest {

  static TestHub hub;
  static Http http;
  static Vertx vertx;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    hub = TestHub.start(v, TestPg.newDatabaseUrl(), Map.of(
        "HUB_OUTBOUND_ALLOW", "127.0.0.1/32",
        "HUB_WEBHOOK_RETRY_DELAYS_MS", "100,200,400,800",
        "HUB_WEBHOOK_MAX_ATTEMPTS", 40,
        "HUB_WEBHOOK_BREAKER_FAILURES", 3,
        "HUB_WEBHOOK_BREAKER_RESET_MS", 500,
        "HUB_MAINTENANCE_INTERVAL_MS", 300));
    http = hub.http;
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  record Endpoint(String id, String secret) {
  }

  static Endpoint endpoint(TestHub.Tenant t, String url, JsonObject extra, String... types) {
    JsonObject body = new JsonObject().put("url", url).put("eventTypes", new JsonArray(List.of((Object[]) types)));
    if (extra != null) {
      body.mergeIn(extra);
    }
    Http.Res res = http.post("/webhooks", t.key(), body);
    assertThat(res.status()).as(res.toString()).isEqualTo(201);
    return new Endpoint(res.json().getString("id"), res.json().getString("secret"));
  }

  /** The first arrival of each delivery id, in arrival order (at-least-once may repeat one). */
  static List<WebhookReceiver.Received> firstArrivals(WebhookReceiver r) {
    Map<String, WebhookReceiver.Received> first = new LinkedHashMap<>();
    for (WebhookReceiver.Received got : r.received()) {
      first.putIfAbsent(got.id(), got);
    }
    return new ArrayList<>(first.values());
  }

  static List<JsonObject> deliveries(TestHub.Tenant t, String webhookId, String status) {
    List<JsonObject> out = new ArrayList<>();
    String after = null;
    do {
      String q = "/webhooks/" + webhookId + "/deliveries?limit=200" + (status == null ? "" : "&status=" + status)
          + (after == null ? "" : "&after=" + after);
      JsonObject page = http.get(q, t.key()).json();
      page.getJsonArray("items").forEach(i -> out.add((JsonObject) i));
      after = page.getString("nextCursor");
    } while (after != null);
    return out;
  }

  @Test
  void aReceiverThatIsDownGetsEverythingInPerMessageOrderWhenItComesBack() {
    TestHub.Tenant t = hub.tenant("wd-down");
    hub.instance(t, "wd-down-1", null);
    WebhookReceiver receiver = WebhookReceiver.down(vertx);
    Endpoint ep = endpoint(t, receiver.url(), null, "message.*");
    receiver.trust(ep.secret());

    List<String> types = List.of("message.sent", "message.delivered", "message.read");
    List<UUID> messages = new ArrayList<>();
    for (int m = 0; m < 12; m++) {
      messages.add(UUID.randomUUID());
    }
    for (String type : types) {
      for (UUID m : messages) {
        Outbox.append(hub, t.id(), "wd-down-1", m.toString(), type, new JsonObject().put("step", type));
      }
    }
    int expected = messages.size() * types.size();
    // the first event of every message fails a few times; the later ones wait behind it
    await().atMost(Duration.ofSeconds(20)).until(() -> deliveries(t, ep.id(), null).stream()
        .filter(d -> d.getInteger("attempts") >= 2).count() >= 3);
    assertThat(deliveries(t, ep.id(), null)).hasSize(expected);
    assertThat(deliveries(t, ep.id(), "succeeded")).isEmpty();

    receiver.start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(t, ep.id(), "succeeded").size() == expected);
      List<WebhookReceiver.Received> got = firstArrivals(receiver);
      assertThat(got).hasSize(expected);
      assertThat(got).allSatisfy(r -> assertThat(r.verified()).as("signature of " + r.id()).isTrue());
      Map<String, List<String>> perMessage = new HashMap<>();
      for (WebhookReceiver.Received r : got) {
        perMessage.computeIfAbsent(r.data().getString("messageId"), k -> new ArrayList<>()).add(r.type());
      }
      assertThat(perMessage).hasSize(messages.size());
      perMessage.forEach((m, seen) -> assertThat(seen).as("events of message " + m).isEqualTo(types));
      assertThat(deliveries(t, ep.id(), "failed")).isEmpty();
    } finally {
      receiver.close();
    }
  }

  @Test
  void gone410DisablesTheEndpointAndEndsWhatWaitsForIt() {
    TestHub.Tenant t = hub.tenant("wd-gone");
    WebhookReceiver receiver = WebhookReceiver.up(vertx).answer(410);
    try {
      Endpoint ep = endpoint(t, receiver.url(), null, "poll.vote");
      Outbox.append(hub, t.id(), null, null, "poll.vote", new JsonObject().put("n", 1));
      await().atMost(Duration.ofSeconds(10)).until(() -> !http.get("/webhooks/" + ep.id(), t.key()).json().getBoolean("enabled"));
      JsonObject shown = http.get("/webhooks/" + ep.id(), t.key()).json();
      assertThat(shown.getString("disabledReason")).isEqualTo("gone");
      assertThat(shown.getString("disabledAt")).isNotNull();
      List<JsonObject> ds = deliveries(t, ep.id(), null);
      assertThat(ds).hasSize(1);
      assertThat(ds.get(0).getString("status")).isEqualTo("cancelled");
      assertThat(ds.get(0).getInteger("lastStatus")).isEqualTo(410);
      assertThat(ds.get(0).getJsonObject("lastError").getString("code")).isEqualTo("gone");

      // a disabled endpoint is not called again, and gets no new deliveries
      Outbox.append(hub, t.id(), null, null, "poll.vote", new JsonObject().put("n", 2));
      Http.Res ping = http.post("/webhooks/" + ep.id() + "/test", t.key(), null);
      assertThat(ping.status()).isEqualTo(409);
      await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received().size() == 1);
      assertThat(deliveries(t, ep.id(), null)).hasSize(1);
    } finally {
      receiver.close();
    }
  }

  @Test
  void anEndpointThatNeverAnswersDoesNotDelayAHealthyOne() {
    TestHub.Tenant t = hub.tenant("wd-slow");
    WebhookReceiver slow = WebhookReceiver.up(vertx).hang();
    WebhookReceiver healthy = WebhookReceiver.up(vertx);
    try {
      endpoint(t, slow.url(), null, "*");
      Endpoint good = endpoint(t, healthy.url(), null, "*");
      healthy.trust(good.secret());

      int events = 30;
      Map<Integer, Instant> appended = new HashMap<>();
      for (int n = 0; n < events; n++) {
        appended.put(n, Instant.now());
        // each its own message: no order constraint between them
        Outbox.append(hub, t.id(), null, UUID.randomUUID().toString(), "message.sent", new JsonObject().put("n", n));
        if (n % 10 == 9) {
          // let requests pile up on the slow endpoint between bursts
          await().pollDelay(Duration.ofMillis(200)).until(() -> true);
        }
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> firstArrivals(healthy).size() == events);
      List<Long> latencies = new ArrayList<>();
      for (WebhookReceiver.Received r : firstArrivals(healthy)) {
        assertThat(r.verified()).isTrue();
        latencies.add(Duration.between(appended.get(r.data().getInteger("n")), r.at()).toMillis());
      }
      latencies.sort(Long::compare);
      System.out.println("healthy endpoint latency beside a hanging one, ms: p50=" + latencies.get(events / 2)
          + " max=" + latencies.get(events - 1) + " (slow endpoint holds " + slow.received().size() + " unanswered requests)");
      assertThat(slow.received()).as("the slow endpoint was being called").isNotEmpty();
      // the slow endpoint's requests wait for the 10 s time-out; the healthy one's never wait for them
      assertThat(latencies.get(events - 1)).isLessThan(2_000);
      assertThat(slow.received().size()).as("at most its concurrency in flight").isLessThanOrEqualTo(4);
    } finally {
      slow.close();
      healthy.close();
    }
  }

  @Test
  void filtersPickTypesInstancesAndTheTenant() {
    TestHub.Tenant t = hub.tenant("wd-filter");
    TestHub.Tenant stranger = hub.tenant("wd-stranger");
    hub.instance(t, "wd-filter-1", null);
    hub.instance(t, "wd-filter-2", null);
    // the instances' own state events (they now reach the outbox) happen before the endpoints exist, so "*" skips them
    await().atMost(Duration.ofSeconds(10)).until(() -> hub.sql.count(
        "SELECT count(*) FROM events WHERE tenant_id = ? AND type = 'instance.needs_qr'", t.id()) == 2);
    WebhookReceiver onlySent = WebhookReceiver.up(vertx);
    WebhookReceiver all = WebhookReceiver.up(vertx);
    try {
      Endpoint a = endpoint(t, onlySent.url(), new JsonObject().put("instanceId", "wd-filter-1"), "message.sent");
      Endpoint b = endpoint(t, all.url(), null, "*");
      Outbox.append(hub, t.id(), "wd-filter-1", UUID.randomUUID().toString(), "message.queued", null);
      Outbox.append(hub, t.id(), "wd-filter-1", UUID.randomUUID().toString(), "message.sent", null);
      Outbox.append(hub, t.id(), "wd-filter-2", UUID.randomUUID().toString(), "message.sent", null);
      Outbox.append(hub, t.id(), "wd-filter-2", null, "poll.vote", null);
      Outbox.append(hub, stranger.id(), null, null, "poll.vote", null);
      await().atMost(Duration.ofSeconds(10)).until(() -> firstArrivals(all).size() == 3 && firstArrivals(onlySent).size() == 1);
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
          .until(() -> firstArrivals(all).size() == 3 && firstArrivals(onlySent).size() == 1);
      assertThat(firstArrivals(onlySent).get(0).data().getString("instanceId")).isEqualTo("wd-filter-1");
      assertThat(firstArrivals(all)).extracting(WebhookReceiver.Received::type)
          .containsExactly("message.sent", "message.sent", "poll.vote");
      assertThat(deliveries(t, a.id(), null)).hasSize(1);
      assertThat(deliveries(t, b.id(), null)).hasSize(3);
    } finally {
      onlySent.close();
      all.close();
    }
  }

  @Test
  void endedDeliveriesArePrunedAfterTheirRetentionAndOpenOnesNever() {
    TestHub.Tenant t = hub.tenant("wd-retention");
    WebhookReceiver receiver = WebhookReceiver.up(vertx);
    WebhookReceiver down = WebhookReceiver.down(vertx);
    try {
      Endpoint ep = endpoint(t, receiver.url(), null, "poll.vote");
      Endpoint dead = endpoint(t, down.url(), null, "poll.vote");
      for (int n = 0; n < 5; n++) {
        Outbox.append(hub, t.id(), null, null, "poll.vote", new JsonObject().put("n", n));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(t, ep.id(), "succeeded").size() == 5);
      assertThat(deliveries(t, dead.id(), null)).hasSize(5).allSatisfy(d ->
          assertThat(d.getString("status")).isIn("pending", "sending"));
      // two of the ended ones and every open one look 8 days old; the default retention is 7 days
      Set<String> old = new LinkedHashSet<>();
      deliveries(t, ep.id(), null).stream().limit(2).forEach(d -> old.add(d.getString("id")));
      for (String id : old) {
        hub.sql.update("UPDATE webhook_deliveries SET finished_at = now() - interval '8 days', "
            + "created_at = now() - interval '8 days' WHERE id = ?::uuid", id);
      }
      hub.sql.update("UPDATE webhook_deliveries SET created_at = now() - interval '8 days' WHERE webhook_id = ?", dead.id());
      await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(t, ep.id(), null).size() == 3);
      assertThat(deliveries(t, ep.id(), null)).extracting(d -> d.getString("id")).doesNotContainAnyElementsOf(old);
      assertThat(deliveries(t, dead.id(), null)).hasSize(5);
    } finally {
      receiver.close();
      down.close();
    }
  }
  @Test
  void disablingEndsWhatWaitsAndEnablingStartsWithNewEventsOnly() {
    TestHub.Tenant t = hub.tenant("wd-toggle");
    WebhookReceiver receiver = WebhookReceiver.down(vertx);
    try {
      Endpoint ep = endpoint(t, receiver.url(), null, "poll.vote");
      receiver.trust(ep.secret());
      for (int n = 0; n < 3; n++) {
        Outbox.append(hub, t.id(), null, null, "poll.vote", new JsonObject().put("n", n));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(t, ep.id(), null).size() == 3
          && deliveries(t, ep.id(), null).stream().allMatch(d -> d.getInteger("attempts") >= 1));
      assertThat(http.patch("/webhooks/" + ep.id(), t.key(), new JsonObject().put("enabled", false)).status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(t, ep.id(), "cancelled").size() == 3);

      Outbox.append(hub, t.id(), null, null, "poll.vote", new JsonObject().put("n", "while-off"));
      receiver.start();
      assertThat(http.patch("/webhooks/" + ep.id(), t.key(), new JsonObject().put("enabled", true)).status()).isEqualTo(200);
      Outbox.append(hub, t.id(), null, null, "poll.vote", new JsonObject().put("n", "after"));
      await().atMost(Duration.ofSeconds(10)).until(() -> firstArrivals(receiver).size() == 1);
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> firstArrivals(receiver).size() == 1);
      assertThat(firstArrivals(receiver).get(0).data().getString("n")).isEqualTo("after");

      // a cancelled delivery can still be replayed by hand
      String cancelled = deliveries(t, ep.id(), "cancelled").get(0).getString("id");
      assertThat(http.post("/webhooks/" + ep.id() + "/deliveries/" + cancelled + "/replay", t.key(), null).status()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(10)).until(() -> firstArrivals(receiver).size() == 2);
      assertThat(firstArrivals(receiver).get(1).id()).isEqualTo(cancelled);
      assertThat(firstArrivals(receiver)).allSatisfy(r -> assertThat(r.verified()).isTrue());
    } finally {
      receiver.close();
    }
  }

  /**
   * Gap safety (DESIGN §8a): an event whose transaction started first but commits last is not
   * skipped by a fan-out that already saw a later one commit: the later one waits (the fan-out
   * looks again, backing off, while events wait behind a running transaction), then both arrive.
   */
  @Test
  void anEventThatCommitsLateBehindALaterOneIsNotSkipped() throws Exception {
    TestHub.Tenant t = hub.tenant("wd-gap");
    WebhookReceiver receiver = WebhookReceiver.up(vertx);
    var db = hub.hub.database();
    try (java.sql.Connection slow = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      endpoint(t, receiver.url(), null, "poll.vote");
      slow.setAutoCommit(false);
      try (var ps = slow.prepareStatement("INSERT INTO events (tenant_id, type, at, data) VALUES (?, 'poll.vote', now(), ?::jsonb)")) {
        ps.setString(1, t.id());
        ps.setString(2, new JsonObject().put("n", "slow").encode());
        ps.executeUpdate();
      }
      Outbox.append(hub, t.id(), null, null, "poll.vote", new JsonObject().put("n", "fast"));
      // the later event waits for the earlier transaction: nothing passes it
      await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received().isEmpty());
      slow.commit();
      Outbox.notifyCommitted(hub, t.id()); // as the writing node does after its commit
      await().atMost(Duration.ofSeconds(10)).until(() -> firstArrivals(receiver).size() == 2);
      assertThat(firstArrivals(receiver)).extracting(r -> r.data().getString("n")).containsExactly("slow", "fast");
    } finally {
      receiver.close();
    }
  }
}
