package org.wahub.webhook;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.wahub.event.EventLog;
import org.wahub.hub.event.EventPosition;
import org.wahub.hub.message.MessageIds;
import org.wahub.webhook.WebhookDeliveryStore.HookRow;
import org.wahub.webhook.WebhookDeliveryStore.NewDelivery;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The fan-out's matching and body, without a database. */
class WebhookFanOutTest {

  static final Instant T = Instant.parse("2026-05-01T12:00:00.123456Z");
  final WebhookFanOut planner = new WebhookFanOut(new MessageIds(Clock.fixed(T, ZoneOffset.UTC), new SplittableRandom(1)));

  static final java.util.UUID M1 = java.util.UUID.fromString("0190f0a0-0000-7000-8000-000000000001");
  static final java.util.UUID M2 = java.util.UUID.fromString("0190f0a0-0000-7000-8000-000000000002");

  static EventLog.Event event(long seq, String tenant, String instance, java.util.UUID message, String type, Instant at) {
    JsonObject data = new JsonObject().put("instanceId", instance).put("status", "x");
    return new EventLog.Event(new EventPosition(900, seq), tenant, instance, message, type, at, data);
  }

  @Test
  void matchesTenantTypeInstanceAndStartTime() {
    List<HookRow> hooks = List.of(
        new HookRow("wh_all", "ten_a", null, List.of("*"), T.minusSeconds(60)),
        new HookRow("wh_inst", "ten_a", "i1", List.of("message.sent"), T.minusSeconds(60)),
        new HookRow("wh_late", "ten_a", null, List.of("*"), T.plusSeconds(1)),
        new HookRow("wh_b", "ten_b", null, List.of("message.*"), T.minusSeconds(60)));
    List<EventLog.Event> events = List.of(
        event(1, "ten_a", "i1", M1, "message.sent", T),
        event(2, "ten_a", "i2", M2, "message.sent", T),
        event(3, "ten_a", "i1", M1, "message.queued", T),
        event(4, "ten_b", "i9", null, "instance.state_changed", T),
        event(5, "ten_a", "i1", null, "poll.vote", T.plusSeconds(2)));
    List<NewDelivery> planned = planner.plan(events, hooks);
    assertThat(planned).extracting(d -> d.webhookId() + "@" + d.event().position().seq())
        .containsExactly("wh_all@1", "wh_inst@1", "wh_all@2", "wh_all@5", "wh_late@5");
    assertThat(planned).extracting(NewDelivery::id).doesNotHaveDuplicates();
  }

  @Test
  void theBodyIsTheSseEnvelopeAndOrderKeysFollowMessagesThenInstances() {
    EventLog.Event e = event(7, "ten_a", "i1", M1, "message.delivered", T);
    JsonObject body = new JsonObject(WebhookFanOut.body(e));
    assertThat(body.fieldNames()).containsExactly("type", "timestamp", "data");
    assertThat(body).isEqualTo(e.body());
    assertThat(body.getString("timestamp")).isEqualTo("2026-05-01T12:00:00.123456Z");
    assertThat(WebhookFanOut.orderKey(e)).isEqualTo("message:" + M1);
    assertThat(WebhookFanOut.orderKey(event(8, "ten_a", "i1", null, "instance.state_changed", T))).isEqualTo("instance:i1");
    assertThat(WebhookFanOut.orderKey(event(9, "ten_a", null, null, "poll.vote", T))).isNull();

    String huge = "x".repeat(WebhookFanOut.MAX_BODY_BYTES);
    EventLog.Event big = new EventLog.Event(new EventPosition(900, 10), "ten_a", "i1", M1, "message.sent", T,
        new JsonObject().put("blob", huge));
    JsonObject cut = new JsonObject(WebhookFanOut.body(big));
    assertThat(cut.getJsonObject("data").getBoolean("truncated")).isTrue();
    assertThat(cut.getJsonObject("data").getString("messageId")).isEqualTo(M1.toString());
  }
}
