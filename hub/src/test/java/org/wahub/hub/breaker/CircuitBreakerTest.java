package org.wahub.hub.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

  @Test
  void opensAfterMaxConsecutiveFaultsAndSaysWhenItIsHalfOpen() {
    CircuitBreaker b = new CircuitBreaker(3, Duration.ofSeconds(60));
    b.onFailure(T0);
    b.onFailure(T0.plusSeconds(1));
    assertThat(b.state(T0.plusSeconds(1))).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(b.halfOpenAt()).isEmpty();
    b.onFailure(T0.plusSeconds(2));
    assertThat(b.state(T0.plusSeconds(2))).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(b.halfOpenAt()).contains(T0.plusSeconds(62));
    assertThat(b.state(T0.plusSeconds(61))).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(b.state(T0.plusSeconds(62))).isEqualTo(CircuitBreaker.State.HALF_OPEN);
  }

  @Test
  void aFailedTrialReopensAtOnceAndASuccessCloses() {
    CircuitBreaker b = new CircuitBreaker(2, Duration.ofSeconds(10));
    b.onFailure(T0);
    b.onFailure(T0);
    Instant trial = T0.plusSeconds(10);
    assertThat(b.state(trial)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    b.onFailure(trial);
    assertThat(b.state(trial)).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(b.halfOpenAt()).contains(trial.plusSeconds(10));
    b.onSuccess();
    assertThat(b.state(trial)).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(b.consecutiveFailures()).isZero();
  }

  @Test
  void aSuccessBetweenFaultsResetsTheCount() {
    CircuitBreaker b = new CircuitBreaker(2, Duration.ofSeconds(10));
    b.onFailure(T0);
    b.onSuccess();
    b.onFailure(T0);
    assertThat(b.state(T0)).isEqualTo(CircuitBreaker.State.CLOSED);
  }
}
