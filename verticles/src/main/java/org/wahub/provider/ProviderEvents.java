package org.wahub.provider;

import io.vertx.core.Future;
import org.wahub.api.ApiError;

import java.util.ArrayList;
import java.util.List;

import org.wahub.hub.instance.InstanceState;

/** What a session tells its instance, always on the instance's own context. */
public interface ProviderEvents {

  /** The session changed state on its own (paired, disconnected, logged out, QR needed …). */
  void stateChanged(InstanceState state, String reason);

  /**
   * Something the provider heard on its own: a receipt for a sent message, an inbound message, a
   * poll vote. The instance stores each once per provider event id. Completes once the item is
   * durable (or known as a duplicate) and fails when it could not be stored: a provider that was
   * told by a webhook answers only then, so an item the hub lost is sent again by the provider.
   */
  Future<Void> inbound(Inbound event);

  /**
   * Every item, in order; fails with {@code 503 inbound_not_stored} when any could not be stored,
   * which a provider webhook route passes on so the provider delivers the webhook again (a replay of
   * what was stored is ignored by the event id).
   */
  default Future<Void> inboundAll(List<? extends Inbound> items) {
    List<Future<Void>> stored = new ArrayList<>();
    for (Inbound item : items) {
      stored.add(inbound(item));
    }
    return Future.all(stored).<Void>mapEmpty().recover(e -> Future.failedFuture(new ApiError(503, "inbound_not_stored",
        "Not stored", "the hub could not store what this webhook carried; send it again")));
  }
}
