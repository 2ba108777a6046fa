package org.wahub.delivery;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.TimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.LadderDecision;
import org.wahub.hub.instance.ManualRestartDecision;
import org.wahub.hub.instance.ReconnectLadder;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.limit.Pacer;
import org.wahub.hub.limit.RollingWindowLimiter;
import org.wahub.hub.limit.WindowUsage;
import org.wahub.hub.retry.RetryDecision;
import org.wahub.hub.retry.SendError;
import org.wahub.instance.Instance;
import org.wahub.provider.OutboundMessage;
import org.wahub.provider.Provider;
import org.wahub.provider.ProviderEvents;
import org.wahub.provider.SendFailure;
import org.wahub.provider.SendOutcome;
import org.wahub.provider.SimulatorProvider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * One WhatsApp instance as an actor: it owns the provider session, the state machine, the rolling
 * window limiter, the pacer, the reconnect ladder and the circuit breaker, and runs a single-flight
 * send loop on re-armed one-shot timers (none when nothing is due). Its fields are touched only on
 * its own context; everyone else asks over {@link Addresses#instanceOps}.
 *
 * <p>The database is the truth: on start it rescues orphaned sends (in-doubt rule), rebuilds the
 * limiter from the attempts of the longest window and the ladder from the restarts of the restart
 * window, so a restart or redeploy never opens a fresh budget.
 */
public final class InstanceVerticle extends VerticleBase implements ProviderEvents {

  private static final Logger LOG = LoggerFactory.getLogger(InstanceVerticle.class);
  private static final Duration DB_RETRY = Duration.ofSeconds(2);
  private static final Duration EXPIRY_CHECK_EVERY = Duration.ofSeconds(1);

  /** Builds the provider once the verticle's context exists. */
  @FunctionalInterface
  public interface ProviderFactory {
    Provider create(InstanceVerticle verticle, Pool pool);
  }

  private final Instance instance;
  private final String id;
  private final HubConfig config;
  private final PgConnectOptions connectOptions;
  private final ProviderFactory providerFactory;
  private final DeliverySettings settings;
  private final Clock clock = Clock.systemUTC();
  private final Random random = new Random();

  private Pool pool;
  private DeliveryStore store;
  private Provider provider;
  private CircuitBreaker breaker;
  private RollingWindowLimiter limiter;
  private Pacer pacer;
  private ReconnectLadder ladder;
  private String owner;
  private MessageConsumer<JsonObject> ops;
  private MessageConsumer<Object> wakes;

  private InstanceState state = InstanceState.STARTING;
  private Instant stateSince;
  private String lastError;
  private Future<Void> stateWrites = Future.succeededFuture();

  private long loopTimer = -1;
  private Instant loopTimerAt;
  private boolean busy;
  private boolean wakePending;
  private Instant lastExpiryCheck;
  private boolean closed;
  private Promise<Void> idle;
  private String waitingFor = "nothing";

  private long ladderTimer = -1;
  private int restartEpisode;
  private boolean restartRunning;

  public InstanceVerticle(Instance instance, HubConfig config, PgConnectOptions connectOptions,
                          ProviderFactory providerFactory) {
    this.instance = instance;
    this.id = instance.id();
    this.config = config;
    this.connectOptions = connectOptions;
    this.providerFactory = providerFactory;
    this.settings = DeliverySettings.of(config, instance);
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, config);
    store = new DeliveryStore(pool);
    owner = deploymentID();
    provider = providerFactory.create(this, pool);
    breaker = CircuitBreaker.create("instance-" + id, vertx, new CircuitBreakerOptions()
        .setNotificationAddress(null)
        .setMaxFailures(settings.breakerMaxFailures())
        .setResetTimeout(settings.breakerResetMs())
        .setTimeout(settings.sendTimeoutMs()));
    pacer = new Pacer(settings.minInterval(), settings.jitter(), random);
    stateSince = clock.instant();
    Instant now = clock.instant();
    return store.rescueOrphans(id, now, provider.deduplicatesByMessageId())
        .onSuccess(n -> {
          if (n > 0) {
            LOG.warn("rescued interrupted sends {} {} {}", kv("instanceId", id), kv("count", n),
                kv("outcome", provider.deduplicatesByMessageId() ? "resend" : "in_doubt"));
          }
        })
        .compose(x -> store.attemptsSince(id, now.minus(settings.longestWindow())))
        .compose(attempts -> {
          limiter = RollingWindowLimiter.rebuild(settings.windows(), attempts);
          return store.restartsSince(id, now.minus(settings.reconnect().restartWindow()));
        })
        .compose(restarts -> {
          ladder = ReconnectLadder.rebuild(settings.reconnect(), restarts);
          ops = vertx.eventBus().consumer(Addresses.instanceOps(id), this::onOp);
          wakes = vertx.eventBus().consumer(Addresses.instanceWake(id), m -> wake());
          return Future.join(ops.completion(), wakes.completion());
        })
        .compose(x -> {
          if ("stopped".equals(instance.desiredState())) {
            moveTo(InstanceState.STOPPED, "stopped by an operator", "state");
            return Future.succeededFuture();
          }
          return provider.start();
        });
  }

  /**
   * Graceful stop: no new claims; an in-flight send finishes and is recorded (or its claim is
   * released), then the session closes. A clean restart therefore leaves nothing in doubt.
   */
  @Override
  public Future<?> stop() {
    closed = true;
    cancelLoopTimer();
    cancelLadderTimer();
    Future<Void> drained;
    if (busy) {
      idle = Promise.promise();
      drained = idle.future();
    } else {
      drained = Future.succeededFuture();
    }
    return drained
        .compose(x -> provider == null ? Future.succeededFuture() : provider.stop().recover(e -> Future.succeededFuture()))
        .compose(x -> stateWrites.recover(e -> Future.succeededFuture()))
        .eventually(() -> {
          if (breaker != null) {
            breaker.close();
          }
          Future<Void> a = ops == null ? Future.succeededFuture() : ops.unregister();
          Future<Void> b = wakes == null ? Future.succeededFuture() : wakes.unregister();
          return Future.join(a, b);
        })
        .eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
  }

  // ---------------------------------------------------------------- the send loop

  private void wake() {
    if (closed) {
      return;
    }
    if (busy) {
      wakePending = true; // looked at again as soon as the current step is done
      return;
    }
    cancelLoopTimer();
    tick();
  }

  /** Arms the one loop timer for {@code at}, unless an earlier one is already armed. */
  private void arm(Instant at) {
    if (closed || at == null || at.equals(Instant.MAX)) {
      return;
    }
    if (loopTimer != -1 && loopTimerAt != null && !at.isBefore(loopTimerAt)) {
      return;
    }
    cancelLoopTimer();
    long delay = Math.max(1, Duration.between(clock.instant(), at).toMillis() + 1);
    loopTimerAt = at;
    loopTimer = vertx.setTimer(delay, t -> {
      loopTimer = -1;
      loopTimerAt = null;
      tick();
    });
  }

  private void cancelLoopTimer() {
    if (loopTimer != -1) {
      vertx.cancelTimer(loopTimer);
      loopTimer = -1;
      loopTimerAt = null;
    }
  }

  private void tick() {
    if (closed || busy) {
      return;
    }
    Instant now = clock.instant();
    if (!state.canSend()) {
      expireOnly(now);
      return;
    }
    Instant limitAt = limiter.nextAllowedAt(now);
    if (limitAt.isAfter(now)) {
      waitingFor = "rate_limit";
      arm(limitAt);
      return;
    }
    Instant paceAt = pacer.nextAllowedAt(now);
    if (paceAt.isAfter(now)) {
      waitingFor = "pacing";
      arm(paceAt);
      return;
    }
    if (breaker.state() == CircuitBreakerState.OPEN) {
      // no claim (and no counted attempt) while the provider is known to be failing
      waitingFor = "circuit_open";
      arm(now.plusSeconds(1));
      return;
    }
    busy = true;
    Instant leaseUntil = now.plusMillis(settings.leaseMs());
    claimOrExpire(now, leaseUntil).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("claim failed, retrying {} {}", kv("instanceId", id), kv("error", ar.cause().toString()));
        waitingFor = "database";
        done();
        arm(clock.instant().plus(DB_RETRY));
        return;
      }
      DeliveryStore.Claimed claimed = ar.result();
      if (claimed == null) {
        done();
        scheduleNextDue();
        return;
      }
      waitingFor = "send_in_flight";
      send(claimed);
    });
  }

  /**
   * Claims the next due message. Expiry runs only when nothing could be claimed (an expired head
   * may be what holds its chat back), which keeps the common path at one statement.
   */
  private Future<DeliveryStore.Claimed> claimOrExpire(Instant now, Instant leaseUntil) {
    return store.claim(id, now, owner, leaseUntil).compose(claimed -> claimed != null
        ? Future.succeededFuture(claimed)
        : store.expireDue(id, now).compose(expired -> expired == 0
            ? Future.succeededFuture(null)
            : store.claim(id, now, owner, leaseUntil)));
  }

  /**
   * While the session cannot send, messages still expire on time: expire what is due and sleep
   * until the next expiry (no timer if nothing can expire).
   */
  private void expireOnly(Instant now) {
    // every accepted message wakes its instance: while it cannot send, a burst of intake must not
    // become a burst of expiry statements, so they run at most once per EXPIRY_CHECK_EVERY
    if (lastExpiryCheck != null && now.isBefore(lastExpiryCheck.plus(EXPIRY_CHECK_EVERY))) {
      arm(lastExpiryCheck.plus(EXPIRY_CHECK_EVERY));
      return;
    }
    lastExpiryCheck = now;
    busy = true;
    store.expireDue(id, now).compose(x -> store.nextExpiry(id)).onComplete(ar -> {
      done();
      if (ar.succeeded() && ar.result() != null && !closed && !state.canSend()) {
        arm(ar.result());
      }
    });
  }

  /** Nothing due now: sleep until the next head is due (or expires); no timer if there is none. */
  private void scheduleNextDue() {
    if (closed) {
      return;
    }
    store.nextDue(id).onComplete(ar -> {
      if (ar.failed()) {
        waitingFor = "database";
        arm(clock.instant().plus(DB_RETRY));
        return;
      }
      Instant due = ar.result().due();
      Instant expiry = ar.result().expiry();
      Instant next = due == null ? expiry : (expiry == null || due.isBefore(expiry) ? due : expiry);
      waitingFor = next == null ? "nothing" : "next_due";
      if (next != null) {
        arm(next);
      }
    });
  }

  private void send(DeliveryStore.Claimed c) {
    if (closed) {
      // stop() came while the claim was on its way: hand nothing over, give the claim back
      persist(() -> store.release(c, clock.instant()), c);
      return;
    }
    OutboundMessage message = new OutboundMessage(c.id().toString(), id, c.chatId(), c.recipient(), c.kind(),
        c.content(), c.attempts());
    breaker.<SendOutcome>execute(p -> provider.send(message).onComplete(p)).onComplete(ar -> {
      // the attempt counts from when the provider answered: never earlier than WhatsApp saw it, so
      // the windows hold on the phone's side too, whatever the claim-to-hand-off latency was
      Instant now = clock.instant();
      limiter.record(now);
      pacer.recordSend(now);
      if (ar.succeeded()) {
        if (ar.result() instanceof SendOutcome.Sent sent) {
          persist(() -> store.completeSent(c, sent.providerMessageId(), now), c);
        } else {
          SendError e = ((SendOutcome.Rejected) ar.result()).error();
          lastError = e.code() + ": " + e.reason();
          persist(() -> store.finish(c, "failed", e.code(), e.reason(), now), c);
        }
        return;
      }
      SendError error;
      boolean maybeDelivered;
      Throwable cause = ar.cause();
      if (cause instanceof SendFailure f) {
        error = f.error();
        maybeDelivered = f.maybeDelivered();
      } else if (cause instanceof OpenCircuitException) {
        error = SendError.retriable(SendError.CIRCUIT_OPEN, "circuit breaker open after repeated provider failures");
        maybeDelivered = false;
      } else if (cause instanceof TimeoutException) {
        error = SendError.retriable(SendError.TIMEOUT, "no answer from the provider within " + settings.sendTimeoutMs() + " ms");
        maybeDelivered = true;
      } else {
        error = SendError.retriable(SendError.UNKNOWN, String.valueOf(cause));
        maybeDelivered = true;
      }
      lastError = error.code() + ": " + error.reason();
      if (maybeDelivered && !provider.deduplicatesByMessageId()) {
        // it may be on the phone: sending again could duplicate it, so a human decides
        persist(() -> store.finish(c, "in_doubt", error.code(), error.reason(), now), c);
        return;
      }
      RetryDecision decision = settings.retry().decide(c.attempts(), error, now, random);
      if (decision instanceof RetryDecision.RetryAt at) {
        persist(() -> store.retryLater(c, at.at(), error.code(), error.reason(), now), c);
      } else {
        RetryDecision.Fail fail = (RetryDecision.Fail) decision;
        persist(() -> store.finish(c, "failed", fail.code(), fail.reason(), now), c);
      }
    });
  }

  /**
   * Records a send's outcome. The outcome is known, so losing it would turn a clean result into an
   * in-doubt one: retry the write until it lands or the verticle stops (then the claim's lease
   * and the start-up rescue take over).
   */
  private void persist(Supplier<Future<Boolean>> write, DeliveryStore.Claimed c) {
    write.get().onComplete(ar -> {
      if (ar.failed()) {
        if (!closed) {
          LOG.warn("could not record a send outcome, retrying {} {} {}", kv("instanceId", id),
              kv("messageId", c.id()), kv("error", ar.cause().toString()));
          vertx.setTimer(DB_RETRY.toMillis(), t -> persist(write, c));
          return;
        }
        LOG.error("send outcome not recorded before shutdown {} {}", kv("instanceId", id), kv("messageId", c.id()));
      } else if (!ar.result()) {
        LOG.warn("stale completion rejected: the claim was taken over {} {}", kv("instanceId", id), kv("messageId", c.id()));
      }
      done();
      tick();
    });
  }

  private void done() {
    busy = false;
    if (closed && idle != null) {
      idle.tryComplete();
    } else if (wakePending) {
      wakePending = false;
      vertx.runOnContext(v -> wake());
    }
  }

  // ---------------------------------------------------------------- session and reconnect ladder

  @Override
  public void stateChanged(InstanceState next, String reason) {
    if (closed || next == state) {
      return;
    }
    if (state == InstanceState.STOPPED) {
      return; // an operator stopped it: the session's chatter does not restart anything
    }
    Instant now = clock.instant();
    switch (next) {
      case READY -> {
        moveTo(next, null, "state");
        ladder.onReady(now);
        cancelLadderTimer();
        wake();
      }
      case DISCONNECTED -> {
        if (restartRunning) {
          return; // part of the restart under way, which reports its own outcome
        }
        moveTo(next, reason, "disconnected");
        follow(ladder.onDisconnect(now));
      }
      case NEEDS_QR, AUTH_FAILURE -> {
        moveTo(next, reason, "state");
        cancelLadderTimer();
        ladder.onHardStop(next);
      }
      default -> moveTo(next, reason, "state");
    }
  }

  @Override
  public void receipt(String providerMessageId, String status) {
    store.receipt(id, providerMessageId, status, clock.instant()).onFailure(e ->
        LOG.warn("receipt not recorded {} {}", kv("instanceId", id), kv("error", e.toString())));
  }

  private void follow(LadderDecision decision) {
    cancelLadderTimer();
    if (closed) {
      return;
    }
    if (decision instanceof LadderDecision.RestartAt at) {
      armLadder(at.at());
    } else if (decision instanceof LadderDecision.WaitUntil wait) {
      armLadder(wait.until());
    } else if (decision instanceof LadderDecision.GiveUp giveUp) {
      moveTo(InstanceState.FAILED, "reconnect ladder exhausted after " + giveUp.attempts()
          + " failed attempts; restart it by hand (POST /instances/" + id + "/restart)", "state");
    }
    // HardStop and Idle: nothing to do until a human or the session acts
  }

  private void armLadder(Instant at) {
    cancelLadderTimer();
    long delay = Math.max(1, Duration.between(clock.instant(), at).toMillis() + 1);
    ladderTimer = vertx.setTimer(delay, t -> {
      ladderTimer = -1;
      onLadderTimer();
    });
  }

  /** The ladder's timer fired: a planned restart is due, a window wait ended, or a restart timed out. */
  private void onLadderTimer() {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    LadderDecision step = ladder.nextStep(now);
    if (restartRunning) {
      if (step instanceof LadderDecision.WaitUntil wait) {
        armLadder(wait.until());
        return;
      }
      // past its timeout the ladder has counted the running restart as failed
      restartRunning = false;
      restartEpisode++;
      moveTo(InstanceState.DISCONNECTED, "restart timed out", "state");
      follow(step);
      return;
    }
    if (step instanceof LadderDecision.RestartAt due && !due.at().isAfter(now)) {
      ladder.onRestartStarted(now, due.type());
      runRestart(due.type(), false);
      return;
    }
    follow(step);
  }

  private void cancelLadderTimer() {
    if (ladderTimer != -1) {
      vertx.cancelTimer(ladderTimer);
      ladderTimer = -1;
    }
  }

  /** Starts a restart (already recorded in the ladder by the caller) and follows its outcome. */
  private void runRestart(RestartType type, boolean manual) {
    restartRunning = true;
    int episode = ++restartEpisode;
    Instant now = clock.instant();
    moveTo(InstanceState.RESTARTING, (manual ? "manual " : "automatic ") + type.wire() + " restart", "state");
    store.event(id, now, "restart", (manual ? "manual " : "automatic ") + type.wire());
    cancelLadderTimer();
    armLadder(now.plus(settings.reconnect().timeoutOf(type)));
    provider.restart(type).onComplete(ar -> {
      if (closed || episode != restartEpisode) {
        return; // timed out meanwhile, or superseded
      }
      restartRunning = false;
      if (ar.succeeded()) {
        if (state != InstanceState.READY) {
          stateChanged(InstanceState.READY, null);
        }
        return;
      }
      if (state.isHardStop()) {
        return;
      }
      moveTo(InstanceState.DISCONNECTED, "restart failed: " + ar.cause().getMessage(), "state");
      follow(ladder.onRestartFailed(clock.instant()));
    });
  }

  /** Moves the state machine and persists the change (writes are chained, so they land in order). */
  private void moveTo(InstanceState next, String reason, String eventKind) {
    if (next == state) {
      return;
    }
    if (!state.canTransitionTo(next)) {
      LOG.warn("ignoring illegal state change {} {} {}", kv("instanceId", id), kv("from", state), kv("to", next));
      return;
    }
    InstanceState previous = state;
    state = next;
    stateSince = clock.instant();
    if (reason != null) {
      lastError = reason;
    }
    LOG.info("instance state {} {} {} {}", kv("instanceId", id), kv("from", previous), kv("to", next), kv("reason", reason));
    Instant at = stateSince;
    stateWrites = stateWrites.recover(e -> Future.succeededFuture())
        .compose(x -> store.setState(id, next.name(), previous.name(), at, reason, eventKind))
        .onFailure(e -> LOG.warn("state not persisted {} {}", kv("instanceId", id), kv("error", e.toString())));
    if (!next.canSend()) {
      waitingFor = "state_" + next.name();
    }
    wake();
  }

  // ---------------------------------------------------------------- operations over the bus

  private void onOp(Message<JsonObject> msg) {
    JsonObject body = msg.body() == null ? new JsonObject() : msg.body();
    String action = body.getString("action", "");
    switch (action) {
      case "status" -> status().onComplete(ar -> msg.reply(ar.succeeded() ? ok(ar.result())
          : error(503, "unavailable", "status needs the database: " + ar.cause().getMessage())));
      case "restart" -> msg.reply(manualRestart(body.getString("type")));
      case "stop" -> msg.reply(stopSession());
      case "start" -> msg.reply(startSession());
      case "qr" -> msg.reply(provider.qr().map(q -> ok(new JsonObject().put("qr", q).put("state", state.name())))
          .orElse(error(409, "no_qr", "a QR code exists only while the instance is NEEDS_QR (now " + state + ")")));
      case "simulate" -> {
        if (!(provider instanceof SimulatorProvider sim)) {
          msg.reply(error(409, "not_a_simulator", "only simulator instances accept simulated events"));
          return;
        }
        sim.simulate(body.getJsonObject("command", new JsonObject())).onComplete(ar -> msg.reply(ar.succeeded()
            ? ok(ar.result())
            : error(400, "invalid_simulation", ar.cause().getMessage())));
      }
      default -> msg.reply(error(400, "unknown_action", "unknown action " + action));
    }
  }

  private JsonObject manualRestart(String rawType) {
    var type = RestartType.parse(rawType == null ? "" : rawType);
    if (type.isEmpty()) {
      return error(400, "invalid_restart_type", "type must be \"soft\" or \"hard\"");
    }
    if (state == InstanceState.STOPPED) {
      return error(409, "instance_stopped", "the instance is stopped; POST /instances/" + id + "/start first");
    }
    if (restartRunning) {
      return error(409, "restart_in_progress", "a restart is already running");
    }
    Instant now = clock.instant();
    ManualRestartDecision decision = ladder.manualRestart(now, type.get());
    if (decision instanceof ManualRestartDecision.Exhausted exhausted) {
      return error(429, "restart_window_exhausted", "at most " + settings.reconnect().maxRestartsPerWindow()
          + " restarts per window; the next is allowed at " + exhausted.retryAt())
          .put("retryAfter", exhausted.retryAfterSeconds(now));
    }
    runRestart(type.get(), true);
    return ok(new JsonObject().put("restart", type.get().wire()).put("state", state.name())).put("status", 202);
  }

  private JsonObject stopSession() {
    if (state == InstanceState.STOPPED) {
      return ok(new JsonObject().put("state", state.name()));
    }
    cancelLadderTimer();
    restartEpisode++;
    restartRunning = false;
    moveTo(InstanceState.STOPPED, "stopped by an operator", "state");
    store.setDesired(id, "stopped");
    provider.stop();
    return ok(new JsonObject().put("state", state.name()));
  }

  private JsonObject startSession() {
    if (state != InstanceState.STOPPED) {
      return error(409, "instance_not_stopped", "the instance is " + state + "; use restart instead");
    }
    moveTo(InstanceState.STARTING, "started by an operator", "state");
    store.setDesired(id, "running");
    provider.start();
    return ok(new JsonObject().put("state", state.name())).put("status", 202);
  }

  private Future<JsonObject> status() {
    Instant now = clock.instant();
    return store.counters(id, now).map(db -> {
      JsonObject limits = new JsonObject();
      for (WindowUsage u : limiter.usage(now)) {
        limits.put(u.name(), new JsonObject().put("used", u.used()).put("limit", u.limit())
            .put("windowMs", u.length().toMillis()));
      }
      Instant nextAllowed = limiter.nextAllowedAt(now);
      Instant paced = pacer.nextAllowedAt(now);
      Instant next = nextAllowed.isAfter(paced) ? nextAllowed : paced;
      limits.put("nextAllowedSendAt", next.equals(Instant.MAX) ? null : next.toString());
      JsonObject reconnect = new JsonObject()
          .put("attempt", ladder.attempt())
          .put("nextAttemptAt", ladder.nextAttemptAt().map(Instant::toString).orElse(null))
          .put("restartsInWindow", ladder.restartsInWindow(now))
          .put("maxRestartsPerWindow", settings.reconnect().maxRestartsPerWindow())
          .put("restartRunning", restartRunning);
      return new JsonObject()
          .put("id", id)
          .put("state", state.name())
          .put("stateSince", stateSince.toString())
          .put("queue", db.getJsonObject("queue"))
          .put("counters", db.getJsonObject("counters"))
          .put("limits", limits)
          .put("waitingFor", waitingFor)
          .put("nextWakeAt", loopTimerAt == null ? null : loopTimerAt.toString())
          .put("reconnect", reconnect)
          .put("circuitBreaker", breakerState())
          .put("lastError", lastError)
          .put("timeScale", settings.timeScale());
    });
  }

  private String breakerState() {
    return switch (breaker.state()) {
      case OPEN -> "open";
      case HALF_OPEN -> "half_open";
      default -> "closed";
    };
  }

  static JsonObject ok(JsonObject body) {
    return new JsonObject().put("status", 200).put("body", body);
  }

  static JsonObject error(int status, String code, String detail) {
    return new JsonObject().put("status", status)
        .put("error", new JsonObject().put("code", code).put("detail", detail));
  }

  io.vertx.core.Vertx vertxInstance() {
    return vertx;
  }
}
