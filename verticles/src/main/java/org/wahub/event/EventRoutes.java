package org.wahub.event;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.ext.web.RoutingContext;
import org.wahub.Addresses;
import org.wahub.HubConfig;
import org.wahub.api.Access;
import org.wahub.api.ApiError;
import org.wahub.api.ApiRoutes;
import org.wahub.api.Problems;
import org.wahub.auth.Authenticator;
import org.wahub.hub.event.EventFilter;
import org.wahub.hub.event.EventPosition;
import org.wahub.hub.validation.FieldError;
import org.wahub.instance.InstanceStore;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /events}: the tenant's domain events as Server-Sent Events (PROVIDERS §4), live and
 * with replay from the outbox. Query: {@code types} (comma-separated event types; default all),
 * {@code instance} (one of the tenant's instances), {@code after} (a position token; the
 * {@code Last-Event-ID} header of a reconnect wins over it). Without either the stream starts at
 * the end: only what happens from now on.
 *
 * <p>One per ApiVerticle: it owns the streams of its event loop and one local consumer of
 * {@link Addresses#EVENTS_COMMITTED}, which wakes the streams of the tenant that committed events
 * (all of them when the LISTEN connection was re-established). Streams never poll.
 */
public final class EventRoutes {

  private final Vertx vertx;
  private final EventLog log;
  private final InstanceStore instances;
  private final HubConfig config;
  /** Open streams by tenant, all on this verticle's event loop. */
  private final Map<String, Set<EventStream>> streams = new HashMap<>();
  private MessageConsumer<String> wakes;

  public EventRoutes(Vertx vertx, EventLog log, InstanceStore instances, HubConfig config) {
    this.vertx = vertx;
    this.log = log;
    this.instances = instances;
    this.config = config;
  }

  public void mount(ApiRoutes routes) {
    routes.get("/events", Access.TENANT, this::open);
    wakes = vertx.eventBus().localConsumer(Addresses.EVENTS_COMMITTED, m -> wake(m.body()));
  }

  /** Ends every stream and stops listening (the verticle stops). */
  public Future<Void> close() {
    List.copyOf(streams.values()).forEach(set -> List.copyOf(set).forEach(s -> s.end("the hub is shutting down")));
    return wakes == null ? Future.succeededFuture() : wakes.unregister();
  }

  /** How many streams this event loop serves (tests, metrics). */
  public int open() {
    return streams.values().stream().mapToInt(Set::size).sum();
  }

  private void wake(String tenantId) {
    if (tenantId == null || Addresses.EVENTS_ALL_TENANTS.equals(tenantId)) {
      List.copyOf(streams.values()).forEach(set -> List.copyOf(set).forEach(EventStream::wake));
    } else {
      Set<EventStream> set = streams.get(tenantId);
      if (set != null) {
        List.copyOf(set).forEach(EventStream::wake);
      }
    }
  }

  private void open(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    EventFilter.Parsed types = EventFilter.parseTypes(single(ctx, "types"), "/types");
    if (!types.ok()) {
      Problems.respond(ctx, ApiError.validation(types.errors()));
      return;
    }
    String instance = single(ctx, "instance");
    if (instance != null && !org.wahub.instance.Instance.ID.matcher(instance).matches()) {
      Problems.respond(ctx, ApiError.validation(List.of(new FieldError("/instance", FieldError.INVALID_VALUE,
          "not an instance id"))));
      return;
    }
    String lastEventId = ctx.request().getHeader("Last-Event-ID");
    String afterRaw = lastEventId != null ? lastEventId : single(ctx, "after");
    Optional<EventPosition> after = afterRaw == null ? Optional.empty() : EventPosition.parse(afterRaw.trim());
    if (afterRaw != null && after.isEmpty()) {
      String where = lastEventId != null ? "/headers/Last-Event-ID" : "/after";
      Problems.respond(ctx, ApiError.validation(List.of(new FieldError(where, FieldError.INVALID_VALUE,
          "not an event position; use the id of an event this stream sent (\"<tx>-<seq>\"), or 0-0 for all retained"))));
      return;
    }
    EventFilter filter = new EventFilter(types.types(), instance);
    Future<Boolean> known = instance == null ? Future.succeededFuture(true)
        : instances.get(tenantId, instance).map(Optional::isPresent);
    known.compose(found -> {
      if (!found) {
        return Future.failedFuture(ApiError.notFound("instance " + instance));
      }
      return after.map(Future::succeededFuture).orElseGet(() -> log.end(tenantId));
    }).onComplete(ar -> {
      if (ar.failed()) {
        Problems.respond(ctx, ar.cause() instanceof ApiError ? ar.cause()
            : ApiError.unavailable("the event log did not answer; try again"));
        return;
      }
      if (ctx.response().closed()) {
        return;
      }
      EventStream stream = new EventStream(vertx, ctx.request(), ctx.response(), log, tenantId, filter, ar.result(),
          config.eventsPageSize(), config.eventsPing().toMillis(), config.eventsSlowClient().toMillis(),
          s -> forget(tenantId, s));
      streams.computeIfAbsent(tenantId, t -> new LinkedHashSet<>()).add(stream);
      stream.start();
    });
  }

  private void forget(String tenantId, EventStream s) {
    Set<EventStream> set = streams.get(tenantId);
    if (set != null && set.remove(s) && set.isEmpty()) {
      streams.remove(tenantId);
    }
  }

  /** A query parameter given at most once (a repeated one is ambiguous: 400). */
  private static String single(RoutingContext ctx, String name) {
    List<String> all = ctx.queryParam(name);
    if (all.size() > 1) {
      throw ApiError.validation(List.of(new FieldError("/" + name, FieldError.INVALID_VALUE, "given more than once")));
    }
    return all.isEmpty() ? null : all.get(0);
  }
}
