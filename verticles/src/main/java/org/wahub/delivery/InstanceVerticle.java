package org.wahub.delivery;

import org.wahub.inbound.InboundPipeline;
import org.wahub.inbound.InboundStore;
import org.wahub.outbound.OutboundGuard;
import org.wahub.provider.Inbound;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.Addresses;
import org.wahub.HubConfig;
import org.wahub.db.Pools;
import org.wahub.hub.instance.InstanceMachine;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.limit.Pacer;
import org.wahub.hub.limit.RollingWindowLimiter;
import org.wahub.hub.limit.WindowUsage;
import org.wahub.hub.send.AttemptResolver;
import org.wahub.hub.breaker.CircuitBreaker;
import org.wahub.hub.send.SendGate;
import org.wahub.instance.Instance;
import org.wahub.intake.LocalCodec;
import org.wahub.metrics.InstanceMeters;
import org.wahub.provider.ProviderCapabilities;
import org.wahub.provider.ProviderEvents;
import org.wahub.provider.ProviderSession;
import org.wahub.provider.ProviderType;
import org.wahub.provider.SessionContext;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Random;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * One WhatsApp instance as an actor, and nothing but glue: the {@link InstanceMachine} decides about
 * the session, the {@link SendGate} and {@link AttemptResolver} (through the {@link SendLoop}) about
 * sends; this class owns the timers, the bus, the store and the provider session and carries out
 * what they decide. {@link InstanceEffects} is the one place where the machine's commands, and so
 * every domain event of the instance, leave the actor.
 *
 * <p>The database is the truth: on start it rescues orphaned sends (in-doubt rule), rebuilds the
 * limiter from the attempts of the longest window and the ladder from the restarts of the restart
 * window, so a restart or redeploy never opens a fresh budget.
 */
public final class InstanceVerticle extends VerticleBase implements ProviderEvents, SendLoop.Host {

  private static final Logger LOG = LoggerFactory.getLogger(InstanceVerticle.class);

  private final Instance instance;
  private final String id;
  private final HubConfig config;
  private final PgConnectOptions connectOptions;
  private final ProviderType type;
  private final DeliverySettings settings;
  private final Clock clock;
  private final InstanceMeters metrics;
  /** Every call a provider makes out of the hub goes through it (DESIGN §12). */
  private final OutboundGuard outbound;
  private final Random random = new Random();

  private Pool pool;
  private DeliveryStore store;
  private InboundPipeline inbound;
  private ProviderSession session;
  private InstanceMachine machine;
  private SendGate gate;
  private SendLoop loop;
  private MessageConsumer<Object> ops;
  private MessageConsumer<Object> wakes;
  private InstanceEffects effects;
  private boolean closed;

