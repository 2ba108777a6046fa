package org.wahub.hub.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class PacerProperties {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  /** A sender that always goes at the earliest moment (or later) sees gaps in [min, min + jitter]. */
  @Property(tries = 1000)
  void everyGapLiesBetweenMinimumAndMinimumPlusJitter(
      @ForAll @IntRange(min = 0, max = 60_000) int minMillis,
      @ForAll @IntRange(min = 0, max = 40_000) int jitterMillis,
      @ForAll long seed,
      @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 5_000) Integer> lateness) {
    Pacer pacer = new Pacer(Duration.ofMillis(minMillis), Duration.ofMillis(jitterMillis), new SplittableRandom(seed));
    Instant last = T0;
    pacer.recordSend(last);
    for (int late : lateness) {
      Instant earliest = pacer.nextAllowedAt(last);
      long gap = Duration.between(last, earliest).toMillis();
      assertThat(gap).isBetween((long) minMillis, (long) minMillis + jitterMillis);
      if (jitterMillis == 0) {
        assertThat(gap).isEqualTo(minMillis);
      }
      assertThat(pacer.nextAllowedAt(earliest)).isEqualTo(earliest);
      if (minMillis + jitterMillis > 0 && gap > 0) {
        assertThat(pacer.nextAllowedAt(earliest.minusMillis(1))).isEqualTo(earliest);
      }
      last = earliest.plusMillis(late);
      pacer.recordSend(last);
    }
  }

  /** Same seed, same settings, same sends: the same sequence of gaps. */
  @Property(tries = 1000)
  void theSameSeedGivesTheSameSequence(
      @ForAll @IntRange(min = 0, max = 60_000) int minMillis,
      @ForAll @IntRange(min = 0, max = 40_000) int jitterMillis,
      @ForAll long seed) {
    assertThat(gaps(minMillis, jitterMillis, seed)).isEqualTo(gaps(minMillis, jitterMillis, seed));
  }

  private static List<Duration> gaps(int minMillis, int jitterMillis, long seed) {
    Pacer pacer = new Pacer(Duration.ofMillis(minMillis), Duration.ofMillis(jitterMillis), new SplittableRandom(seed));
    List<Duration> gaps = new ArrayList<>();
    Instant t = T0;
    for (int i = 0; i < 20; i++) {
      pacer.recordSend(t);
      Instant next = pacer.nextAllowedAt(t);
      gaps.add(Duration.between(t, next));
      t = next;
    }
    return gaps;
  }
}
