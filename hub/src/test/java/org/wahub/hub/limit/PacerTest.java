package org.wahub.hub.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class PacerTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  /** A generator that fails the test if the pacer draws from it. */
  private static final RandomGenerator UNUSABLE = () -> {
    throw new AssertionError("no jitter configured, so no random draw expected");
  };

  @Test
  void allowsTheFirstSendAtOnce() {
    Pacer pacer = new Pacer(Duration.ofMillis(500), Duration.ZERO, UNUSABLE);
    assertThat(pacer.nextAllowedAt(T0)).isEqualTo(T0);
    assertThat(pacer.lastSendAt()).isEmpty();
    assertThat(pacer.currentGap()).isEmpty();
  }

  @Test
  void withoutJitterTheGapIsExactlyTheMinimumAndNoRandomnessIsUsed() {
    Pacer pacer = new Pacer(Duration.ofMillis(500), Duration.ZERO, UNUSABLE);
    pacer.recordSend(T0);
    assertThat(pacer.nextAllowedAt(T0)).isEqualTo(T0.plusMillis(500));
    assertThat(pacer.nextAllowedAt(T0.plusMillis(499))).isEqualTo(T0.plusMillis(500));
    assertThat(pacer.nextAllowedAt(T0.plusMillis(500))).isEqualTo(T0.plusMillis(500));
    assertThat(pacer.nextAllowedAt(T0.plusSeconds(9))).isEqualTo(T0.plusSeconds(9));
  }

  @Test
  void theJitterIsDrawnOncePerSendSoRepeatedQueriesAgree() {
    Pacer pacer = new Pacer(Duration.ofSeconds(25), Duration.ofSeconds(15), new SplittableRandom(7));
    pacer.recordSend(T0);
    Instant first = pacer.nextAllowedAt(T0);
    for (int i = 0; i < 10; i++) {
      assertThat(pacer.nextAllowedAt(T0.plusSeconds(i))).isEqualTo(first);
    }
    assertThat(Duration.between(T0, first)).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(40));
  }

  @Test
  void bothEndsOfTheJitterRangeAreReachable() {
    Pacer pacer = new Pacer(Duration.ofMillis(100), Duration.ofMillis(2), new SplittableRandom(1));
    Set<Long> gaps = new HashSet<>();
    Instant t = T0;
    for (int i = 0; i < 300; i++) {
      pacer.recordSend(t);
      gaps.add(pacer.currentGap().orElseThrow().toMillis());
      t = pacer.nextAllowedAt(t);
    }
    assertThat(gaps).containsExactlyInAnyOrder(100L, 101L, 102L);
  }

  @Test
  void reconfigureRedrawsTheGapFromTheLastSend() {
    Pacer pacer = new Pacer(Duration.ofSeconds(30), Duration.ZERO, UNUSABLE);
    pacer.recordSend(T0);
    pacer.reconfigure(Duration.ofSeconds(2), Duration.ZERO);
    assertThat(pacer.nextAllowedAt(T0.plusSeconds(1))).isEqualTo(T0.plusSeconds(2));
    assertThat(pacer.minInterval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void anOlderSendDoesNotMoveThePacerBack() {
    Pacer pacer = new Pacer(Duration.ofSeconds(1), Duration.ZERO, UNUSABLE);
    pacer.recordSend(T0.plusSeconds(10));
    pacer.recordSend(T0);
    assertThat(pacer.nextAllowedAt(T0)).isEqualTo(T0.plusSeconds(11));
  }

  @Test
  void rejectsNegativeOrAbsurdSettings() {
    assertThatThrownBy(() -> new Pacer(Duration.ofMillis(-1), Duration.ZERO, UNUSABLE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Pacer(Duration.ZERO, Duration.ofDays(400), UNUSABLE))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
