package org.wahub.provider;

import org.wahub.hub.retry.SendError;

/** A send the provider answered: accepted (with its id) or refused for good. */
public sealed interface SendOutcome {

  record Sent(String providerMessageId) implements SendOutcome {
  }

  /** A permanent refusal (invalid number, blocked …): the message fails without a retry. */
  record Rejected(SendError error) implements SendOutcome {
  }
}
