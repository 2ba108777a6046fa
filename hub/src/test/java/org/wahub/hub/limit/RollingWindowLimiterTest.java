package org.wahub.hub.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollingWindowLimiterTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static RollingWindowLimiter perMinute(int limit) {
    return new RollingWindowLimiter(List.of(new Window("perMinute", Duration.ofMinutes(1), limit)));
  }

  @Test
  void burstOfSixBlocksTheSeventhForAFullMinuteUnlikeATokenBucket() {
    RollingWindowLimiter limiter = perMinute(6);
    for (int i = 0; i < 6; i++) {
      assertThat(limiter.nextAllowedAt(T0)).isEqualTo(T0);
      limiter.record(T0);
    }
    // a 6-token bucket refilling 1 per 10 s would allow the 7th at T0+10s
    assertThat(limiter.nextAllowedAt(T0)).isEqualTo(T0.plusSeconds(60));
    assertThat(limiter.nextAllowedAt(T0.plusSeconds(10))).isEqualTo(T0.plusSeconds(60));
    assertThat(limiter.nextAllowedAt(T0.plusSeconds(59).plusMillis(999))).isEqualTo(T0.plusSeconds(60));
    assertThat(limiter.nextAllowedAt(T0.plusSeconds(60))).isEqualTo(T0.plusSeconds(60));
  }

  @Test
  void theNextAttemptIsAllowedExactlyWhenTheOldestAttemptAgesOut() {
    RollingWindowLimiter limiter = perMinute(3);
    limiter.record(T0);
    limiter.record(T0.plusSeconds(20));
    limiter.record(T0.plusSeconds(40));
    assertThat(limiter.nextAllowedAt(T0.plusSeconds(41))).isEqualTo(T0.plusSeconds(60));
    limiter.record(T0.plusSeconds(60));
    // window (T0+1ms .. T0+61s]: 20, 40, 60 → the 20 s attempt is now the binding one
    assertThat(limiter.nextAllowedAt(T0.plusSeconds(60))).isEqualTo(T0.plusSeconds(80));
  }

  @Test
  void membershipIsLeftOpenRightClosed() {
    RollingWindowLimiter limiter = perMinute(1);
    limiter.record(T0);
    // an attempt at a counts at t iff t - 60s < a <= t
    assertThat(limiter.usage(T0.plusSeconds(60).minusMillis(1)).get(0).used()).isEqualTo(1);
    assertThat(limiter.usage(T0.plusSeconds(60)).get(0).used()).isEqualTo(0);
    assertThat(limiter.allows(T0.plusSeconds(60).minusMillis(1))).isFalse();
    assertThat(limiter.allows(T0.plusSeconds(60))).isTrue();
  }

  @Test
  void theStrictestOfSeveralWindowsBinds() {
    RollingWindowLimiter limiter = new RollingWindowLimiter(Window.standard(6, 8, 300));
    Instant t = T0;
    List<Instant> made = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      t = limiter.nextAllowedAt(t);
      limiter.record(t);
      made.add(t);
    }
    // six at T0, two at T0+60s, then the hour window (8) is full until T0+1h
    assertThat(made.subList(0, 6)).containsOnly(T0);
    assertThat(made.subList(6, 8)).containsOnly(T0.plusSeconds(60));
    assertThat(limiter.nextAllowedAt(t)).isEqualTo(T0.plus(Duration.ofHours(1)));
    assertThat(limiter.usage(t)).containsExactly(
        new WindowUsage("perMinute", Duration.ofMinutes(1), 2, 6),
        new WindowUsage("perHour", Duration.ofHours(1), 8, 8),
        new WindowUsage("perDay", Duration.ofHours(24), 8, 300));
  }

  @Test
  void aZeroLimitMeansNoSendsAndAnswersTheFarFutureSentinel() {
    RollingWindowLimiter limiter = new RollingWindowLimiter(Window.standard(6, 0, 300));
    assertThat(limiter.nextAllowedAt(T0)).isEqualTo(Instant.MAX);
    assertThat(limiter.allows(T0)).isFalse();
  }

  @Test
  void noWindowsMeansNoLimit() {
    RollingWindowLimiter limiter = new RollingWindowLimiter(List.of());
    for (int i = 0; i < 1000; i++) {
      limiter.record(T0);
    }
    assertThat(limiter.nextAllowedAt(T0)).isEqualTo(T0);
    assertThat(limiter.usage(T0)).isEmpty();
  }

  @Test
  void outOfOrderRecordsAreKeptSorted() {
    RollingWindowLimiter limiter = perMinute(2);
    limiter.record(T0.plusSeconds(30));
    limiter.record(T0.plusSeconds(10));
    // sorted: 10, 30 → full until 10 + 60
    assertThat(limiter.nextAllowedAt(T0.plusSeconds(31))).isEqualTo(T0.plusSeconds(70));
  }

  @Test
  void loweringALimitIsJudgedAgainstTheHistoryAlreadyRecorded() {
    RollingWindowLimiter limiter = perMinute(6);
    for (int i = 0; i < 5; i++) {
      limiter.record(T0.plusSeconds(i));
    }
    assertThat(limiter.nextAllowedAt(T0.plusSeconds(5))).isEqualTo(T0.plusSeconds(5));
    limiter.setWindows(List.of(new Window("perMinute", Duration.ofMinutes(1), 2)));
    // 5 attempts at 0..4 s; at most 1 may remain for a new one: the 2nd newest (at 3 s) must age out
    assertThat(limiter.nextAllowedAt(T0.plusSeconds(5))).isEqualTo(T0.plusSeconds(63));
    assertThat(limiter.usage(T0.plusSeconds(5)).get(0)).isEqualTo(
        new WindowUsage("perMinute", Duration.ofMinutes(1), 5, 2));
    assertThat(limiter.usage(T0.plusSeconds(5)).get(0).isFull()).isTrue();
  }

  @Test
  void raisingALimitTakesEffectAtOnce() {
    RollingWindowLimiter limiter = perMinute(1);
    limiter.record(T0);
    assertThat(limiter.allows(T0.plusSeconds(1))).isFalse();
    limiter.setWindows(List.of(new Window("perMinute", Duration.ofMinutes(1), 2)));
    assertThat(limiter.allows(T0.plusSeconds(1))).isTrue();
  }

  @Test
  void aClockSteppingBackCannotSqueezeAnAttemptBeforeTheNewestOne() {
    RollingWindowLimiter limiter = perMinute(6);
    limiter.record(T0.plusSeconds(30));
    // asked at an earlier time, the limiter answers no earlier than its newest attempt
    assertThat(limiter.nextAllowedAt(T0)).isEqualTo(T0.plusSeconds(30));
  }

  @Test
  void subMillisecondInstantsAreRoundedTowardsSafety() {
    RollingWindowLimiter limiter = perMinute(1);
    Instant a = T0.plusNanos(700_000); // 0.7 ms: recorded as 1 ms
    limiter.record(a);
    Instant justTooEarly = T0.plusSeconds(60).plusNanos(300_000); // 59 999.6 ms after a
    assertThat(limiter.allows(justTooEarly)).isFalse();
    assertThat(limiter.nextAllowedAt(justTooEarly)).isEqualTo(T0.plusSeconds(60).plusMillis(1));
    assertThat(Duration.between(a, limiter.nextAllowedAt(justTooEarly))).isGreaterThanOrEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void anAllowedSubMillisecondNowIsReturnedUnchanged() {
    RollingWindowLimiter limiter = perMinute(1);
    Instant now = T0.plusNanos(123_456);
    assertThat(limiter.nextAllowedAt(now)).isSameAs(now);
  }

  @Test
  void memoryIsPrunedToTheLongestWindow() {
    RollingWindowLimiter limiter = new RollingWindowLimiter(Window.defaults());
    Instant t = T0;
    for (int i = 0; i < 3000; i++) { // ten days at full speed
      t = limiter.nextAllowedAt(t);
      limiter.record(t);
    }
    assertThat(limiter.retainedAttempts()).isEqualTo(300);
    assertThat(limiter.capacity()).isLessThanOrEqualTo(512); // 4 KB of longs, well under 20 KB
    // a long quiet spell, then one attempt: everything older than a day goes
    limiter.record(t.plus(Duration.ofDays(2)));
    assertThat(limiter.retainedAttempts()).isEqualTo(1);
    assertThat(limiter.capacity()).isLessThanOrEqualTo(16);
  }

  @Test
  void rebuildHoldsTheSameHistoryAsTheLiveLimiter() {
    List<Instant> past = List.of(T0.plusSeconds(50), T0, T0.plusSeconds(10), T0.plusSeconds(20));
    RollingWindowLimiter rebuilt = RollingWindowLimiter.rebuild(List.of(
        new Window("perMinute", Duration.ofMinutes(1), 4)), past);
    assertThat(rebuilt.nextAllowedAt(T0.plusSeconds(51))).isEqualTo(T0.plusSeconds(60));
    assertThat(rebuilt.usage(T0.plusSeconds(51)).get(0).used()).isEqualTo(4);
  }

  @Test
  void windowsAreValidated() {
    assertThatThrownBy(() -> new Window("x", Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Window("x", Duration.ofSeconds(-1), 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Window("x", Duration.ofSeconds(1), -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Window(" ", Duration.ofSeconds(1), 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RollingWindowLimiter(List.of(
        new Window("a", Duration.ofSeconds(1), 1), new Window("a", Duration.ofSeconds(2), 1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
    assertThat(new Window("x", Duration.ofSeconds(1), 0).limit()).isZero();
  }

  @Test
  void defaultsAreTheContractsWindows() {
    assertThat(Window.defaults()).containsExactly(
        new Window("perMinute", Duration.ofMinutes(1), 6),
        new Window("perHour", Duration.ofHours(1), 60),
        new Window("perDay", Duration.ofHours(24), 300));
  }

  @Test
  void subMillisecondWindowLengthsRoundUp() {
    assertThat(new Window("x", Duration.ofNanos(1_500_000), 1).lengthMillis()).isEqualTo(2);
    assertThat(new Window("x", Duration.ofMillis(3), 1).lengthMillis()).isEqualTo(3);
  }

  @Test
  void underAPermanentBacklogAWindowIsUsedToItsFullBudget() {
    RollingWindowLimiter limiter = new RollingWindowLimiter(Window.defaults());
    Instant t = T0;
    int sent = 0;
    Instant end = T0.plus(Duration.ofDays(3));
    while (true) {
      t = limiter.nextAllowedAt(t);
      if (!t.isBefore(end)) {
        break;
      }
      limiter.record(t);
      sent++;
    }
    assertThat(sent).isEqualTo(900); // exactly 300 per day: the day window binds, nothing is wasted
  }
}