  public InstanceVerticle(Instance instance, HubConfig config, PgConnectOptions connectOptions, ProviderType type,
                          OutboundGuard outbound, Clock clock, InstanceMeters metrics) {
    this.outbound = outbound;
    this.instance = instance;
    this.id = instance.id();
    this.config = config;
    this.connectOptions = connectOptions;
    this.type = type;
    this.settings = DeliverySettings.of(config, instance);
    this.clock = clock;
    this.metrics = metrics;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, config);
    Runnable eventsWritten = () -> org.wahub.event.EventSignal.written(vertx, instance.tenantId());
    store = new DeliveryStore(pool, eventsWritten);
    inbound = new InboundPipeline(new InboundStore(pool), instance.tenantId(), id, clock, type -> {
      eventsWritten.run();
      metrics.eventsWritten(java.util.List.of(type));
    });
    ProviderCapabilities caps = type.capabilities(instance.providerConfig());
    session = type.open(new SessionContext(vertx, config, id, instance.providerConfig(), pool, this, outbound));
    Instant now = clock.instant();
    return store.rescueOrphans(id, now, caps.deduplicatesByMessageId())
        .onSuccess(n -> {
          metrics.rescued(n, caps.deduplicatesByMessageId());
          if (n > 0) {
            LOG.warn("rescued interrupted sends {} {} {}", kv("instanceId", id), kv("count", n),
                kv("outcome", caps.deduplicatesByMessageId() ? "resend" : "in_doubt"));
          }
        })
        .compose(x -> store.attemptsSince(id, now.minus(settings.longestWindow())))
        .compose(attempts -> {
          Pacer pacer = new Pacer(settings.minInterval(), settings.jitter(), random);
          // a redeploy must not send the next message sooner than the pacing allows after the last one
          attempts.stream().max(Comparator.naturalOrder()).ifPresent(pacer::recordSend);
          gate = new SendGate(RollingWindowLimiter.rebuild(settings.windows(), attempts), pacer,
              new CircuitBreaker(settings.breakerMaxFailures(), Duration.ofMillis(settings.breakerResetMs())),
              caps.recipientSpacing());
          return store.restartsSince(id, now.minus(settings.reconnect().restartWindow()));
        })
        .compose(restarts -> {
          machine = new InstanceMachine(id, settings.reconnect(), restarts, now);
          loop = new SendLoop(vertx, id, store, session, gate, new AttemptResolver(settings.retry(),
              caps.deduplicatesByMessageId()), clock, random, settings, deploymentID(), this, metrics);
          effects = new InstanceEffects(vertx, id, clock, store, session, machine, loop, metrics);
          ops = vertx.eventBus().consumer(Addresses.instanceOps(id), this::onRequest);
          wakes = vertx.eventBus().consumer(Addresses.instanceWake(id), m -> loop.wake());
          return Future.join(ops.completion(), wakes.completion());
        })
        .onSuccess(x -> effects.on(at -> machine.boot(at, !"stopped".equals(instance.desiredState()))));
  }

  /**
   * Graceful stop: no new claims; an in-flight send finishes and is recorded (or its claim is
   * released), then the session closes. A clean restart therefore leaves nothing in doubt.
   */
  @Override
  public Future<?> stop() {
    closed = true;
    Future<Void> drained = loop == null ? Future.succeededFuture() : loop.stop();
    return drained
        // close, not stop: an undeploy is not an operator's stop (a remote session keeps running)
        .compose(x -> session == null ? Future.succeededFuture() : session.close().recover(e -> Future.succeededFuture()))
        .compose(x -> effects == null ? Future.succeededFuture() : effects.close())
        .compose(x -> inbound == null ? Future.succeededFuture() : inbound.drained())
        .eventually(() -> Future.join(unregister(ops), unregister(wakes)))
        .eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
  }

  private static Future<Void> unregister(MessageConsumer<?> consumer) {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private void logFailure(String what, Throwable e) {
    LOG.warn("{} {} {}", what, kv("instanceId", id), kv("error", String.valueOf(e)));
  }

  // ---------------------------------------------------------------- what the session and the loop report

  @Override
  public void stateChanged(InstanceState next, String reason) {
    if (!closed) {
      effects.on(now -> machine.onProviderState(now, next, reason));
    }
  }

  @Override
  public Future<Void> inbound(Inbound event) {
    // stored once, applied by the hub/ rules, announced in the outbox: all in the inbound package
    return inbound.accept(event).mapEmpty();
  }

  @Override
  public InstanceState state() {
    return machine.state();
  }

  @Override
  public void accountProblem(String reason) {
    if (!closed) {
      effects.on(now -> machine.onAccountProblem(now, reason));
    }
  }

  @Override
  public void noteError(String error) {
    machine.noteError(error);
  }

  // ---------------------------------------------------------------- requests over the bus

  private void onRequest(Message<Object> msg) {
    Object body = msg.body();
    Instant now = clock.instant();
    if (body instanceof InstanceRequest.Status) {
      status(now).onComplete(ar -> msg.reply(ar.succeeded() ? new InstanceReply.Status(ar.result())
          : new InstanceReply.Unavailable("status needs the database, which did not answer"), LocalCodec.options()));
      return;
    }
    if (body instanceof InstanceRequest.Qr) {
      session.qr().onComplete(ar -> msg.reply(new InstanceReply.Qr(ar.succeeded() && machine.state() == InstanceState.NEEDS_QR
          ? ar.result().orElse(null) : null, machine.state()), LocalCodec.options()));
      return;
    }
    if (body instanceof InstanceRequest.ProviderOperation op) {
      session.operation(op.name(), op.body()).onComplete(ar -> msg.reply(ar.succeeded()
          ? new InstanceReply.OperationDone(ar.result()) : new InstanceReply.OperationFailed(ar.cause()), LocalCodec.options()));
      return;
    }
    InstanceMachine.Step step;
    if (body instanceof InstanceRequest.Restart r) {
      step = machine.manualRestart(now, r.type());
    } else if (body instanceof InstanceRequest.Stop) {
      step = machine.operatorStop(now);
    } else if (body instanceof InstanceRequest.Start) {
      step = machine.operatorStart(now);
    } else {
      msg.fail(400, "unknown request " + body);
      return;
    }
    effects.execute(step.commands());
    msg.reply(new InstanceReply.Operator(step.reply()), LocalCodec.options());
  }

  private Future<JsonObject> status(Instant now) {
    return store.counters(id, now).map(db -> {
      JsonObject limits = new JsonObject();
      for (WindowUsage u : gate.limiter().usage(now)) {
        limits.put(u.name(), new JsonObject().put("used", u.used()).put("limit", u.limit())
            .put("windowMs", u.length().toMillis()));
      }
      Instant next = gate.nextAllowedSendAt(now);
      limits.put("nextAllowedSendAt", next.equals(Instant.MAX) ? null : next.toString());
      var ladder = machine.ladder();
      JsonObject reconnect = new JsonObject()
          .put("attempt", ladder.attempt())
          .put("nextAttemptAt", ladder.nextAttemptAt().map(Instant::toString).orElse(null))
          .put("restartsInWindow", ladder.restartsInWindow(now))
          .put("maxRestartsPerWindow", settings.reconnect().maxRestartsPerWindow())
          .put("restartRunning", machine.restartRunning());
      Instant wakeAt = loop.nextWakeAt();
      return new JsonObject()
          .put("id", id)
          .put("state", machine.state().name())
          .put("stateSince", machine.stateSince().toString())
          .put("queue", db.getJsonObject("queue"))
          .put("counters", db.getJsonObject("counters"))
          .put("limits", limits)
          .put("waitingFor", loop.waitingFor())
          .put("nextWakeAt", wakeAt == null ? null : wakeAt.toString())
          .put("reconnect", reconnect)
          .put("circuitBreaker", gate.breakerState(now).wire())
          .put("lastError", machine.lastError())
          .put("timeScale", settings.timeScale());
    });
  }
}
