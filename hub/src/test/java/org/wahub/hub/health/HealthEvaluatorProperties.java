package org.wahub.hub.health;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.wahub.hub.instance.InstanceState;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HealthEvaluatorProperties {

  /**
   * States from best to worst for the rule: moving an instance to a later group (or adding one in
   * a non-READY state, or removing a READY one) is a worsening. STOPPED is an operator's choice
   * and stays out of the ladder.
   */
  private static final List<List<InstanceState>> LADDER = List.of(
      List.of(InstanceState.READY),
      List.of(InstanceState.STARTING, InstanceState.RESTARTING),
      List.of(InstanceState.DISCONNECTED),
      List.of(InstanceState.NEEDS_QR, InstanceState.AUTH_FAILURE, InstanceState.FAILED));

  @Property(tries = 2000)
  void worseningAnyInputNeverImprovesTheStatus(@ForAll("inputs") HealthInputs before,
                                               @ForAll("thresholds") HealthThresholds t,
                                               @ForAll @IntRange(min = 0, max = 8) int which,
                                               @ForAll @IntRange(min = 1, max = 50) int by,
                                               @ForAll("state") InstanceState from,
                                               @ForAll("state") InstanceState to) {
    HealthInputs after = worsen(before, which, by, from, to);
    HealthEvaluator rule = new HealthEvaluator(t);
    HealthReport a = rule.evaluate(before);
    HealthReport b = rule.evaluate(after);
    assertThat(b.status()).as("%s -> %s", before, after).isGreaterThanOrEqualTo(a.status());
    for (int i = 0; i < a.checks().size(); i++) {
      assertThat(b.checks().get(i).status()).isGreaterThanOrEqualTo(a.checks().get(i).status());
    }
  }

  @Property(tries = 1000)
  void raisingAThresholdNeverWorsensTheStatus(@ForAll("inputs") HealthInputs in,
                                             @ForAll("thresholds") HealthThresholds t,
                                             @ForAll @IntRange(min = 0, max = 5) int which,
                                             @ForAll @IntRange(min = 1, max = 1000) int by) {
    HealthThresholds raised = new HealthThresholds(
        t.stuckSendingMax() + (which == 0 ? by : 0), t.failedMessagesMax() + (which == 1 ? by : 0),
        t.sendErrorsPerHourMax() + (which == 2 ? by : 0), t.p95SendLatencyMsMax() + (which == 3 ? by : 0),
        t.instancesNotReadyMax() + (which == 4 ? by : 0), t.webhookEndpointsFailingMax() + (which == 5 ? by : 0));
    assertThat(new HealthEvaluator(raised).evaluate(in).status())
        .isLessThanOrEqualTo(new HealthEvaluator(t).evaluate(in).status());
  }

  @Property(tries = 500)
  void allZeroIsHealthyWhateverTheThresholds(@ForAll("thresholds") HealthThresholds t,
                                             @ForAll @IntRange(min = 0, max = 1000) int ready,
                                             @ForAll @IntRange(min = 0, max = 1000) int stopped) {
    HealthInputs idle = new HealthInputs(0, 0, 0, 0,
        Map.of(InstanceState.READY, (long) ready, InstanceState.STOPPED, (long) stopped), 0);
    HealthReport r = new HealthEvaluator(t).evaluate(idle);
    assertThat(r.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(r.checks()).allSatisfy(c -> assertThat(c.status()).isEqualTo(HealthStatus.HEALTHY));
  }

  @Property(tries = 1000)
  void aCheckFailsExactlyAboveItsThreshold(@ForAll("thresholds") HealthThresholds t,
                                           @ForAll @IntRange(min = 0, max = 3) int which) {
    long threshold = switch (which) {
      case 0 -> t.stuckSendingMax();
      case 1 -> t.failedMessagesMax();
      case 2 -> t.sendErrorsPerHourMax();
      default -> t.p95SendLatencyMsMax();
    };
    String name = List.of("stuck_sending", "failed_messages", "send_errors_1h", "p95_send_latency_ms").get(which);
    HealthEvaluator rule = new HealthEvaluator(t);
    assertThat(rule.evaluate(only(which, threshold)).check(name).status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(rule.evaluate(only(which, threshold + 1)).check(name).status()).isNotEqualTo(HealthStatus.HEALTHY);
    assertThat(rule.evaluate(only(which, threshold + 1)).status()).isNotEqualTo(HealthStatus.HEALTHY);
  }

  @Property(tries = 1000)
  void theOverallStatusIsTheWorstCheck(@ForAll("inputs") HealthInputs in, @ForAll("thresholds") HealthThresholds t) {
    HealthReport r = new HealthEvaluator(t).evaluate(in);
    HealthStatus worst = r.checks().stream().map(HealthCheck::status).max(Enum::compareTo).orElseThrow();
    assertThat(r.status()).isEqualTo(worst);
    assertThat(r.checks()).allSatisfy(c -> assertThat(c.message() == null).isEqualTo(c.status() == HealthStatus.HEALTHY));
  }

  private static HealthInputs only(int which, long v) {
    return new HealthInputs(which == 0 ? v : 0, which == 1 ? v : 0, which == 2 ? v : 0, which == 3 ? v : 0, Map.of(), 0);
  }

  /** One step that makes things worse (or leaves them as they are when the step does not apply). */
  private static HealthInputs worsen(HealthInputs in, int which, int by, InstanceState from, InstanceState to) {
    EnumMap<InstanceState, Long> states = new EnumMap<>(in.instancesByState());
    switch (which) {
      case 0 -> { return new HealthInputs(in.stuckSending() + by, in.failedMessages(), in.sendErrorsLastHour(),
          in.p95SendLatencyMs(), states, in.webhookEndpointsFailing()); }
      case 1 -> { return new HealthInputs(in.stuckSending(), in.failedMessages() + by, in.sendErrorsLastHour(),
          in.p95SendLatencyMs(), states, in.webhookEndpointsFailing()); }
      case 2 -> { return new HealthInputs(in.stuckSending(), in.failedMessages(), in.sendErrorsLastHour() + by,
          in.p95SendLatencyMs(), states, in.webhookEndpointsFailing()); }
      case 3 -> { return new HealthInputs(in.stuckSending(), in.failedMessages(), in.sendErrorsLastHour(),
          in.p95SendLatencyMs() + by * 100L, states, in.webhookEndpointsFailing()); }
      case 4 -> { return new HealthInputs(in.stuckSending(), in.failedMessages(), in.sendErrorsLastHour(),
          in.p95SendLatencyMs(), states, in.webhookEndpointsFailing() + by); }
      case 5 -> { // a new instance that is not READY
        if (to != InstanceState.READY) {
          states.merge(to, (long) by, Long::sum);
        }
      }
      case 6 -> { // a READY instance goes away
        states.put(InstanceState.READY, Math.max(0, states.get(InstanceState.READY) - by));
      }
      default -> { // instances move down the ladder
        if (rank(from) >= 0 && rank(to) > rank(from)) {
          long moved = Math.min(by, states.get(from));
          states.merge(from, -moved, Long::sum);
          states.merge(to, moved, Long::sum);
        }
      }
    }
    return new HealthInputs(in.stuckSending(), in.failedMessages(), in.sendErrorsLastHour(), in.p95SendLatencyMs(),
        states, in.webhookEndpointsFailing());
  }

  private static int rank(InstanceState s) {
    for (int i = 0; i < LADDER.size(); i++) {
      if (LADDER.get(i).contains(s)) {
        return i;
      }
    }
    return -1; // STOPPED: not on the ladder, never moved to or from
  }

  @Provide
  Arbitrary<InstanceState> state() {
    return Arbitraries.of(InstanceState.values());
  }

  @Provide
  Arbitrary<HealthInputs> inputs() {
    Arbitrary<Long> small = Arbitraries.longs().between(0, 30);
    Arbitrary<Map<InstanceState, Long>> states = Arbitraries.maps(Arbitraries.of(InstanceState.values()),
        Arbitraries.longs().between(0, 5)).ofMaxSize(8);
    return Combinators.combine(small, small, small, Arbitraries.longs().between(0, 5000), states, small)
        .as(HealthInputs::new);
  }

  @Provide
  Arbitrary<HealthThresholds> thresholds() {
    Arbitrary<Long> small = Arbitraries.longs().between(0, 20);
    return Combinators.combine(small, small, small, Arbitraries.longs().between(0, 4000), Arbitraries.longs().between(0, 3),
        Arbitraries.longs().between(0, 3)).as(HealthThresholds::new);
  }
}
