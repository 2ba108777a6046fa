package org.wahub.hub.send;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A circuit breaker for one instance's provider calls, in virtual time: after {@code maxFailures}
 * consecutive provider faults it opens for {@code resetTimeout}; then it is half open and lets one
 * trial send through, which closes it (success) or opens it again (fault). Permanent refusals are
 * answers, not faults: the provider works, the message is wrong.
 *
 * <p>Unlike a breaker that polls its own state, it says when it will be half open
 * ({@link #halfOpenAt}), so the send loop arms exactly one timer for that moment. Not thread-safe.
 */
public final class SendBreaker {

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

  public SendBreaker(int maxFailures, Duration resetTimeout) {
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

  /** The provider answered properly (sent, or refused the message for good). */
  public void onSuccess() {
    consecutiveFailures = 0;
    openedAt = null;
  }

  /** The provider faulted (error, time-out, throttle). A failed half-open trial reopens at once. */
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
