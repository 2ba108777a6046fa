package org.wahub.hub.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.wahub.hub.instance.LadderDecision.GiveUp;
import org.wahub.hub.instance.LadderDecision.HardStop;
import org.wahub.hub.instance.LadderDecision.Idle;
import org.wahub.hub.instance.LadderDecision.RestartAt;
import org.wahub.hub.instance.LadderDecision.WaitUntil;

/**
 * The reconnect ladder driven by random event sequences in virtual time, the way the instance
 * verticle drives it: one timer, re-asking {@code nextStep} when it fires, starting only due
 * restarts, plus operator restarts and provider events at random moments.
 */
class ReconnectLadderProperties {

  private static final long T0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();

  enum Event { DISCONNECT, RESTART_FAILED, READY, MANUAL_SOFT, MANUAL_HARD, NEEDS_QR, AUTH_FAILURE, TIME_PASSES }

  /**
   * Compares every decision with an independent model of the contract and checks the headline
   * invariants: started restarts never exceed the window in any interval; GiveUp comes exactly
   * when maxAttempts consecutive attempts failed without a READY; attempt 1 is soft, later ones
   * hard; every scheduled restart waits its policy delay after the failure; a hard stop never
   * yields a RestartAt; a ladder rebuilt from the start times keeps the window.
   */
  @Property(tries = 1000)
  void theLadderFollowsItsContractUnderRandomEvents(@ForAll("policies") ReconnectPolicy policy,
      @ForAll("events") List<Tuple.Tuple2<Long, Event>> events) {
    Harness h = new Harness(policy);
    for (Tuple.Tuple2<Long, Event> e : events) {
      h.advanceTo(h.clock + e.get1());
      h.apply(e.get2());
    }
    h.advanceTo(h.clock + 3 * 3_600_000L); // let every pending timer fire

    assertStartsWithinWindow(h.starts, policy, 0);

    Instant q = Instant.ofEpochMilli(h.clock);
    ReconnectLadder rebuilt = ReconnectLadder.rebuild(policy, h.starts.stream().map(Instant::ofEpochMilli).toList());
    for (long off : new long[] {0, 1, policy.restartWindow().toMillis() / 2, policy.restartWindow().toMillis()}) {
      Instant at = q.plusMillis(off);
      assertThat(rebuilt.restartsInWindow(at)).isEqualTo(h.ladder.restartsInWindow(at)).isEqualTo(h.windowCount(at.toEpochMilli()));
    }
    assertThat(rebuilt.manualRestart(q, RestartType.HARD)).isEqualTo(h.ladder.manualRestart(q, RestartType.HARD));
  }

  /**
   * A session that never comes back: every restart fails (reported, or by timeout). Exactly
   * maxAttempts restarts are started, SOFT then HARD..., each at the later of "failure + delay"
   * and "the window has room", then GiveUp(maxAttempts).
   */
  @Property(tries = 1000)
  void aSessionThatNeverRecoversIsGivenUpAfterExactlyMaxAttempts(@ForAll("policies") ReconnectPolicy policy,
      @ForAll @Size(min = 20, max = 20) List<@IntRange(min = 0, max = 400_000) Integer> failAfter,
      @ForAll @Size(max = 6) List<@IntRange(min = -1_200_000, max = 0) Integer> earlierRestarts) {
    List<Long> starts = new ArrayList<>();
    for (int off : earlierRestarts) {
      starts.add(T0 + off);
    }
    ReconnectLadder ladder = ReconnectLadder.rebuild(policy, starts.stream().map(Instant::ofEpochMilli).toList());
    List<RestartType> types = new ArrayList<>();
    long failedAt = T0;
    long askedAt = T0;
    LadderDecision d = ladder.onDisconnect(Instant.ofEpochMilli(T0));
    int i = 0;
    while (!(d instanceof GiveUp)) {
      int attempt = types.size() + 1;
      long earliest = failedAt + policy.delayBefore(attempt).toMillis();
      long expectedStart = windowFreeAt(starts, policy, Math.max(earliest, askedAt));
      long now = askedAt;
      while (d instanceof WaitUntil w) {
        assertThat(w.attempt()).isEqualTo(attempt);
        assertThat(w.until().toEpochMilli()).isGreaterThan(now);
        now = w.until().toEpochMilli();
        d = ladder.nextStep(w.until());
      }
      RestartAt r = (RestartAt) d;
      assertThat(r.attempt()).isEqualTo(attempt);
      assertThat(r.type()).isEqualTo(attempt == 1 ? RestartType.SOFT : RestartType.HARD);
      if (!r.isDue(Instant.ofEpochMilli(now))) {
        d = ladder.nextStep(r.at());
        r = (RestartAt) d;
      }
      assertThat(r.at().toEpochMilli()).isEqualTo(expectedStart);
      ladder.onRestartStarted(r.at(), r.type());
      starts.add(r.at().toEpochMilli());
      types.add(r.type());
      long timeout = policy.timeoutOf(r.type()).toMillis();
      long after = failAfter.get(i++ % failAfter.size());
      if (after < timeout) {
        failedAt = r.at().toEpochMilli() + after;
        askedAt = failedAt;
        d = ladder.onRestartFailed(Instant.ofEpochMilli(failedAt));
      } else {
        // the caller's timer fires up to a second late; the failure still dates from the timeout
        failedAt = r.at().toEpochMilli() + timeout;
        askedAt = failedAt + (after - timeout) % 1000;
        d = ladder.nextStep(Instant.ofEpochMilli(askedAt));
      }
    }
    assertThat(((GiveUp) d).attempts()).isEqualTo(policy.maxAttempts());
    assertThat(types).hasSize(policy.maxAttempts());
    assertThat(types.get(0)).isEqualTo(RestartType.SOFT);
    assertThat(types.subList(1, types.size())).doesNotContain(RestartType.SOFT);
    // the rebuilt history may itself be over budget; every restart the ladder started is not
    assertStartsWithinWindow(starts, policy, earlierRestarts.size());
  }

