package org.wahub.hub.breaker;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A circuit breaker in virtual time, for one instance's provider calls and (inside
 * {@link org.wahub.hub.webhook.EndpointBreaker}) for one webhook endpoint: after
 * {@code maxFailures} consecutive faults it opens for {@code resetTimeout}; then it is half open and
 * lets a trial through, which closes it (success) or opens it again from that moment (fault). What
 * counts as a fault is the caller's rule: a provider's permanent refusal or an endpoint's 4xx is an
 * answer, proof that the other side works.
 *
 * <p>Unlike a breaker that polls its own state, it says when it will be half open
 * ({@link #halfOpenAt}), so its owner arms exactly one timer for that moment. Not thread-safe.
 */
public final class CircuitBreaker {

  public enum State {
    CLOSED, OPEN, HALF_OPEN;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final int maxFailures;
  private final Duration resetTimeout;
  private int consecutiveFailures;
  private Instant openedAt;

  public CircuitBreaker(int maxFailures, Duration resetTimeout) {
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures must be >= 1, was " + maxFailures);
    }
    Objects.requireNonNull(resetTimeout, "resetTimeout");
    if (resetTimeout.isNegative()) {
      throw new IllegalArgumentException("resetTimeout must not be negative");
    }
    this.maxFailures = maxFailures;
    this.resetTimeout = resetTimeout;
  }

  public State state(Instant now) {
    Objects.requireNonNull(now, "now");
    if (openedAt == null) {
      return State.CLOSED;
    }
    return now.isBefore(openedAt.plus(resetTimeout)) ? State.OPEN : State.HALF_OPEN;
  }

  /** When an open breaker lets the next trial through; empty while it is closed. */
  public Optional<Instant> halfOpenAt() {
    return openedAt == null ? Optional.empty() : Optional.of(openedAt.plus(resetTimeout));
  }

  /** The other side answered properly (a provider sent or refused for good; an endpoint answered). */
  public void onSuccess() {
    consecutiveFailures = 0;
    openedAt = null;
  }

  /** A fault (error, time-out, throttle). A fault while open or half open reopens from {@code now}. */
  public void onFailure(Instant now) {
    Objects.requireNonNull(now, "now");
    consecutiveFailures++;
    if (openedAt != null || consecutiveFailures >= maxFailures) {
      openedAt = now;
    }
  }

  public int consecutiveFailures() {
    return consecutiveFailures;
  }
}
