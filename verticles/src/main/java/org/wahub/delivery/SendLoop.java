package org.wahub.delivery;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.message.ChatOrder;
import org.wahub.hub.message.PendingMessage;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.AttemptResolver;
import org.wahub.hub.send.GateDecision;
import org.wahub.hub.send.ProviderOutcome;
import org.wahub.hub.send.Resolved;
import org.wahub.hub.send.SendGate;
import org.wahub.hub.send.WaitReason;
import org.wahub.metrics.InstanceMeters;
import org.wahub.provider.OutboundMessage;
import org.wahub.provider.ProviderSession;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The instance's single-flight send loop, as glue: it asks the {@link SendGate} whether and what to
 * send, claims that message, hands it to the session, lets the {@link AttemptResolver} say what the
 * outcome means and writes it. One re-armed one-shot timer, none while nothing is due.
 *
 * <p>The heads of the chats are read in one bounded statement, each with the next queued messages of
 * its chat, and reused for the next picks: a message that leaves its chat for good (sent, failed, in
 * doubt) hands the head to the next one read with it. A retry keeps its message at the head with a
 * new due time, so it marks the list stale, as do any wake (new intake, an operator's retry) and a
 * claim that finds its message gone.
 */
final class SendLoop {

  private static final Logger LOG = LoggerFactory.getLogger(SendLoop.class);
  private static final Duration DB_RETRY = Duration.ofSeconds(2);
  private static final Duration EXPIRY_CHECK_EVERY = Duration.ofSeconds(1);
  private static final int HEADS = 64;
  /** Messages read per chat (its head included): a backlog in few chats needs no read per send. */
  private static final int DEPTH = 8;

  /** What the loop needs from its instance. */
  interface Host {
    InstanceState state();

    /** The provider refused the account: the instance must pause. */
    void accountProblem(String reason);

    void noteError(String error);
  }

  private final Vertx vertx;
  private final String id;
  private final DeliveryStore store;
  private final ProviderSession session;
  private final SendGate gate;
  private final AttemptResolver resolver;
  private final Clock clock;
  private final RandomGenerator random;
  private final DeliverySettings settings;
  private final String owner;
  private final Host host;
  private final InstanceMeters metrics;

  private long timer = -1;
  private Instant timerAt;
  private boolean busy;
  private boolean wakePending;
  private boolean closed;
  private Promise<Void> idle;
  private List<PendingMessage> heads;
  private boolean headsStale = true;
  private Instant lastExpiryCheck;
  private String waitingFor = WaitReason.NOTHING.wire();

  SendLoop(Vertx vertx, String id, DeliveryStore store, ProviderSession session, SendGate gate, AttemptResolver resolver,
           Clock clock, RandomGenerator random, DeliverySettings settings, String owner, Host host,
           InstanceMeters metrics) {
    this.vertx = vertx;
    this.id = id;
    this.store = store;
    this.session = session;
    this.gate = gate;
    this.resolver = resolver;
    this.clock = clock;
    this.random = random;
    this.settings = settings;
    this.owner = owner;
    this.host = host;
    this.metrics = metrics;
  }

  /** New work or a new state: look again now (after the step in progress, if any). */
  void wake() {
    headsStale = true;
    if (closed) {
      return;
    }
    if (busy) {
      wakePending = true;
      return;
    }
    cancelTimer();
    tick();
  }

  /** No new claims; completes when the send in flight (if any) has been recorded or released. */
  Future<Void> stop() {
    closed = true;
    cancelTimer();
    if (!busy) {
      return Future.succeededFuture();
    }
    idle = Promise.promise();
    return idle.future();
  }

  String waitingFor() {
    return waitingFor;
  }

  Instant nextWakeAt() {
    return timerAt;
  }

  private void tick() {
    if (closed || busy) {
      return;
    }
    Instant now = clock.instant();
    InstanceState state = host.state();
    GateDecision decision = gate.check(now, state);
    if (decision instanceof GateDecision.Closed) {
      waitingFor = "state_" + state.name();
      expireOnly(now);
    } else if (decision instanceof GateDecision.WaitUntil wait) {
      waitingFor = wait.reason().wire();
      metrics.deferred(wait.reason());
      arm(wait.until());
    } else {
      busy = true;
      pickAndSend(now, false);
    }
  }

  private void pickAndSend(Instant now, boolean fresh) {
    boolean read = heads == null || headsStale;
    Future<List<PendingMessage>> source = read
        ? store.heads(id, now, HEADS, DEPTH).onSuccess(h -> {
          heads = new java.util.ArrayList<>(h);
          headsStale = false;
        })
        : Future.succeededFuture(heads);
    source.onFailure(e -> databaseTrouble("reading the queue failed", e)).onSuccess(list -> {
      ChatOrder.Pick pick = gate.pick(list, now);
      if (!pick.expired().isEmpty()) {
        headsStale = true;
        store.expireDue(id, now).onSuccess(metrics::expired).onComplete(ar -> {
          done();
          tick();
        });
      } else if (pick.due().isPresent()) {
        claim(pick.due().get(), now);
      } else if (!read && !fresh) {
        headsStale = true; // the cached heads are spent: the next head of a sent chat may be due
        pickAndSend(now, true);
      } else {
        done();
        waitingFor = (pick.nextWakeAt().isPresent() ? WaitReason.NEXT_DUE : WaitReason.NOTHING).wire();
        pick.nextWakeAt().ifPresent(this::arm);
      }
    });
  }

  private void claim(PendingMessage m, Instant now) {
    heads.removeIf(h -> h.id().equals(m.id()));
    store.claim(id, java.util.UUID.fromString(m.id()), now, owner, now.plusMillis(settings.leaseMs())).onComplete(ar -> {
      if (ar.failed()) {
        databaseTrouble("claim failed", ar.cause());
      } else if (ar.result() == null) {
        headsStale = true; // cancelled or changed meanwhile
        done();
        tick();
      } else {
        waitingFor = WaitReason.SEND_IN_FLIGHT.wire();
        send(ar.result());
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
    Promise<ProviderOutcome> answer = Promise.promise();
    long timeout = vertx.setTimer(settings.sendTimeoutMs(), t -> answer.tryComplete(new ProviderOutcome.Lost(
        SendError.retriable(SendError.TIMEOUT, "no answer from the provider within " + settings.sendTimeoutMs() + " ms"))));
    long handedOver = System.nanoTime();
    session.send(message).onComplete(ar -> answer.tryComplete(ar.succeeded() ? ar.result()
        : new ProviderOutcome.Lost(SendError.retriable(SendError.UNKNOWN, String.valueOf(ar.cause())))));
    answer.future().onSuccess(outcome -> {
      vertx.cancelTimer(timeout);
      Instant now = clock.instant();
      gate.recordAttempt(now, c.chatId());
      Resolved resolved = resolver.resolve(outcome, c.attempts(), now, random);
      metrics.attempt(resolved.message(), c.orderAt(), now, System.nanoTime() - handedOver);
      gate.onAnswer(resolved, now);
      resolved.accountProblem().ifPresent(host::accountProblem);
      persist(() -> write(c, resolved.message(), now), c);
    });
  }

  private Future<Boolean> write(DeliveryStore.Claimed c, Resolved.MessageResolution r, Instant now) {
    if (r instanceof Resolved.MessageResolution.MarkSent sent) {
      return store.completeSent(c, sent.providerMessageId(), now);
    }
    if (r instanceof Resolved.MessageResolution.RetryAt retry) {
      headsStale = true; // still its chat's head, due later
      host.noteError(retry.code() + ": " + retry.reason());
      return store.retryLater(c, retry.at(), retry.code(), retry.reason(), now);
    }
    if (r instanceof Resolved.MessageResolution.InDoubt doubt) {
      host.noteError(doubt.code() + ": " + doubt.reason());
      return store.finish(c, "in_doubt", doubt.code(), doubt.reason(), now);
    }
    Resolved.MessageResolution.Fail fail = (Resolved.MessageResolution.Fail) r;
    host.noteError(fail.code() + ": " + fail.reason());
    return store.finish(c, "failed", fail.code(), fail.reason(), now);
  }

  /**
   * Records a send's outcome. The outcome is known, so losing it would turn a clean result into an
   * in-doubt one: retry the write until it lands or the loop stops (then the lease and the
   * start-up rescue take over).
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
        headsStale = true;
        LOG.warn("stale completion rejected: the claim was taken over {} {}", kv("instanceId", id), kv("messageId", c.id()));
      }
      done();
      tick();
    });
  }

  /**
   * While the session cannot send, messages still expire on time. Every accepted message wakes the
   * instance, so a burst of intake must not become a burst of expiry statements: at most one per
   * {@link #EXPIRY_CHECK_EVERY}, then sleep until the next expiry (no timer if nothing can expire).
   */
  private void expireOnly(Instant now) {
    if (lastExpiryCheck != null && now.isBefore(lastExpiryCheck.plus(EXPIRY_CHECK_EVERY))) {
      arm(lastExpiryCheck.plus(EXPIRY_CHECK_EVERY));
      return;
    }
    lastExpiryCheck = now;
    busy = true;
    store.expireDue(id, now).onSuccess(metrics::expired).compose(x -> store.nextExpiry(id)).onComplete(ar -> {
      done();
      if (ar.failed()) {
        LOG.warn("expiry check failed {} {}", kv("instanceId", id), kv("error", ar.cause().toString()));
      } else if (ar.result() != null && !closed && !host.state().canSend()) {
        arm(ar.result());
      }
    });
  }

  private void databaseTrouble(String what, Throwable e) {
    LOG.warn("{}, retrying {} {}", what, kv("instanceId", id), kv("error", e.toString()));
    waitingFor = WaitReason.DATABASE.wire();
    headsStale = true;
    done();
    arm(clock.instant().plus(DB_RETRY));
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

  /** Arms the one loop timer for {@code at}, unless an earlier one is already armed. */
  private void arm(Instant at) {
    if (closed || at == null || at.equals(Instant.MAX)) {
      return;
    }
    if (timer != -1 && timerAt != null && !at.isBefore(timerAt)) {
      return;
    }
    cancelTimer();
    long delay = Math.max(1, Duration.between(clock.instant(), at).toMillis() + 1);
    timerAt = at;
    timer = vertx.setTimer(delay, t -> {
      timer = -1;
      timerAt = null;
      tick();
    });
  }

  private void cancelTimer() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
      timerAt = null;
    }
  }
}