  // ---------------------------------------------------------------- model and harness

  private enum Phase { IDLE, SCHEDULED, RUNNING, GAVE_UP, HARD_STOPPED }

  /** The caller (one timer, re-check on fire) plus a model of what the ladder must answer. */
  static final class Harness {
    final ReconnectPolicy policy;
    final ReconnectLadder ladder;
    final List<Long> starts = new ArrayList<>();
    long clock = T0;
    Long timer;

    Phase phase = Phase.IDLE;
    int failures;
    long scheduleBase;
    long runningSince;
    RestartType runningType;
    InstanceState stopReason;

    Harness(ReconnectPolicy policy) {
      this.policy = policy;
      this.ladder = new ReconnectLadder(policy);
    }

    Instant now() {
      return Instant.ofEpochMilli(clock);
    }

    void advanceTo(long t) {
      while (timer != null && timer <= t) {
        clock = Math.max(clock, timer);
        timer = null;
        LadderDecision d = ladder.nextStep(now());
        assertThat(d).isEqualTo(expectNextStep());
        handle(d);
      }
      clock = t;
    }

    void apply(Event e) {
      switch (e) {
        case DISCONNECT -> {
          LadderDecision expected;
          if (phase == Phase.IDLE) {
            phase = Phase.SCHEDULED;
            scheduleBase = clock;
          }
          expected = expectNextStep();
          LadderDecision d = ladder.onDisconnect(now());
          assertThat(d).isEqualTo(expected);
          handle(d);
        }
        case RESTART_FAILED -> {
          if (phase != Phase.RUNNING && phase != Phase.SCHEDULED) {
            return; // a real caller only reports the failure of something it started
          }
          LadderDecision expected = phase == Phase.RUNNING ? modelFailure(clock) : expectNextStep();
          LadderDecision d = ladder.onRestartFailed(now());
          assertThat(d).isEqualTo(expected);
          handle(d);
        }
        case READY -> {
          ladder.onReady(now());
          phase = Phase.IDLE;
          failures = 0;
          timer = null;
          assertThat(ladder.attempt()).isZero();
        }
        case MANUAL_SOFT, MANUAL_HARD -> {
          RestartType type = e == Event.MANUAL_SOFT ? RestartType.SOFT : RestartType.HARD;
          long free = windowFreeAt(starts, policy, clock);
          ManualRestartDecision d = ladder.manualRestart(now(), type);
          if (free == clock) {
            assertThat(d).isEqualTo(new ManualRestartDecision.Allowed());
            startRestart(type);
          } else {
            assertThat(d).isEqualTo(new ManualRestartDecision.Exhausted(Instant.ofEpochMilli(free)));
            assertThat(windowCount(clock)).isEqualTo(policy.maxRestartsPerWindow());
          }
        }
        case NEEDS_QR, AUTH_FAILURE -> {
          InstanceState why = e == Event.NEEDS_QR ? InstanceState.NEEDS_QR : InstanceState.AUTH_FAILURE;
          assertThat(ladder.onHardStop(why)).isEqualTo(new HardStop(why));
          phase = Phase.HARD_STOPPED;
          stopReason = why;
          timer = null;
        }
        case TIME_PASSES -> {
        }
      }
      assertThat(ladder.attempt()).isEqualTo(switch (phase) {
        case IDLE -> 0;
        case SCHEDULED, RUNNING -> failures + 1;
        case GAVE_UP, HARD_STOPPED -> failures;
      });
      assertThat(ladder.restartsInWindow(now())).isEqualTo(windowCount(clock));
    }

    /** The caller's reaction: start due restarts, arm the timer otherwise. */
    void handle(LadderDecision d) {
      if (d instanceof RestartAt r) {
        assertThat(phase).isNotEqualTo(Phase.HARD_STOPPED);
        assertThat(r.type()).isEqualTo(r.attempt() == 1 ? RestartType.SOFT : RestartType.HARD);
        assertThat(r.attempt()).isBetween(1, policy.maxAttempts());
        if (r.isDue(now())) {
          ladder.onRestartStarted(now(), r.type());
          startRestart(r.type());
        } else {
          timer = r.at().toEpochMilli();
        }
      } else if (d instanceof WaitUntil w) {
        assertThat(w.until()).isAfter(now());
        timer = w.until().toEpochMilli();
      } else if (d instanceof GiveUp g) {
        assertThat(g.attempts()).isEqualTo(failures).isGreaterThanOrEqualTo(policy.maxAttempts());
        timer = null;
      } else {
        timer = null;
      }
    }

