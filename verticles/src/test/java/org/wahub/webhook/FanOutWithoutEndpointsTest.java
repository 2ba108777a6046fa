package org.wahub.webhook;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.hub.message.MessageIds;
import org.wahub.support.Http;
import org.wahub.support.Outbox;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A hub with no enabled endpoint does not read its events to fan them out: one round moves the
 * cursor past all of them, however many pages they fill, and reads none. Once an endpoint exists,
 * events after it reach it as before.
 */
@ExtendWith(VertxExtension.class)
class FanOutWithoutEndpointsTest {

  static TestHub hub;
  static Pool pool;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of("HUB_OUTBOUND_ALLOW", "127.0.0.1/32"));
    pool = hub.newPool(1);
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void oneRoundSkipsEveryEventWhileNoEndpointIsEnabledAndNoneIsLostAfterwards() {
    TestHub.Tenant t = hub.tenant("no-endpoints");
    // written the way a busy node writes them, without waking this node's fan-out
    hub.sql.update("INSERT INTO events (tenant_id, instance_id, message_id, type, at, data) "
        + "SELECT ?, 'i1', gen_random_uuid(), 'message.sent', now(), '{}'::jsonb FROM generate_series(1, 1200)", t.id());
    long events = hub.sql.count("SELECT count(*) FROM events");
    assertThat(events).isGreaterThanOrEqualTo(1200);

    WebhookDeliveryStore store = new WebhookDeliveryStore(pool);
    WebhookFanOut planner = new WebhookFanOut(new MessageIds(Clock.systemUTC(), new SplittableRandom(7)));
    WebhookDeliveryStore.FanOut round = await().atMost(Duration.ofSeconds(10)).until(
        () -> TestHub.join(store.fanOutPage(WebhookVerticle.FANOUT_PAGE, Instant.now(), planner)),
        WebhookDeliveryStore.FanOut::locked);
    assertThat(round.scanned()).as("events read").isZero();
    // the cursor is at the last event: more than two pages' worth passed in one round
    assertThat(hub.sql.count("SELECT count(*) FROM events e, webhook_dispatch_cursor c WHERE (e.tx, e.seq) > (c.tx, c.seq)"))
        .isZero();
    assertThat(hub.sql.count("SELECT count(*) FROM webhook_deliveries")).isZero();

    // an endpoint: what comes after it is fanned out to it (the hub's own round does it)
    Http.Res created = hub.http.post("/webhooks", t.key(), new JsonObject().put("url", "http://127.0.0.1:9/hook")
        .put("eventTypes", new JsonArray().add("message.sent")));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String webhookId = created.json().getString("id");
    for (int i = 0; i < 3; i++) {
      Outbox.append(hub, t.id(), "i1", java.util.UUID.randomUUID().toString(), "message.sent", null);
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        hub.sql.count("SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ?", webhookId) == 3);
  }

}
