package org.wahub.inbound;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.hub.event.EventType;
import org.wahub.provider.Inbound;

import java.time.Clock;
import java.util.function.Consumer;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * One instance's inbound items on their way into the {@link InboundStore}, one at a time in arrival
 * order: the items of an instance never race each other (a vote and its change, a delivered and a
 * read receipt), and their events land in the outbox in the order the provider reported them. The
 * instance's verticle owns it and calls it on its own context.
 */
public final class InboundPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(InboundPipeline.class);

  private final InboundStore store;
  private final String tenantId;
  private final String instanceId;
  private final Clock clock;
  private final Consumer<EventType> eventWritten;
  private Future<?> tail = Future.succeededFuture();

  /** {@code eventWritten} is told, after the commit, of each outbox event an item wrote. */
  public InboundPipeline(InboundStore store, String tenantId, String instanceId, Clock clock,
                         Consumer<EventType> eventWritten) {
    this.store = store;
    this.tenantId = tenantId;
    this.instanceId = instanceId;
    this.clock = clock;
    this.eventWritten = eventWritten;
  }

  /** Stores the item after the ones before it; completes once it is durable (or known to be a duplicate). */
  public Future<InboundStore.Result> accept(Inbound item) {
    Future<InboundStore.Result> stored = tail.transform(ignored -> store.store(tenantId, instanceId, item, clock.instant()))
        .onSuccess(r -> {
          if (r.event() != null) {
            eventWritten.accept(r.event());
          }
        })
        .onSuccess(r -> LOG.debug("inbound item {} {} {} {}", kv("instanceId", instanceId),
            kv("kind", item.getClass().getSimpleName()), kv("providerEventId", item.providerEventId()),
            kv("outcome", r.outcome())))
        .onFailure(e -> LOG.warn("inbound item not stored {} {} {} {}", kv("instanceId", instanceId),
            kv("kind", item.getClass().getSimpleName()), kv("providerEventId", item.providerEventId()),
            kv("error", String.valueOf(e))));
    tail = stored;
    return stored;
  }

  /** Completes when every item handed in so far is stored or failed (for a graceful stop). */
  public Future<Void> drained() {
    return tail.<Void>transform(ignored -> Future.succeededFuture());
  }
}
