package org.wahub.event;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.wahub.Addresses;

/**
 * How a writer says "I committed events of this tenant": after the commit, never inside it. A
 * {@code NOTIFY} inside the writing transaction (the trigger V9 had) takes PostgreSQL's global
 * notify lock at commit and so serializes every sending transaction's commit: the drain lost a
 * third of its sends to it (bench/README.md). Instead each node's {@link EventNotifier} wakes its
 * own readers from this signal and notifies the other nodes with one NOTIFY per short gap.
 */
public final class EventSignal {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private EventSignal() {
  }

  /** Call after the commit of a statement that wrote events of {@code tenantId} (any thread). */
  public static void written(Vertx vertx, String tenantId) {
    vertx.eventBus().publish(Addresses.EVENTS_WRITTEN, tenantId, LOCAL);
  }
}
