package org.wahub.hub.inbound;

import java.util.Locale;

/** What a provider's receipt says about a message the hub sent. The wire value is the lowercase name. */
public enum ReceiptStatus {
  /** The provider's server has it (Meta {@code sent}, WAHA ack 1). */
  SENT,
  /** The recipient's phone has it (ack 2). */
  DELIVERED,
  /** The recipient read it (ack 3; played voice counts as read). Implies delivered. */
  READ,
  /** The provider gave up on it after accepting it (Meta {@code failed}, ack -1). */
  FAILED;

  private final String wire = name().toLowerCase(Locale.ROOT);

  public String wire() {
    return wire;
  }
}
