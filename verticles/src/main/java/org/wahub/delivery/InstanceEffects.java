package org.wahub.delivery;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.hub.event.EventRules;
import org.wahub.hub.event.EventType;
import org.wahub.hub.instance.InstanceCommand;
import org.wahub.hub.instance.InstanceMachine;
import org.wahub.metrics.InstanceMeters;
import org.wahub.provider.ProviderSession;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The command executor of one instance: the one place where the {@link InstanceMachine}'s
 * {@link InstanceCommand}s leave the actor (DESIGN §2a). It arms the ladder timer, drives the
 * session, counts the metrics, and persists every state change together with its domain events
 * ({@link EventRules#forStateChange}) in one statement, so instance.state_changed,
 * instance.needs_qr and instance.failed exist iff the state row changed. What the session and the
 * timers report goes back into the machine through {@link #on}, and its answer is executed here.
 *
 * <p>Belongs to the instance's verticle and runs on its context only (no locks, plain fields).
 */
final class InstanceEffects {

  private static final Logger LOG = LoggerFactory.getLogger(InstanceEffects.class);
  /** How long a state change to NEEDS_QR waits for the session's QR code to put it into the event. */
  static final long QR_WAIT_MS = 5_000;

  private final Vertx vertx;
  private final String id;
  private final Clock clock;
  private final DeliveryStore store;
  private final ProviderSession session;
  private final InstanceMachine machine;
  private final SendLoop loop;
  private final InstanceMeters metrics;

  /** State writes chained, so the rows (and their events) land in the order the machine moved. */
  private Future<Void> stateWrites = Future.succeededFuture();
  private long ladderTimer = -1;
  private boolean closed;

  InstanceEffects(Vertx vertx, String id, Clock clock, DeliveryStore store, ProviderSession session,
                  InstanceMachine machine, SendLoop loop, InstanceMeters metrics) {
    this.vertx = vertx;
    this.id = id;
    this.clock = clock;
    this.store = store;
    this.session = session;
    this.machine = machine;
    this.loop = loop;
    this.metrics = metrics;
  }

  /** Feeds an input to the machine now (unless closed) and executes what it answers. */
  void on(Function<Instant, List<InstanceCommand>> input) {
    if (!closed) {
      execute(input.apply(clock.instant()));
    }
  }

  /** No more commands or timers; completes when the state writes under way have landed (or failed). */
  Future<Void> close() {
    closed = true;
    cancelLadderTimer();
    return stateWrites.recover(e -> Future.succeededFuture());
  }

  /** Carries out the machine's commands in order. */
  void execute(List<InstanceCommand> commands) {
    for (InstanceCommand c : commands) {
      if (c instanceof InstanceCommand.ChangeState s) {
        changeState(s);
      } else if (c instanceof InstanceCommand.Ignored i) {
        LOG.warn("ignoring illegal state change {} {} {}", kv("instanceId", id), kv("from", i.from()), kv("to", i.to()));
      } else if (c instanceof InstanceCommand.ArmLadderTimer a) {
        armLadderTimer(a.at());
      } else if (c instanceof InstanceCommand.CancelLadderTimer) {
        cancelLadderTimer();
      } else if (c instanceof InstanceCommand.StartSession) {
        session.start().onFailure(e -> {
          logFailure("session start failed", e);
          on(now -> machine.onSessionStartFailed(now, String.valueOf(e.getMessage())));
        });
      } else if (c instanceof InstanceCommand.StopSession) {
        session.stop().onFailure(e -> logFailure("session stop failed", e));
      } else if (c instanceof InstanceCommand.RestartSession r) {
        restart(r);
      } else if (c instanceof InstanceCommand.SetDesired d) {
        store.setDesired(id, d.running() ? "running" : "stopped").onFailure(e -> logFailure("desired state not saved", e));
      } else if (c instanceof InstanceCommand.WakeSendLoop) {
        loop.wake();
      }
    }
  }

  private void changeState(InstanceCommand.ChangeState s) {
    LOG.info("instance state {} {} {} {}", kv("instanceId", id), kv("from", s.from()), kv("to", s.to()),
        kv("reason", s.reason()));
    metrics.stateChanged(s.from(), s.to(), s.kind());
    List<EventType> events = EventRules.forStateChange(s.from(), s.to());
    // the QR is asked for at once, but the write waits for it (bounded), so instance.needs_qr carries it
    Future<String> qr = events.contains(EventType.INSTANCE_NEEDS_QR) ? qr() : Future.succeededFuture(null);
    stateWrites = stateWrites.recover(e -> Future.succeededFuture())
        .compose(x -> qr)
        .compose(code -> store.setState(id, s.to().name(), s.from().name(), s.at(), s.reason(), s.kind(), events, code))
        .onSuccess(x -> metrics.eventsWritten(events))
        .onFailure(e -> logFailure("state not persisted", e));
  }

  /** The session's QR code, or null when it has none within {@link #QR_WAIT_MS}. */
  private Future<String> qr() {
    Promise<String> code = Promise.promise();
    long timeout = vertx.setTimer(QR_WAIT_MS, t -> code.tryComplete(null));
    session.qr().onComplete(ar -> {
      vertx.cancelTimer(timeout);
      code.tryComplete(ar.succeeded() ? ar.result().orElse(null) : null);
    });
    return code.future();
  }

  private void restart(InstanceCommand.RestartSession r) {
    String how = (r.manual() ? "manual " : "automatic ") + r.type().wire();
    metrics.restart(r.type(), r.manual());
    store.event(id, r.at(), "restart", how).onFailure(e -> logFailure("restart not recorded", e));
    session.restart(r.type()).onComplete(ar -> on(now -> machine.onRestartFinished(now, r.episode(), ar.succeeded(),
        ar.failed() ? String.valueOf(ar.cause().getMessage()) : null)));
  }

  private void armLadderTimer(Instant at) {
    cancelLadderTimer();
    if (!closed) {
      long delay = Math.max(1, Duration.between(clock.instant(), at).toMillis() + 1);
      ladderTimer = vertx.setTimer(delay, t -> {
        ladderTimer = -1;
        on(machine::onLadderTimer);
      });
    }
  }

  private void cancelLadderTimer() {
    if (ladderTimer != -1) {
      vertx.cancelTimer(ladderTimer);
      ladderTimer = -1;
    }
  }

  private void logFailure(String what, Throwable e) {
    LOG.warn("{} {} {}", what, kv("instanceId", id), kv("error", String.valueOf(e)));
  }
}
