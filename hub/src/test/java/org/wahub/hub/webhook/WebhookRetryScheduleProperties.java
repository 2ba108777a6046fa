package org.wahub.hub.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class WebhookRetryScheduleProperties {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  /**
   * A delivery that fails forever, in virtual time: exactly maxAttempts attempts are made, each
   * retry lies within the jitter band of its nominal delay (or at a Retry-After within the cap),
   * and the last failure exhausts it.
   */
  @Property(tries = 1000)
  void aDeliveryThatAlwaysFailsIsTriedExactlyMaxAttemptsTimes(@ForAll("schedules") WebhookRetrySchedule s,
      @ForAll long seed, @ForAll("retryAfters") Optional<Duration> retryAfter) {
    SplittableRandom rng = new SplittableRandom(seed);
    Instant now = T0;
    int attempts = 0;
    while (true) {
      attempts++;
      assertThat(attempts).isLessThanOrEqualTo(s.maxAttempts());
      WebhookRetrySchedule.Decision d = s.next(attempts, retryAfter, now, rng);
      if (d instanceof WebhookRetrySchedule.Exhausted ex) {
        assertThat(ex.attempts()).isEqualTo(s.maxAttempts());
        break;
      }
      WebhookRetrySchedule.RetryAt r = (WebhookRetrySchedule.RetryAt) d;
      long nominal = s.nominalDelay(attempts).toMillis();
      long low = (long) Math.floor(nominal * (1 - s.jitterRatio()));
      long high = (long) Math.ceil(nominal * (1 + s.jitterRatio()));
      if (retryAfter.isPresent()) {
        long asked = Math.min(retryAfter.get().toMillis(), s.retryAfterCap().toMillis());
        low = Math.max(low, asked);
        high = Math.max(high, asked);
      }
      assertThat(r.delay().toMillis()).isBetween(low, high);
      assertThat(r.at()).isEqualTo(now.plus(r.delay()));
      now = r.at();
    }
    assertThat(attempts).isEqualTo(s.maxAttempts());
  }

  /** Retry-After never parks a delivery longer than the longest delay of the schedule. */
  @Property(tries = 500)
  void retryAfterIsCapped(@ForAll("schedules") WebhookRetrySchedule s, @ForAll @LongRange(min = 0, max = 10_000_000) long seconds,
      @ForAll long seed) {
    WebhookRetrySchedule.Decision d = s.next(1, Optional.of(Duration.ofSeconds(seconds)), T0, new SplittableRandom(seed));
    if (d instanceof WebhookRetrySchedule.RetryAt r) {
      Duration maxJittered = Duration.ofMillis((long) Math.ceil(s.nominalDelay(1).toMillis() * (1 + s.jitterRatio())));
      assertThat(r.delay()).isLessThanOrEqualTo(maxJittered.compareTo(s.retryAfterCap()) > 0 ? maxJittered : s.retryAfterCap());
      assertThat(r.delay()).isGreaterThanOrEqualTo(Duration.ofSeconds(Math.min(seconds, s.retryAfterCap().toSeconds())));
    }
  }

  /** Without jitter, the delays are the list, then its last one repeated. */
  @Property(tries = 300)
  void withoutJitterTheDelaysAreTheList(@ForAll("delayLists") List<Duration> delays, @ForAll @IntRange(min = 1, max = 30) int n) {
    WebhookRetrySchedule s = new WebhookRetrySchedule(delays, 40, 0.0);
    WebhookRetrySchedule.RetryAt r = (WebhookRetrySchedule.RetryAt) s.next(n, Optional.empty(), T0, null);
    assertThat(r.delay()).isEqualTo(delays.get(Math.min(n, delays.size()) - 1));
  }

  @Test
  void theDefaultGrowsFromSecondsToAboutADay() {
    WebhookRetrySchedule s = WebhookRetrySchedule.defaults();
    assertThat(s.maxAttempts()).isEqualTo(8);
    assertThat(s.nominalDelay(1)).isEqualTo(Duration.ofSeconds(5));
    for (int n = 1; n < s.maxAttempts() - 1; n++) {
      assertThat(s.nominalDelay(n + 1)).isGreaterThanOrEqualTo(s.nominalDelay(n));
    }
    assertThat(s.totalNominal()).isBetween(Duration.ofHours(20), Duration.ofHours(30));
    assertThat(s.next(8, Optional.empty(), T0, new SplittableRandom(1))).isEqualTo(new WebhookRetrySchedule.Exhausted(8));
  }

  @Provide
  Arbitrary<WebhookRetrySchedule> schedules() {
    return Combinators.combine(delayLists(), Arbitraries.integers().between(1, 15), Arbitraries.doubles().between(0.0, 0.5))
        .as(WebhookRetrySchedule::new);
  }

  @Provide
  Arbitrary<List<Duration>> delayLists() {
    return Arbitraries.longs().between(0, 200_000_000L).map(Duration::ofMillis).list().ofMinSize(1).ofMaxSize(10)
        .map(ArrayList::new);
  }

  @Provide
  Arbitrary<Optional<Duration>> retryAfters() {
    return Arbitraries.longs().between(0, 500_000).map(Duration::ofSeconds).optional(0.5);
  }
}
