package org.wahub.hub.instance;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** The answer to an operator's {@code POST /instances/:id/restart}. */
public sealed interface ManualRestartDecision permits ManualRestartDecision.Allowed,
    ManualRestartDecision.Exhausted {

  /** The restart was counted against the window; run it now ({@code 202}). */
  record Allowed() implements ManualRestartDecision {
  }

  /** The restart window is full until {@code retryAt} ({@code 429} with {@code Retry-After}). */
  record Exhausted(Instant retryAt) implements ManualRestartDecision {
    public Exhausted {
      Objects.requireNonNull(retryAt, "retryAt");
    }

    /** Whole seconds for a {@code Retry-After} header, rounded up, at least 1. */
    public long retryAfterSeconds(Instant now) {
      Duration wait = Duration.between(now, retryAt);
      long seconds = wait.getSeconds() + (wait.getNano() > 0 ? 1 : 0);
      return Math.max(1, seconds);
    }
  }
}
