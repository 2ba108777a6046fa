package org.wahub.hub.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/** What to do with a message whose send attempt just failed. */
public sealed interface RetryDecision permits RetryDecision.RetryAt, RetryDecision.Fail {

  /** Put the message back to {@code queued} with {@code nextAttemptAt = at}. */
  record RetryAt(Instant at, Duration delay) implements RetryDecision {
    public RetryAt {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(delay, "delay");
    }
  }

  /** Move the message to {@code failed} (the dead-letter list) with this code and reason. */
  record Fail(String code, String reason) implements RetryDecision {
    public Fail {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
