package org.wahub.provider;

import java.time.Duration;
import java.util.Objects;

/**
 * What a provider can do, as the hub's rules need to know it.
 *
 * @param deduplicatesByMessageId the engine drops a second send with the same hub message id, so a
 *                                send whose answer was lost may be repeated (the in-doubt rule does
 *                                not apply)
 * @param qr                      pairing by QR code ({@code GET /instances/:id/qr})
 * @param pairingCode             pairing by phone-number code
 * @param polls                   how polls are sent
 * @param recipientSpacing        minimum time between two attempts to one recipient (zero: none)
 */
public record ProviderCapabilities(boolean deduplicatesByMessageId, boolean qr, boolean pairingCode, Polls polls,
                                   Duration recipientSpacing) {

  /** How a provider carries polls. */
  public enum Polls { NATIVE, MAPPED, NONE }

  public ProviderCapabilities {
    Objects.requireNonNull(polls, "polls");
    recipientSpacing = recipientSpacing == null ? Duration.ZERO : recipientSpacing;
  }
}
