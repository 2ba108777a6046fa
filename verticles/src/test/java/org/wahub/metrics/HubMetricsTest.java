package org.wahub.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.wahub.HubConfig;
import org.wahub.health.FleetSnapshot;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.send.Resolved;
import org.wahub.hub.send.WaitReason;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The label-mode rules and the handles, without a hub: what a scrape shows after each fleet count. */
class HubMetricsTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private final PrometheusMeterRegistry registry = HubMetrics.newRegistry();
  private final HubMetrics metrics = new HubMetrics(registry, 2);

  @Test
  void instanceLabelsUpToTheThresholdThenHubWideForGood() {
    InstanceMeters a = metrics.instance("a", "t1");
    a.attempt(new Resolved.MessageResolution.MarkSent("p1"), T0, T0.plusSeconds(1), 1_000_000);
    assertThat(registry.scrape()).as("before the first count: hub-wide").contains("wahub_messages_sent_total 1.0");

    metrics.fleet(fleet("a", "b"));
    assertThat(metrics.perInstanceLabels()).isTrue();
    a.attempt(new Resolved.MessageResolution.MarkSent("p2"), T0, T0.plusSeconds(1), 1_000_000);
    metrics.instance("b", "t1").attempt(new Resolved.MessageResolution.Fail("blocked", "no"), T0, T0, 1_000_000);
    String labelled = registry.scrape();
    assertThat(labelled).contains("wahub_messages_sent_total{instance_id=\"a\"} 1.0")
        .contains("wahub_messages_failed_total{instance_id=\"b\",reason=\"blocked\"} 1.0")
        .contains("wahub_queue_messages{instance_id=\"a\",status=\"queued\"} 1.0")
        .doesNotContain("wahub_messages_sent_total 1.0");

    metrics.fleet(fleet("a", "b", "c"));
    assertThat(metrics.perInstanceLabels()).isFalse();
    a.attempt(new Resolved.MessageResolution.MarkSent("p3"), T0, T0.plusSeconds(1), 1_000_000);
    String wide = registry.scrape();
    assertThat(wide).doesNotContain("instance_id").contains("wahub_messages_sent_total 1.0")
        .contains("wahub_queue_messages{status=\"queued\"} 3.0");

    metrics.fleet(fleet("a"));
    assertThat(metrics.perInstanceLabels()).as("no flapping back below the threshold").isFalse();
    assertThat(registry.scrape()).doesNotContain("instance_id");
  }

  @Test
  void aDeletedInstanceLosesItsSeries() {
    metrics.fleet(fleet("a", "b"));
    metrics.instance("a", "t1").deferred(WaitReason.PACING);
    InstanceMeters b = metrics.instance("b", "t1");
    b.deferred(WaitReason.RATE_LIMIT);
    metrics.fleet(fleet("a"));
    String text = registry.scrape();
    assertThat(text).contains("instance_id=\"a\"").doesNotContain("instance_id=\"b\"");
    // a handle that is still used (the instance came back) gets fresh counters
    b.deferred(WaitReason.RATE_LIMIT);
    assertThat(registry.scrape()).contains("wahub_send_deferrals_total{instance_id=\"b\",reason=\"rate_limit\"} 1.0");
  }

  @Test
  void outcomesRestartsAndDisconnectsAreCountedOnce() {
    metrics.fleet(fleet("a"));
    InstanceMeters a = metrics.instance("a", "t1");
    a.attempt(new Resolved.MessageResolution.RetryAt(T0, "Some-Provider-Code", "x"), T0, T0, 1);
    a.attempt(new Resolved.MessageResolution.InDoubt("timeout", "x"), T0, T0, 1);
    a.expired(3);
    a.rescued(2, false);
    a.rescued(5, true);
    a.restart(RestartType.SOFT, true);
    a.restart(RestartType.HARD, false);
    a.stateChanged(InstanceState.READY, InstanceState.DISCONNECTED, "disconnected");
    a.stateChanged(InstanceState.DISCONNECTED, InstanceState.RESTARTING, "state");
    String text = registry.scrape();
    assertThat(text).contains("wahub_messages_retried_total{instance_id=\"a\",reason=\"other\"} 1.0")
        .contains("wahub_messages_in_doubt_total{instance_id=\"a\"} 3.0")
        .contains("wahub_messages_expired_total{instance_id=\"a\"} 3.0")
        .contains("wahub_instance_restarts_total{instance_id=\"a\",trigger=\"manual\",type=\"soft\"} 1.0")
        .contains("wahub_instance_restarts_total{instance_id=\"a\",trigger=\"automatic\",type=\"hard\"} 1.0")
        .contains("wahub_instance_disconnects_total{instance_id=\"a\"} 1.0")
        .contains("wahub_send_provider_duration_seconds_count 2");
  }

  @Test
  void theP95IsPerTenantAndTheAdminSeesAll() {
    for (int i = 0; i < 20; i++) {
      metrics.instance("a", "fast").attempt(new Resolved.MessageResolution.MarkSent("p"), T0, T0, 10_000_000L);
      metrics.instance("b", "slow").attempt(new Resolved.MessageResolution.MarkSent("p"), T0, T0, 3_000_000_000L);
    }
    assertThat(metrics.p95SendLatencyMs("fast", T0)).isBetween(10L, 11L);
    assertThat(metrics.p95SendLatencyMs("slow", T0)).isBetween(3000L, 3300L);
    assertThat(metrics.p95SendLatencyMs(null, T0)).isBetween(3000L, 3300L);
    assertThat(metrics.p95SendLatencyMs("nobody", T0)).isZero();
  }

  @Test
  void labelValuesStayAClosedSet() {
    assertThat(HubMetrics.reasonClass("invalid_recipient")).isEqualTo("invalid_recipient");
    assertThat(HubMetrics.reasonClass("Error 131026: something")).isEqualTo("other");
    assertThat(HubMetrics.reasonClass(null)).isEqualTo("other");
    assertThat(HubMetrics.label("message.sent")).isEqualTo("message.sent");
    assertThat(HubMetrics.label("Delivered")).isEqualTo("delivered");
    assertThat(HubMetrics.label("a b")).isEqualTo("other");
    assertThat(HubMetrics.label("x".repeat(65))).isEqualTo("other");
    metrics.eventsWritten("message.sent", 2);
    metrics.webhookDelivery("delivered", 120);
    metrics.webhookDelivery("failed", -1);
    String text = registry.scrape();
    assertThat(text).contains("wahub_events_written_total{type=\"message.sent\"} 2.0")
        .contains("wahub_webhook_deliveries_total{outcome=\"delivered\"} 1.0")
        .contains("wahub_webhook_delivery_lag_seconds_count 1");
  }

  @Test
  void handlesReuseTheirCounters() {
    metrics.fleet(fleet("a"));
    InstanceMeters a = metrics.instance("a", "t1");
    for (int i = 0; i < 1000; i++) {
      a.deferred(WaitReason.PACING);
    }
    List<Counter> counters = new ArrayList<>(registry.find("wahub.send.deferrals").counters());
    assertThat(counters).hasSize(1);
    assertThat(counters.get(0).count()).isEqualTo(1000);
  }

  @Test
  void aMalformedMetricsKeyOrThresholdStopsTheStart() {
    assertThat(new HubConfig(new JsonObject()).metricsKey()).isEmpty();
    assertThat(new HubConfig(new JsonObject().put("HUB_METRICS_KEY", "0123456789abcdef")).metricsKey()).hasValue("0123456789abcdef");
    assertThatThrownBy(() -> new HubConfig(new JsonObject().put("HUB_METRICS_KEY", "short")).metricsKey())
        .hasMessageContaining("HUB_METRICS_KEY");
    assertThatThrownBy(() -> new HubConfig(new JsonObject().put("HUB_METRICS_KEY", "with a space 0123456789")).metricsKey())
        .hasMessageContaining("HUB_METRICS_KEY");
    assertThat(new HubConfig(new JsonObject().put("HUB_HEALTH_FAILED_MAX", "3")).healthThresholds().failedMessagesMax())
        .isEqualTo(3);
    assertThatThrownBy(() -> new HubConfig(new JsonObject().put("HUB_HEALTH_STUCK_MAX", "-1")).healthThresholds())
        .hasMessageContaining("HUB_HEALTH_");
  }

  private static FleetSnapshot fleet(String... ids) {
    List<FleetSnapshot.InstanceStats> rows = new ArrayList<>();
    for (String id : ids) {
      rows.add(new FleetSnapshot.InstanceStats(id, "t1", InstanceState.READY, 1, 0, 0, 0, 0, 0, 0));
    }
    return new FleetSnapshot(T0, rows, Map.of(), 1_000_000);
  }
}
