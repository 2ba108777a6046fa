package org.wahub.hub.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private static final RandomGenerator UNUSABLE = () -> {
    throw new AssertionError("no jitter configured, so no random draw expected");
  };

  @Test
  void defaultsAreTheContracts() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.base()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.max()).isEqualTo(Duration.ofSeconds(120));
    assertThat(p.maxAttempts()).isEqualTo(5);
    assertThat(p.jitterRatio()).isEqualTo(0.2);
  }

  @Test
  void withoutJitterTheLadderIs5_10_20_40_80_120_120() {
    RetryPolicy p = new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(120), 10, 0.0);
    long[] expected = {5, 10, 20, 40, 80, 120, 120, 120};
    for (int n = 1; n <= expected.length; n++) {
      assertThat(p.backoff(n, UNUSABLE)).as("after attempt %d", n).isEqualTo(Duration.ofSeconds(expected[n - 1]));
    }
    assertThat(p.backoff(Integer.MAX_VALUE, UNUSABLE)).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void jitterIsSymmetricAroundTheNominalDelayAndClampedAtTheMaximum() {
    RetryPolicy p = RetryPolicy.defaults();
    RandomGenerator rng = new SplittableRandom(3);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 2000; i++) {
      long d = p.backoff(2, rng).toMillis(); // nominal 10 s
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isBetween(8_000L, 8_100L);
    assertThat(max).isBetween(11_900L, 12_000L);
    for (int i = 0; i < 2000; i++) {
      assertThat(p.backoff(6, rng)).isBetween(Duration.ofSeconds(96), Duration.ofSeconds(120));
    }
  }

  @Test
  void aPermanentErrorFailsAtOnceWithItsOwnCode() {
    RetryDecision d = RetryPolicy.defaults().decide(1, SendError.permanent("not_on_whatsapp", "no account"), NOW, UNUSABLE);
    assertThat(d).isEqualTo(new RetryDecision.Fail("not_on_whatsapp", "no account"));
  }

  @Test
  void aRetriableErrorIsRetriedAfterTheBackoff() {
    RetryPolicy p = new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(120), 5, 0.0);
    RetryDecision d = p.decide(2, SendError.retriable("timeout", ""), NOW, UNUSABLE);
    assertThat(d).isEqualTo(new RetryDecision.RetryAt(NOW.plusSeconds(10), Duration.ofSeconds(10)));
  }

  @Test
  void theLastAllowedAttemptFailingExhaustsTheBudgetAndNamesTheLastError() {
    RetryDecision d = RetryPolicy.defaults().decide(5, SendError.retriable("provider_unavailable", "HTTP 503"), NOW, UNUSABLE);
    assertThat(d).isInstanceOf(RetryDecision.Fail.class);
    RetryDecision.Fail fail = (RetryDecision.Fail) d;
    assertThat(fail.code()).isEqualTo("attempts_exhausted");
    assertThat(fail.reason()).contains("provider_unavailable").contains("HTTP 503").contains("5 attempts");
  }

  @Test
  void rejectsNonsenseSettingsAndArguments() {
    assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, 1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.defaults().decide(0, SendError.retriable("timeout", ""), NOW, UNUSABLE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RetryPolicy.defaults().backoff(0, UNUSABLE)).isInstanceOf(IllegalArgumentException.class);
  }
}
