package org.wahub.hub.send;

import java.util.Objects;
import org.wahub.hub.retry.SendError;

/** What came back from one hand-off to the provider, as the glue observed it. */
public sealed interface ProviderOutcome {

  /** Accepted, with the provider's id for the message. */
  record Sent(String providerMessageId) implements ProviderOutcome {
  }

  /** The provider answered with an error: it did not take the message. */
  record Refused(SendError error) implements ProviderOutcome {
    public Refused {
      Objects.requireNonNull(error, "error");
    }
  }

  /**
   * No answer after the hand-off began (time-out, connection lost, crash): the message may be on
   * the phone. The in-doubt rule applies unless the provider deduplicates by message id.
   */
  record Lost(SendError error) implements ProviderOutcome {
    public Lost {
      Objects.requireNonNull(error, "error");
    }
  }
}
