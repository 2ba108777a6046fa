package org.wahub.hub.health;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyWindowProperties {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @Property(tries = 1000)
  void thePercentileIsNeverBelowTheTrueOneAndAtMostTenPercentAbove(
      @ForAll @Size(min = 1, max = 300) List<@LongRange(min = 0, max = 600_000) Long> samples,
      @ForAll @IntRange(min = 1, max = 100) int percent) {
    LatencyWindow w = LatencyWindow.lastHour();
    for (long s : samples) {
      w.record(T0, s);
    }
    double q = percent / 100.0;
    List<Long> sorted = new ArrayList<>(samples);
    sorted.sort(null);
    long exact = sorted.get((int) Math.ceil(q * sorted.size()) - 1);
    long estimate = w.snapshot(T0).percentile(q);
    assertThat(estimate).isGreaterThanOrEqualTo(exact).isLessThanOrEqualTo((long) Math.ceil(exact * 1.1) + 1);
    assertThat(estimate).isLessThanOrEqualTo(sorted.get(sorted.size() - 1));
  }

  @Property(tries = 500)
  void valuesOlderThanTheWindowDropOut(@ForAll @LongRange(min = 0, max = 10_000) long old,
                                       @ForAll @LongRange(min = 0, max = 10_000) long fresh,
                                       @ForAll @IntRange(min = 61, max = 600) int minutesLater) {
    LatencyWindow w = LatencyWindow.lastHour();
    w.record(T0, old);
    Instant later = T0.plus(Duration.ofMinutes(minutesLater));
    assertThat(w.snapshot(later).count()).isZero();
    w.record(later, fresh);
    assertThat(w.snapshot(later).count()).isEqualTo(1);
    assertThat(w.snapshot(later).max()).isEqualTo(fresh);
    // a value from before the ring's current slots is ignored, not counted into a newer slot
    w.record(T0, 999_999);
    assertThat(w.snapshot(later).max()).isEqualTo(fresh);
  }

  @Property(tries = 500)
  void valuesWithinTheLastFiftyFiveMinutesCount(@ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 55) Integer> ages) {
    LatencyWindow w = LatencyWindow.lastHour();
    Instant now = T0.plus(Duration.ofHours(3));
    for (int age : ages) {
      w.record(now.minus(Duration.ofMinutes(age)), 100);
    }
    assertThat(w.snapshot(now).count()).isEqualTo(ages.size());
  }

  @Property(tries = 300)
  void snapshotsAddUp(@ForAll @Size(max = 100) List<@LongRange(min = 0, max = 60_000) Long> a,
                      @ForAll @Size(max = 100) List<@LongRange(min = 0, max = 60_000) Long> b) {
    LatencyWindow wa = LatencyWindow.lastHour();
    LatencyWindow wb = LatencyWindow.lastHour();
    LatencyWindow both = LatencyWindow.lastHour();
    a.forEach(v -> { wa.record(T0, v); both.record(T0, v); });
    b.forEach(v -> { wb.record(T0, v); both.record(T0, v); });
    LatencyWindow.Snapshot sum = wa.snapshot(T0).plus(wb.snapshot(T0));
    assertThat(sum.count()).isEqualTo(both.snapshot(T0).count());
    assertThat(sum.max()).isEqualTo(both.snapshot(T0).max());
    assertThat(sum.counts()).containsExactly(both.snapshot(T0).counts());
    if (sum.count() > 0) {
      assertThat(sum.percentile(0.95)).isEqualTo(both.snapshot(T0).percentile(0.95));
    }
  }

  @Property(tries = 10)
  void anEmptyWindowAnswersZero(@ForAll @IntRange(min = 1, max = 100) int percent) {
    assertThat(LatencyWindow.lastHour().snapshot(T0).percentile(percent / 100.0)).isZero();
  }
}
