package org.wahub.hub.retention;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionPolicyTest {

  @Property
  void historyInsideTheLongestWindowIsNeverPruned(@ForAll @LongRange(min = 2, max = 3650) long historyDays,
                                                  @ForAll @LongRange(min = 1, max = 3650) long archiveDays,
                                                  @ForAll @LongRange(min = 0, max = 4_000_000_000L) long nowSeconds,
                                                  @ForAll @LongRange(min = 0, max = 86_400) long ageSeconds) {
    RetentionPolicy p = RetentionPolicy.ofDays(archiveDays, historyDays);
    Instant now = Instant.ofEpochSecond(nowSeconds);
    // a row the limiter can still need: written within the last day (and a day of margin)
    Instant written = now.minus(Duration.ofSeconds(ageSeconds));
    assertThat(written).isAfterOrEqualTo(p.pruneHistoryBefore(now).plus(RetentionPolicy.LONGEST_WINDOW));
    assertThat(p.archiveFailedBefore(now)).isBeforeOrEqualTo(now.minus(RetentionPolicy.MIN_ARCHIVE));
  }

  @Property
  void cutoffsMoveWithTheClockAndNothingElse(@ForAll @LongRange(min = 0, max = 4_000_000_000L) long t,
                                             @ForAll @LongRange(min = 0, max = 1_000_000) long later) {
    RetentionPolicy p = RetentionPolicy.ofDays(30, 90);
    Instant a = Instant.ofEpochSecond(t);
    Instant b = a.plusSeconds(later);
    assertThat(Duration.between(p.pruneHistoryBefore(a), p.pruneHistoryBefore(b))).isEqualTo(Duration.ofSeconds(later));
    assertThat(Duration.between(p.archiveFailedBefore(a), a)).isEqualTo(Duration.ofDays(30));
  }

  @Test
  void tooShortARetentionIsRefusedWithTheReason() {
    assertThatThrownBy(() -> RetentionPolicy.ofDays(30, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("history is kept at least 2 days");
    assertThatThrownBy(() -> RetentionPolicy.ofDays(0, 90)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("archived after at least 1 day");
    assertThat(RetentionPolicy.ofDays(1, 2).historyKeptFor()).isEqualTo(Duration.ofDays(2));
  }
}
