package org.wahub.hub.health;

import org.junit.jupiter.api.Test;
import org.wahub.hub.instance.InstanceState;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HealthEvaluatorTest {

  private final HealthEvaluator rule = new HealthEvaluator(HealthThresholds.defaults());

  @Test
  void anIdleHubWithoutInstancesIsHealthy() {
    HealthReport r = rule.evaluate(HealthInputs.none());
    assertThat(r.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(r.checks()).extracting(HealthCheck::name).containsExactly(
        "stuck_sending", "failed_messages", "send_errors_1h", "p95_send_latency_ms", "instances_not_ready",
        "webhook_endpoints_failing");
    assertThat(r.checks()).allSatisfy(c -> {
      assertThat(c.status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(c.message()).isNull();
    });
  }

  @Test
  void theSeedsThresholdsAreTheDefaults() {
    HealthReport r = rule.evaluate(HealthInputs.none());
    assertThat(r.check("stuck_sending").threshold()).isEqualTo(5);
    assertThat(r.check("failed_messages").threshold()).isEqualTo(10);
    assertThat(r.check("send_errors_1h").threshold()).isEqualTo(10);
    assertThat(r.check("p95_send_latency_ms").threshold()).isEqualTo(2000);
    assertThat(r.check("instances_not_ready").threshold()).isZero();
    assertThat(r.check("webhook_endpoints_failing").threshold()).isZero();
  }

  @Test
  void aValueAtItsThresholdIsHealthyAndOneAboveIsNot() {
    assertThat(rule.evaluate(inputs(0, 10, 0, 0)).status()).isEqualTo(HealthStatus.HEALTHY);
    HealthReport eleven = rule.evaluate(inputs(0, 11, 0, 0));
    assertThat(eleven.status()).isEqualTo(HealthStatus.WARNING);
    assertThat(eleven.check("failed_messages").message()).contains("11 messages failed");
  }

  @Test
  void eachCheckHasTheSeverityOfWhatItMeans() {
    assertThat(rule.evaluate(inputs(6, 0, 0, 0)).status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(rule.evaluate(inputs(0, 0, 11, 0)).status()).isEqualTo(HealthStatus.WARNING);
    assertThat(rule.evaluate(inputs(0, 0, 0, 2001)).status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(rule.evaluate(new HealthInputs(0, 0, 0, 0, Map.of(), 1)).status()).isEqualTo(HealthStatus.WARNING);
  }

  @Test
  void theOverallStatusIsTheWorstCheck() {
    HealthReport r = rule.evaluate(inputs(6, 11, 0, 5000));
    assertThat(r.status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(r.check("p95_send_latency_ms").status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(r.check("failed_messages").status()).isEqualTo(HealthStatus.WARNING);
  }

  @Test
  void instancesThatReconnectOnTheirOwnDegradeOnesThatNeedAHumanWarnAndNoneReadyIsCritical() {
    assertThat(states(Map.of(InstanceState.READY, 3L, InstanceState.STOPPED, 2L)).status())
        .as("stopped by an operator is not a problem").isEqualTo(HealthStatus.HEALTHY);
    assertThat(states(Map.of(InstanceState.READY, 3L, InstanceState.RESTARTING, 1L)).status())
        .isEqualTo(HealthStatus.DEGRADED);
    assertThat(states(Map.of(InstanceState.STARTING, 2L)).status())
        .as("starting after a hub restart: nothing is down yet").isEqualTo(HealthStatus.DEGRADED);
    assertThat(states(Map.of(InstanceState.READY, 3L, InstanceState.NEEDS_QR, 1L)).status())
        .isEqualTo(HealthStatus.WARNING);
    HealthReport none = states(Map.of(InstanceState.DISCONNECTED, 1L, InstanceState.STOPPED, 1L));
    assertThat(none.status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(none.check("instances_not_ready").value()).isEqualTo(1);
    assertThat(none.check("instances_not_ready").message()).contains("nothing can be sent");
  }

  @Test
  void thresholdsAreConfigurable() {
    HealthEvaluator lenient = new HealthEvaluator(new HealthThresholds(100, 100, 100, 10_000, 5, 3));
    assertThat(lenient.evaluate(new HealthInputs(6, 11, 11, 2001, Map.of(InstanceState.NEEDS_QR, 5L), 3)).status())
        .isEqualTo(HealthStatus.HEALTHY);
  }

  private HealthReport states(Map<InstanceState, Long> byState) {
    return rule.evaluate(new HealthInputs(0, 0, 0, 0, byState, 0));
  }

  private static HealthInputs inputs(long stuck, long failed, long errors, long p95) {
    return new HealthInputs(stuck, failed, errors, p95, Map.of(), 0);
  }
}
