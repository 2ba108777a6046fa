package org.wahub.hub.send;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.wahub.hub.retry.RetryDecision;
import org.wahub.hub.retry.RetryPolicy;
import org.wahub.hub.retry.SendError;

/**
 * Turns one attempt's outcome into the message's next status and the instance's reaction
 * (DESIGN §4, §7a):
 * <ul>
 * <li>sent → sent;</li>
 * <li>no answer after hand-off → in doubt, unless the provider deduplicates by message id, then a
 *     retry with the same id;</li>
 * <li>permanent → failed with the provider's code; outside the care window → failed
 *     {@code needs_template};</li>
 * <li>retriable → the retry ladder (failed {@code attempts_exhausted} at the end);</li>
 * <li>rate limited → retried no earlier than the provider's retry-after; with instance scope the
 *     whole instance pauses until then, with recipient scope only the chat waits (its head is
 *     the message);</li>
 * <li>account problem → the message is retried later and the instance pauses in AUTH_FAILURE.</li>
 * </ul>
 * Faults (retriable, throttles, account problems, lost answers) feed the circuit breaker; sends
 * and final refusals close it.
 */
public final class AttemptResolver {

  private final RetryPolicy retry;
  private final boolean deduplicatesByMessageId;

  public AttemptResolver(RetryPolicy retry, boolean deduplicatesByMessageId) {
    this.retry = Objects.requireNonNull(retry, "retry");
    this.deduplicatesByMessageId = deduplicatesByMessageId;
  }

  /** {@code attemptsMade} counts the attempt that just ended (so it is at least 1). */
  public Resolved resolve(ProviderOutcome outcome, int attemptsMade, Instant now, RandomGenerator rng) {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(now, "now");
    if (outcome instanceof ProviderOutcome.Sent sent) {
      return new Resolved(new Resolved.MessageResolution.MarkSent(sent.providerMessageId()),
          Optional.empty(), Optional.empty(), false, true);
    }
    if (outcome instanceof ProviderOutcome.Lost lost) {
      SendError e = lost.error();
      if (!deduplicatesByMessageId) {
        // it may be on the phone: sending again could duplicate it, so a human decides
        return new Resolved(new Resolved.MessageResolution.InDoubt(e.code(), e.reason()),
            Optional.empty(), Optional.empty(), true, false);
      }
      return new Resolved(retryOrFail(attemptsMade, asRetriable(e), now, rng), Optional.empty(), Optional.empty(), true, false);
    }
    SendError e = ((ProviderOutcome.Refused) outcome).error();
    return switch (e.kind()) {
      case PERMANENT, NEEDS_TEMPLATE -> new Resolved(new Resolved.MessageResolution.Fail(e.code(), e.reason()),
          Optional.empty(), Optional.empty(), false, true);
      case RETRIABLE -> new Resolved(retryOrFail(attemptsMade, e, now, rng), Optional.empty(), Optional.empty(), true, false);
      case RATE_LIMITED -> new Resolved(retryOrFail(attemptsMade, e, now, rng),
          e.scope() == SendError.Scope.INSTANCE ? Optional.of(now.plus(e.retryAfter())) : Optional.empty(),
          Optional.empty(), true, false);
      case ACCOUNT -> new Resolved(retryOrFail(attemptsMade, e, now, rng), Optional.empty(),
          Optional.of(e.code() + ": " + e.reason()), true, false);
    };
  }

  private Resolved.MessageResolution retryOrFail(int attemptsMade, SendError e, Instant now, RandomGenerator rng) {
    RetryDecision d = retry.decide(attemptsMade, e, now, rng);
    if (d instanceof RetryDecision.RetryAt at) {
      return new Resolved.MessageResolution.RetryAt(at.at(), e.code(), e.reason());
    }
    RetryDecision.Fail fail = (RetryDecision.Fail) d;
    return new Resolved.MessageResolution.Fail(fail.code(), fail.reason());
  }

  private static SendError asRetriable(SendError e) {
    return e.isRetriable() ? e : SendError.retriable(e.code(), e.reason());
  }

  public boolean deduplicatesByMessageId() {
    return deduplicatesByMessageId;
  }
}
