package org.wahub.hub.webhook;

import org.wahub.hub.breaker.CircuitBreaker;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@link CircuitBreaker} of one webhook endpoint, with its concurrency, so that a dead endpoint
 * costs the hub almost nothing and never holds up deliveries to others. After {@code maxFailures}
 * consecutive endpoint faults (see {@link WebhookResponse}) it opens for {@code resetTimeout}: no
 * deliveries are attempted (they keep their place and their attempt count). Then it is half open:
 * one trial delivery goes out at a time; its success closes the breaker, its fault opens it again.
 * An answer that is not a fault (a 4xx) proves the endpoint is up and closes it too.
 *
 * <p>{@link #permits} says how many deliveries may start now; the caller reports each start with
 * {@link #onStart} and each end with {@link #onSuccess} or {@link #onFault}, and arms its one timer
 * at {@link #halfOpenAt}. Not thread-safe: it belongs to one verticle.
 */
public final class EndpointBreaker {

  private final CircuitBreaker core;
  private boolean trialInFlight;

  public EndpointBreaker(int maxFailures, Duration resetTimeout) {
    this.core = new CircuitBreaker(maxFailures, resetTimeout);
  }

  public CircuitBreaker.State state(Instant now) {
    return core.state(now);
  }

  /**
   * How many more deliveries may start at {@code now}, given {@code inFlight} already running and
   * at most {@code concurrency} at once: all free slots while closed, none while open, one trial
   * while half open (and none while that trial runs).
   */
  public int permits(Instant now, int concurrency, int inFlight) {
    return switch (state(now)) {
      case CLOSED -> Math.max(0, concurrency - inFlight);
      case OPEN -> 0;
      case HALF_OPEN -> trialInFlight ? 0 : 1;
    };
  }

  /** A delivery started at {@code now}; in the half-open state it is the trial. */
  public void onStart(Instant now) {
    if (state(now) == CircuitBreaker.State.HALF_OPEN) {
      trialInFlight = true;
    }
  }

  /** Delivered, or answered without a fault: the endpoint works. */
  public void onSuccess() {
    core.onSuccess();
    trialInFlight = false;
  }

  /** An endpoint fault at {@code now}. A fault while open or half open (re)opens from now. */
  public void onFault(Instant now) {
    core.onFailure(now);
    trialInFlight = false;
  }

  /** When an open breaker lets a trial through; empty while closed. */
  public Optional<Instant> halfOpenAt() {
    return core.halfOpenAt();
  }

  public int consecutiveFaults() {
    return core.consecutiveFailures();
  }
}
