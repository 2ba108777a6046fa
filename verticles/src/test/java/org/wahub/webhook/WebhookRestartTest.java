package org.wahub.webhook;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Outbox;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;
import org.wahub.support.WebhookReceiver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hub stopped in the middle of a retry schedule loses nothing: a new hub on the same database
 * picks up every pending delivery (and the events appended while no hub ran) and delivers them
 * all, in per-message order, once the receiver is back.
 */
@ExtendWith(VertxExtension.class)
class WebhookRestartTest {

  static final Map<String, Object> CONFIG = Map.of(
      "HUB_OUTBOUND_ALLOW", "127.0.0.1/32",
      "HUB_WEBHOOK_RETRY_DELAYS_MS", "200,400,800",
      "HUB_WEBHOOK_MAX_ATTEMPTS", 40,
      "HUB_WEBHOOK_BREAKER_FAILURES", 3,
      "HUB_WEBHOOK_BREAKER_RESET_MS", 500);

  @Test
  void aRestartInTheMiddleOfARetryScheduleLosesNothing(Vertx vertx) {
    String db = TestPg.newDatabaseUrl();
    WebhookReceiver receiver = WebhookReceiver.down(vertx);
    TestHub first = TestHub.start(vertx, db, CONFIG);
    TestHub.Tenant t = first.tenant("wrs-shop");
    first.instance(t, "wrs-1", null);
    JsonObject created = first.http.post("/webhooks", t.key(), new JsonObject().put("url", receiver.url())
        .put("eventTypes", new JsonArray().add("message.*"))).json();
    String hook = created.getString("id");
    receiver.trust(created.getString("secret"));

    List<String> types = List.of("message.sent", "message.delivered", "message.read");
    List<String> messages = new ArrayList<>();
    for (int m = 0; m < 8; m++) {
      messages.add(UUID.randomUUID().toString());
    }
    for (String m : messages) {
      Outbox.append(first, t.id(), "wrs-1", m, types.get(0), null);
      Outbox.append(first, t.id(), "wrs-1", m, types.get(1), null);
    }
    await().atMost(Duration.ofSeconds(20)).until(() ->
        first.sql.count("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND attempts >= 2", hook) >= 2);
    first.close();

    // nothing is in flight any more, nothing was lost, nothing succeeded
    long pending = first.sql.count("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND status = 'pending'", hook);
    assertThat(pending).isEqualTo(messages.size() * 2L);
    assertThat(first.sql.count("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND status <> 'pending'", hook)).isZero();
    long attemptsBefore = first.sql.count("SELECT sum(attempts) FROM webhook_deliveries WHERE webhook_id = ?", hook);
    assertThat(attemptsBefore).isGreaterThanOrEqualTo(2);

    // events that happen while no hub runs wait in the outbox
    for (String m : messages) {
      first.sql.update("INSERT INTO events (tenant_id, instance_id, message_id, type, at, data) "
          + "VALUES (?, 'wrs-1', ?::uuid, ?, now(), jsonb_build_object('instanceId', 'wrs-1', 'messageId', ?::text))",
          t.id(), m, types.get(2), m);
    }

    TestHub second = TestHub.start(vertx, db, CONFIG);
    try {
      receiver.start();
      int expected = messages.size() * types.size();
      await().atMost(Duration.ofSeconds(30)).until(() -> second.sql.count(
          "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND status = 'succeeded'", hook) == expected);
      Map<String, WebhookReceiver.Received> first1 = new LinkedHashMap<>();
      receiver.received().forEach(r -> first1.putIfAbsent(r.id(), r));
      assertThat(first1).hasSize(expected);
      Map<String, List<String>> perMessage = new HashMap<>();
      for (WebhookReceiver.Received r : first1.values()) {
        assertThat(r.verified()).isTrue();
        perMessage.computeIfAbsent(r.data().getString("messageId"), k -> new ArrayList<>()).add(r.type());
      }
      assertThat(perMessage).hasSize(messages.size());
      perMessage.forEach((m, seen) -> assertThat(seen).as("events of " + m).isEqualTo(types));
      assertThat(second.sql.count("SELECT sum(attempts) FROM webhook_deliveries WHERE webhook_id = ?", hook))
          .as("the schedule went on where it was").isGreaterThan(attemptsBefore);
    } finally {
      receiver.close();
      second.close();
    }
  }
}
