package org.wahub.hub.send;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The attempt resolver's verdict: what becomes of the message, and what the instance must do.
 *
 * @param message         the message's next status
 * @param pauseUntil      the provider throttled the whole instance until then
 * @param accountProblem  the account was refused: the instance goes to AUTH_FAILURE with this reason
 * @param providerFault   the attempt counts as a fault for the circuit breaker
 * @param providerAnswered the provider answered properly (closes the breaker)
 */
public record Resolved(MessageResolution message, Optional<Instant> pauseUntil, Optional<String> accountProblem,
                       boolean providerFault, boolean providerAnswered) {

  public Resolved {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(pauseUntil, "pauseUntil");
    Objects.requireNonNull(accountProblem, "accountProblem");
    if (providerFault && providerAnswered) {
      throw new IllegalArgumentException("an attempt is a fault or a proper answer, not both");
    }
  }

  /** The message's next status after an attempt. */
  public sealed interface MessageResolution {
    /** Sent, with the provider's id. */
    record MarkSent(String providerMessageId) implements MessageResolution {
    }

    /** Back to queued, not before {@code at}. */
    record RetryAt(Instant at, String code, String reason) implements MessageResolution {
    }

    /** Failed for good (the dead-letter list). */
    record Fail(String code, String reason) implements MessageResolution {
    }

    /** Nobody can know whether it was sent: a human decides. */
    record InDoubt(String code, String reason) implements MessageResolution {
    }
  }
}
