package org.wahub.hub.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wahub.hub.instance.LadderDecision.GiveUp;
import org.wahub.hub.instance.LadderDecision.HardStop;
import org.wahub.hub.instance.LadderDecision.Idle;
import org.wahub.hub.instance.LadderDecision.RestartAt;
import org.wahub.hub.instance.LadderDecision.WaitUntil;

class ReconnectLadderTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static Instant min(double minutes) {
    return T0.plusMillis((long) (minutes * 60_000));
  }

  /** Starts a due restart the way the verticle does and returns its timeout decision. */
  private static LadderDecision start(ReconnectLadder ladder, Instant now) {
    LadderDecision d = ladder.nextStep(now);
    assertThat(d).isInstanceOf(RestartAt.class);
    RestartAt r = (RestartAt) d;
    assertThat(r.isDue(now)).as("due at %s", now).isTrue();
    ladder.onRestartStarted(now, r.type());
    return ladder.nextStep(now);
  }

  @Test
  void theDefaultLadderClimbsSoftThenHardWithGrowingDelaysAndGivesUpAfterFive() {
    ReconnectLadder ladder = new ReconnectLadder(ReconnectPolicy.defaults());
    assertThat(ladder.onDisconnect(min(0))).isEqualTo(new RestartAt(min(1), RestartType.SOFT, 1));
    assertThat(ladder.nextAttemptAt()).contains(min(1));
    assertThat(start(ladder, min(1))).isEqualTo(new WaitUntil(min(4), 1)); // soft timeout 180 s
    assertThat(ladder.isRestartRunning()).isTrue();

    assertThat(ladder.onRestartFailed(min(2))).isEqualTo(new RestartAt(min(4), RestartType.HARD, 2));
    start(ladder, min(4));
    assertThat(ladder.onRestartFailed(min(5))).isEqualTo(new RestartAt(min(8), RestartType.HARD, 3));
    start(ladder, min(8));
    assertThat(ladder.onRestartFailed(min(9))).isEqualTo(new RestartAt(min(13), RestartType.HARD, 4));
    start(ladder, min(13));
    assertThat(ladder.restartsInWindow(min(13))).isEqualTo(3); // 4, 8, 13 (1 aged out at 11)
    assertThat(ladder.onRestartFailed(min(14))).isEqualTo(new RestartAt(min(19), RestartType.HARD, 5));
    assertThat(ladder.attempt()).isEqualTo(5);
    start(ladder, min(19));
    assertThat(ladder.onRestartFailed(min(20))).isEqualTo(new GiveUp(5));
    assertThat(ladder.hasGivenUp()).isTrue();
    assertThat(ladder.nextStep(min(30))).isEqualTo(new GiveUp(5));
    assertThat(ladder.onDisconnect(min(31))).isEqualTo(new GiveUp(5));
    assertThat(ladder.nextAttemptAt()).isEmpty();
  }

  @Test
  void anExhaustedWindowMakesTheLadderWaitUntilTheOldestRestartAgesOut() {
    ReconnectPolicy p = new ReconnectPolicy(List.of(Duration.ofSeconds(10)), 2, Duration.ofMinutes(10), 5,
        Duration.ofMinutes(3), Duration.ofMinutes(3));
    ReconnectLadder ladder = new ReconnectLadder(p);
    assertThat(ladder.onDisconnect(T0)).isEqualTo(new RestartAt(T0.plusSeconds(10), RestartType.SOFT, 1));
    start(ladder, T0.plusSeconds(10));
    assertThat(ladder.onRestartFailed(T0.plusSeconds(20))).isEqualTo(new RestartAt(T0.plusSeconds(30), RestartType.HARD, 2));
    start(ladder, T0.plusSeconds(30));
    // two restarts (10 s, 30 s) fill the window until 10 s + 10 min
    assertThat(ladder.onRestartFailed(T0.plusSeconds(40))).isEqualTo(new WaitUntil(T0.plusSeconds(610), 3));
    assertThat(ladder.nextAttemptAt()).contains(T0.plusSeconds(610));
    assertThat(ladder.nextStep(T0.plusSeconds(609))).isEqualTo(new WaitUntil(T0.plusSeconds(610), 3));
    assertThat(ladder.nextStep(T0.plusSeconds(610))).isEqualTo(new RestartAt(T0.plusSeconds(610), RestartType.HARD, 3));
  }

  @Test
  void aRestartThatOutlivesItsTimeoutCountsAsFailedFromTheTimeout() {
    ReconnectLadder ladder = new ReconnectLadder(ReconnectPolicy.defaults());
    ladder.onDisconnect(min(0));
    start(ladder, min(1));
    assertThat(ladder.nextStep(min(3.9))).isEqualTo(new WaitUntil(min(4), 1));
    assertThat(ladder.runningDeadline()).contains(min(4));
    // asked late (at 5 min): the failure is dated at the timeout (4 min), so attempt 2 is at 4 + 2
    assertThat(ladder.nextStep(min(5))).isEqualTo(new RestartAt(min(6), RestartType.HARD, 2));
  }

  @Test
  void aDisconnectReportedWhileARestartRunsIsPartOfThatRestart() {
    ReconnectLadder ladder = new ReconnectLadder(ReconnectPolicy.defaults());
    ladder.onDisconnect(min(0));
    start(ladder, min(1));
    assertThat(ladder.onDisconnect(min(1.5))).isEqualTo(new WaitUntil(min(4), 1));
    assertThat(ladder.attempt()).isEqualTo(1);
  }

  @Test
  void aRepeatedDisconnectDoesNotReschedule() {
    ReconnectLadder ladder = new ReconnectLadder(ReconnectPolicy.defaults());
    ladder.onDisconnect(min(0));
    assertThat(ladder.onDisconnect(min(0.5))).isEqualTo(new RestartAt(min(1), RestartType.SOFT, 1));
    assertThat(ladder.onRestartFailed(min(0.6))).as("stale failure report").isEqualTo(new RestartAt(min(1), RestartType.SOFT, 1));
  }

  @Test
  void readyResetsTheAttemptsButNotTheWindow() {
    ReconnectPolicy p = new ReconnectPolicy(List.of(Duration.ZERO), 2, Duration.ofMinutes(10), 5,
        Duration.ofMinutes(3), Duration.ofMinutes(3));
    ReconnectLadder ladder = new ReconnectLadder(p);
    ladder.onDisconnect(min(0));
    start(ladder, min(0));
    ladder.onRestartFailed(min(1));
    start(ladder, min(1));
    ladder.onReady(min(2));
    assertThat(ladder.attempt()).isZero();
    assertThat(ladder.nextStep(min(2))).isEqualTo(new Idle());
    assertThat(ladder.restartsInWindow(min(2))).isEqualTo(2);
    assertThat(ladder.onDisconnect(min(3))).isEqualTo(new WaitUntil(min(10), 1));
  }

  @Test
  void hardStopsNeverRestartAutomatically() {
    ReconnectLadder ladder = new ReconnectLadder(ReconnectPolicy.defaults());
    ladder.onDisconnect(min(0));
    assertThat(ladder.onHardStop(InstanceState.NEEDS_QR)).isEqualTo(new HardStop(InstanceState.NEEDS_QR));
    assertThat(ladder.nextStep(min(1))).isEqualTo(new HardStop(InstanceState.NEEDS_QR));
    assertThat(ladder.onDisconnect(min(2))).isEqualTo(new HardStop(InstanceState.NEEDS_QR));
    assertThat(ladder.onRestartFailed(min(3))).isEqualTo(new HardStop(InstanceState.NEEDS_QR));
    assertThat(ladder.nextAttemptAt()).isEmpty();
    assertThat(ladder.hardStopReason()).contains(InstanceState.NEEDS_QR);
    assertThatThrownBy(() -> ladder.onHardStop(InstanceState.DISCONNECTED)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HardStop(InstanceState.READY)).isInstanceOf(IllegalArgumentException.class);
    ladder.onReady(min(4));
    assertThat(ladder.hardStopReason()).isEmpty();
    assertThat(ladder.onDisconnect(min(5))).isInstanceOf(RestartAt.class);
  }

  @Test
  void manualRestartsCountAgainstTheWindowAndAreRefusedWhenItIsFull() {
    ReconnectLadder ladder = new ReconnectLadder(ReconnectPolicy.defaults());
    for (int i = 0; i < 4; i++) {
      assertThat(ladder.manualRestart(min(i), RestartType.HARD)).isEqualTo(new ManualRestartDecision.Allowed());
    }
    ManualRestartDecision refused = ladder.manualRestart(min(5), RestartType.SOFT);
    assertThat(refused).isEqualTo(new ManualRestartDecision.Exhausted(min(10)));
    assertThat(((ManualRestartDecision.Exhausted) refused).retryAfterSeconds(min(5))).isEqualTo(300);
    assertThat(((ManualRestartDecision.Exhausted) refused).retryAfterSeconds(min(10).minusMillis(1))).isEqualTo(1);
    assertThat(ladder.restartsInWindow(min(5))).isEqualTo(4);
    assertThat(ladder.manualRestart(min(10), RestartType.SOFT)).isEqualTo(new ManualRestartDecision.Allowed());
  }

  @Test
  void aManualRestartTakesTheScheduledAttemptsPlaceAndKeepsTheCount() {
    ReconnectLadder ladder = new ReconnectLadder(ReconnectPolicy.defaults());
    ladder.onDisconnect(min(0));
    start(ladder, min(1));
    assertThat(ladder.onRestartFailed(min(2))).isEqualTo(new RestartAt(min(4), RestartType.HARD, 2));
    assertThat(ladder.manualRestart(min(3), RestartType.SOFT)).isEqualTo(new ManualRestartDecision.Allowed());
    assertThat(ladder.attempt()).isEqualTo(2);
    assertThat(ladder.nextStep(min(4))).as("the scheduled attempt is gone").isEqualTo(new WaitUntil(min(6), 2));
    assertThat(ladder.onRestartFailed(min(5))).isEqualTo(new RestartAt(min(8), RestartType.HARD, 3));
  }

  @Test
  void aManualRestartFromFailedThatFailsGivesUpAgain() {
    ReconnectPolicy p = new ReconnectPolicy(List.of(Duration.ZERO), 10, Duration.ofMinutes(10), 1,
        Duration.ofMinutes(3), Duration.ofMinutes(3));
    ReconnectLadder ladder = new ReconnectLadder(p);
    ladder.onDisconnect(min(0));
    start(ladder, min(0));
    assertThat(ladder.onRestartFailed(min(1))).isEqualTo(new GiveUp(1));
    assertThat(ladder.manualRestart(min(2), RestartType.HARD)).isEqualTo(new ManualRestartDecision.Allowed());
    assertThat(ladder.hasGivenUp()).isFalse();
    assertThat(ladder.onRestartFailed(min(3))).isEqualTo(new GiveUp(2));
  }

  @Test
  void rebuiltRestartsStillCountAfterAProcessRestart() {
    ReconnectLadder ladder = ReconnectLadder.rebuild(ReconnectPolicy.defaults(),
        List.of(min(1), min(2), min(3), min(4), min(-30)));
    assertThat(ladder.restartsInWindow(min(5))).isEqualTo(4);
    assertThat(ladder.attempt()).isZero();
    assertThat(ladder.onDisconnect(min(5))).isEqualTo(new WaitUntil(min(11), 1));
    assertThat(ladder.manualRestart(min(5), RestartType.HARD)).isEqualTo(new ManualRestartDecision.Exhausted(min(11)));
  }

  @Test
  void anIdleLadderHasNothingToDo() {
    ReconnectLadder ladder = new ReconnectLadder(ReconnectPolicy.defaults());
    assertThat(ladder.nextStep(T0)).isEqualTo(new Idle());
    assertThat(ladder.attempt()).isZero();
    assertThat(ladder.nextAttemptAt()).isEmpty();
    assertThat(ladder.runningDeadline()).isEmpty();
    assertThat(ladder.policy()).isEqualTo(ReconnectPolicy.defaults());
  }
}
