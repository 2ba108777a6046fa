package org.wahub.hub.webhook;

import org.wahub.hub.breaker.CircuitBreaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class EndpointBreakerProperties {

  private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

  /** A step of a simulated endpoint: time passes, a delivery starts, or one in flight ends. */
  enum Step { TICK, START, SUCCEED, FAULT }

  /**
   * Any sequence of starts and ends in virtual time, with the caller obeying {@code permits}: never
   * more than {@code concurrency} in flight; nothing starts while open; while half open at most one
   * trial starts (until it ends); N consecutive faults always leave it open; a success closes it.
   */
  @Property(tries = 1000)
  void theBreakerKeepsItsPromises(@ForAll @IntRange(min = 1, max = 6) int maxFailures,
      @ForAll @IntRange(min = 1, max = 5) int concurrency, @ForAll("steps") List<Step> steps) {
    Duration reset = Duration.ofSeconds(30);
    EndpointBreaker b = new EndpointBreaker(maxFailures, reset);
    Instant now = T0;
    int inFlight = 0;
    int startsSinceHalfOpen = 0;
    int consecutive = 0;
    for (Step step : steps) {
      CircuitBreaker.State before = b.state(now);
      switch (step) {
        case TICK -> now = now.plusSeconds(7);
        case START -> {
          int permits = b.permits(now, concurrency, inFlight);
          assertThat(permits).isBetween(0, concurrency);
          if (before == CircuitBreaker.State.OPEN) {
            assertThat(permits).isZero();
          }
          if (permits > 0) {
            if (before == CircuitBreaker.State.HALF_OPEN) {
              startsSinceHalfOpen++;
              assertThat(startsSinceHalfOpen).as("one trial at a time while half open").isEqualTo(1);
            }
            b.onStart(now);
            inFlight++;
            assertThat(inFlight).isLessThanOrEqualTo(concurrency + 1);
          }
        }
        case SUCCEED -> {
          if (inFlight > 0) {
            inFlight--;
            b.onSuccess();
            consecutive = 0;
            startsSinceHalfOpen = 0;
            assertThat(b.state(now)).isEqualTo(CircuitBreaker.State.CLOSED);
          }
        }
        case FAULT -> {
          if (inFlight > 0) {
            inFlight--;
            b.onFault(now);
            consecutive++;
            startsSinceHalfOpen = 0;
            if (consecutive >= maxFailures) {
              assertThat(b.state(now)).isEqualTo(CircuitBreaker.State.OPEN);
              assertThat(b.halfOpenAt()).contains(now.plus(reset));
            }
          }
        }
      }
      if (b.state(now) == CircuitBreaker.State.CLOSED) {
        assertThat(b.consecutiveFaults()).isLessThan(maxFailures);
      }
    }
  }

  @Test
  void opensAfterConsecutiveFaultsThenLetsOneTrialThrough() {
    EndpointBreaker b = new EndpointBreaker(3, Duration.ofSeconds(60));
    for (int i = 0; i < 3; i++) {
      b.onStart(T0);
      b.onFault(T0);
    }
    assertThat(b.state(T0)).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(b.permits(T0.plusSeconds(59), 4, 0)).isZero();
    Instant half = T0.plusSeconds(60);
    assertThat(b.permits(half, 4, 0)).isEqualTo(1);
    b.onStart(half);
    assertThat(b.permits(half, 4, 1)).isZero();
    b.onFault(half);
    assertThat(b.state(half)).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(b.halfOpenAt()).contains(half.plusSeconds(60));
    Instant again = half.plusSeconds(60);
    b.onStart(again);
    b.onSuccess();
    assertThat(b.permits(again, 4, 0)).isEqualTo(4);
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    return Arbitraries.of(Step.class).list().ofMinSize(1).ofMaxSize(120).map(ArrayList::new);
  }
}
