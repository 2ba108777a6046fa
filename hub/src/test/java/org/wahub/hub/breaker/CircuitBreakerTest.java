package org.wahub.hub.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SendBreakerTest {

  private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

  @Test
  void opensAfterMaxConsecutiveFaultsAndSaysWhenItIsHalfOpen() {
    SendBreaker b = new SendBreaker(3, Duration.ofSeconds(60));
    b.onFailure(T0);
    b.onFailure(T0.plusSeconds(1));
    assertThat(b.state(T0.plusSeconds(1))).isEqualTo(SendBreaker.State.CLOSED);
    assertThat(b.halfOpenAt()).isEmpty();
    b.onFailure(T0.plusSeconds(2));
    assertThat(b.state(T0.plusSeconds(2))).isEqualTo(SendBreaker.State.OPEN);
    assertThat(b.halfOpenAt()).contains(T0.plusSeconds(62));
    assertThat(b.state(T0.plusSeconds(61))).isEqualTo(SendBreaker.State.OPEN);
    assertThat(b.state(T0.plusSeconds(62))).isEqualTo(SendBreaker.State.HALF_OPEN);
  }

  @Test
  void aFailedTrialReopensAtOnceAndASuccessCloses() {
    SendBreaker b = new SendBreaker(2, Duration.ofSeconds(10));
    b.onFailure(T0);
    b.onFailure(T0);
    Instant trial = T0.plusSeconds(10);
    assertThat(b.state(trial)).isEqualTo(SendBreaker.State.HALF_OPEN);
    b.onFailure(trial);
    assertThat(b.state(trial)).isEqualTo(SendBreaker.State.OPEN);
    assertThat(b.halfOpenAt()).contains(trial.plusSeconds(10));
    b.onSuccess();
    assertThat(b.state(trial)).isEqualTo(SendBreaker.State.CLOSED);
    assertThat(b.consecutiveFailures()).isZero();
  }

  @Test
  void aSuccessBetweenFaultsResetsTheCount() {
    SendBreaker b = new SendBreaker(2, Duration.ofSeconds(10));
    b.onFailure(T0);
    b.onSuccess();
    b.onFailure(T0);
    assertThat(b.state(T0)).isEqualTo(SendBreaker.State.CLOSED);
  }
}