    void startRestart(RestartType type) {
      starts.add(clock);
      phase = Phase.RUNNING;
      runningSince = clock;
      runningType = type;
      LadderDecision d = ladder.nextStep(now());
      assertThat(d).isEqualTo(expectNextStep());
      handle(d);
    }

    /** What nextStep must answer now, given the model (may record a timeout failure). */
    LadderDecision expectNextStep() {
      switch (phase) {
        case IDLE:
          return new Idle();
        case GAVE_UP:
          return new GiveUp(failures);
        case HARD_STOPPED:
          return new HardStop(stopReason);
        case RUNNING: {
          long deadline = runningSince + policy.timeoutOf(runningType).toMillis();
          if (clock < deadline) {
            return new WaitUntil(Instant.ofEpochMilli(deadline), failures + 1);
          }
          return modelFailure(deadline);
        }
        default: {
          int attempt = failures + 1;
          long due = Math.max(scheduleBase + policy.delayBefore(attempt).toMillis(), clock);
          long free = windowFreeAt(starts, policy, due);
          return free == due
              ? new RestartAt(Instant.ofEpochMilli(due), attempt == 1 ? RestartType.SOFT : RestartType.HARD, attempt)
              : new WaitUntil(Instant.ofEpochMilli(free), attempt);
        }
      }
    }

    LadderDecision modelFailure(long at) {
      failures++;
      if (failures >= policy.maxAttempts()) {
        phase = Phase.GAVE_UP;
        return new GiveUp(failures);
      }
      phase = Phase.SCHEDULED;
      scheduleBase = at;
      return expectNextStep();
    }

    int windowCount(long t) {
      long w = policy.restartWindow().toMillis();
      return (int) starts.stream().filter(s -> s <= t && s > t - w).count();
    }
  }

  /** Earliest t >= from at which one more restart fits the window, by brute force. */
  static long windowFreeAt(List<Long> starts, ReconnectPolicy policy, long from) {
    long w = policy.restartWindow().toMillis();
    List<Long> candidates = new ArrayList<>();
    candidates.add(from);
    for (long s : starts) {
      if (s + w > from) {
        candidates.add(s + w);
      }
    }
    candidates.sort(null);
    for (long c : candidates) {
      long count = starts.stream().filter(s -> s <= c && s > c - w).count();
      if (count < policy.maxRestartsPerWindow()) {
        return c;
      }
    }
    throw new AssertionError("oracle found no free time");
  }

  /** Every interval of the window's length ending at a start from index {@code from} on. */
  static void assertStartsWithinWindow(List<Long> starts, ReconnectPolicy policy, int from) {
    long w = policy.restartWindow().toMillis();
    for (long end : starts.subList(from, starts.size())) {
      long count = starts.stream().filter(s -> s <= end && s > end - w).count();
      assertThat(count).as("restarts in (%d, %d]", end - w, end).isLessThanOrEqualTo(policy.maxRestartsPerWindow());
    }
  }

  // ---------------------------------------------------------------- generators

  @Provide
  Arbitrary<ReconnectPolicy> policies() {
    Arbitrary<List<Duration>> delays = Arbitraries.longs().between(0, 300_000).map(Duration::ofMillis)
        .list().ofMinSize(1).ofMaxSize(5);
    return Combinators.combine(delays,
        Arbitraries.integers().between(1, 5),
        Arbitraries.longs().between(1_000, 1_200_000),
        Arbitraries.integers().between(1, 7),
        Arbitraries.longs().between(1, 300_000),
        Arbitraries.longs().between(1, 300_000)).as((d, max, window, attempts, soft, hard) ->
        new ReconnectPolicy(d, max, Duration.ofMillis(window), attempts, Duration.ofMillis(soft), Duration.ofMillis(hard)));
  }

  @Provide
  Arbitrary<List<Tuple.Tuple2<Long, Event>>> events() {
    Arbitrary<Long> gaps = Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.just(0L)),
        Tuple.of(3, Arbitraries.longs().between(1, 60_000)),
        Tuple.of(3, Arbitraries.longs().between(60_000, 600_000)));
    Arbitrary<Event> kinds = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.just(Event.DISCONNECT)),
        Tuple.of(8, Arbitraries.just(Event.RESTART_FAILED)),
        Tuple.of(3, Arbitraries.just(Event.READY)),
        Tuple.of(2, Arbitraries.just(Event.MANUAL_SOFT)),
        Tuple.of(2, Arbitraries.just(Event.MANUAL_HARD)),
        Tuple.of(1, Arbitraries.just(Event.NEEDS_QR)),
        Tuple.of(1, Arbitraries.just(Event.AUTH_FAILURE)),
        Tuple.of(4, Arbitraries.just(Event.TIME_PASSES)));
    return Combinators.combine(gaps, kinds).as(Tuple::of).list().ofMinSize(1).ofMaxSize(60);
  }
}
