package org.wahub.provider;

import io.vertx.core.Future;
import org.wahub.hub.instance.RestartType;

import java.util.Optional;

/**
 * One WhatsApp session as the hub drives it. Implementations run on their InstanceVerticle's
 * context and report session changes through {@link ProviderEvents}; none of their futures may
 * block.
 */
public interface Provider {

  /**
   * True when the provider drops a second send with the same message id: then a send whose
   * outcome is unknown is simply resent with that id instead of being marked in doubt.
   */
  boolean deduplicatesByMessageId();

  /** Opens the session; its state arrives later through {@link ProviderEvents#stateChanged}. */
  Future<Void> start();

  /** Restarts the session; completes when it is READY again, fails when the restart failed. */
  Future<Void> restart(RestartType type);

  /** Closes the session (operator stop, undeploy, shutdown). */
  Future<Void> stop();

  /**
   * Hands one message over. Completes with {@link SendOutcome.Sent} or {@link SendOutcome.Rejected}
   * (a permanent refusal, not a provider fault); fails with {@link SendFailure} for retriable faults.
   */
  Future<SendOutcome> send(OutboundMessage message);

  /** The pairing QR code while the session needs one. */
  Optional<String> qr();
}
