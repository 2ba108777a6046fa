package org.wahub.provider;

import org.wahub.hub.instance.InstanceState;

/** What a provider tells its InstanceVerticle, always on the verticle's own context. */
public interface ProviderEvents {

  /** The session changed state on its own (paired, disconnected, logged out, QR needed …). */
  void stateChanged(InstanceState state, String reason);

  /** The provider reports that a sent message was delivered or read. */
  void receipt(String providerMessageId, String status);
}
