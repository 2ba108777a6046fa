package org.wahub.provider.simulator;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.api.ApiError;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.ProviderOutcome;
import org.wahub.provider.Inbound;
import org.wahub.provider.OutboundMessage;
import org.wahub.provider.ProviderEvents;
import org.wahub.provider.ProviderSession;
import org.wahub.provider.SessionContext;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * The embedded default provider: behaves like a WhatsApp session (pairing, READY, disconnects,
 * QR, auth failure, soft/hard restarts) with fault injection (latency, retriable and permanent
 * failure rates, a crash right after hand-off). Every attempt is written to its durable log
 * <em>before</em> it answers, so a hub crash after a send is visible exactly as with a real phone.
 *
 * <p>Runs on its InstanceVerticle's context; all timers are one-shot.
 */
public final class SimulatorSession implements ProviderSession {

  private static final Logger LOG = LoggerFactory.getLogger(SimulatorSession.class);

  private final Vertx vertx;
  private final String instanceId;
  private final SimulatorLog log;
  private final ProviderEvents events;
  private final Random random;
  private final long latencyMs;
  private final double retriableRate;
  private final double permanentRate;
  private final long pairingMs;
  private final long softRestartMs;
  private final long hardRestartMs;
  private final String startState;
  private final boolean dedupes;
  private final boolean allowHalt;
  /** The other side of the chats: receipts, replies and votes after a send (all off unless configured). */
  private final Counterpart counterpart;
  private boolean closed;

  private InstanceState session = InstanceState.STARTING;
  private int failRestarts;
  private boolean crashAfterSend;
  private boolean haltOnCrash;
  private String qr;
  private int failNext;
  private boolean failNextPermanent;

  SimulatorSession(SessionContext context, boolean allowHalt) {
    this.vertx = context.vertx();
    this.instanceId = context.instanceId();
    this.log = new SimulatorLog(context.pool());
    this.events = context.events();
    this.allowHalt = allowHalt;
    JsonObject config = context.config();
    this.random = config.containsKey("seed") ? new Random(config.getLong("seed")) : new Random();
    this.latencyMs = config.getLong("latencyMs", 20L);
    this.retriableRate = config.getDouble("retriableFailureRate", 0.0);
    this.permanentRate = config.getDouble("permanentFailureRate", 0.0);
    this.pairingMs = config.getLong("pairingMs", 200L);
    this.softRestartMs = config.getLong("softRestartMs", 500L);
    this.hardRestartMs = config.getLong("hardRestartMs", 1500L);
    this.startState = config.getString("startState", "READY");
    this.dedupes = config.getBoolean("dedupesByMessageId", false);
    this.counterpart = Counterpart.of(config);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    return ProviderSession.super.close();
  }

  @Override
  public Future<Void> start() {
    after(pairingMs, () -> become(InstanceState.valueOf(startState), "simulated pairing finished"));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> restart(RestartType type) {
    Promise<Void> done = Promise.promise();
    after(type == RestartType.SOFT ? softRestartMs : hardRestartMs, () -> {
      if (failRestarts > 0) {
        failRestarts--;
        done.fail("simulated " + type.wire() + " restart failed");
      } else if (session == InstanceState.NEEDS_QR || session == InstanceState.AUTH_FAILURE) {
        // a restart cannot fix this; say so again, so the hub stops its automatic restarts
        events.stateChanged(session, "simulated: restart did not help, the session is still " + session);
        done.fail("session still needs manual action: " + session);
      } else {
        become(InstanceState.READY, "simulated " + type.wire() + " restart");
        done.complete();
      }
    });
    return done.future();
  }

  @Override
  public Future<Void> stop() {
    session = InstanceState.STOPPED;
    return Future.succeededFuture();
  }

  @Override
  public Future<Optional<String>> qr() {
    return Future.succeededFuture(session == InstanceState.NEEDS_QR ? Optional.ofNullable(qr) : Optional.empty());
  }

  @Override
  public Future<ProviderOutcome> send(OutboundMessage m) {
    if (session != InstanceState.READY) {
      return Future.succeededFuture(new ProviderOutcome.Refused(SendError.retriable(SendError.DISCONNECTED,
          "simulated session is " + session)));
    }
    Promise<ProviderOutcome> result = Promise.promise();
    after(latencyMs, () -> attempt(m, result));
    return result.future();
  }

  private void attempt(OutboundMessage m, Promise<ProviderOutcome> result) {
    UUID id = UUID.fromString(m.id());
    var now = Instant.now().atOffset(ZoneOffset.UTC);
    boolean permanent;
    boolean retriable;
    if (failNext > 0) {
      // injected faults come before the random ones, so a test can aim them at one message
      failNext--;
      permanent = failNextPermanent;
      retriable = !failNextPermanent;
    } else {
      double draw = random.nextDouble();
      permanent = draw < permanentRate;
      retriable = !permanent && draw < permanentRate + retriableRate;
    }
    if (permanent) {
      log.record(instanceId, id, m.attempt(), now, "failed_permanent", null).onComplete(ar -> result.complete(
          new ProviderOutcome.Refused(SendError.permanent(SendError.NOT_ON_WHATSAPP, "simulated: recipient is not on WhatsApp"))));
      return;
    }
    if (retriable) {
      log.record(instanceId, id, m.attempt(), now, "failed_retriable", null).onComplete(ar -> result.complete(
          new ProviderOutcome.Refused(SendError.retriable(SendError.PROVIDER_UNAVAILABLE, "simulated provider error"))));
      return;
    }
    Future<String> earlier = dedupes ? log.sentBefore(id) : Future.succeededFuture(null);
    earlier.compose(previous -> {
      if (previous != null) {
        return log.record(instanceId, id, m.attempt(), now, "deduplicated", previous).map(previous);
      }
      String providerId = "sim-" + UUID.randomUUID();
      return log.record(instanceId, id, m.attempt(), now, "sent", providerId).map(providerId);
    }).onComplete(ar -> {
      if (ar.failed()) {
        // the phone could not record the send, so it did not happen
        result.complete(new ProviderOutcome.Refused(SendError.retriable(SendError.PROVIDER_UNAVAILABLE,
            "simulator log unavailable")));
      } else if (crashAfterSend) {
        crashAfterSend = false;
        if (haltOnCrash && allowHalt) {
          LOG.warn("simulated crash after hand-off of message {}: halting the JVM", m.id());
          Runtime.getRuntime().halt(137);
        }
        // the answer is lost: the hub's send times out with the message on the phone
        LOG.warn("simulated crash after hand-off of message {}: the answer is lost", m.id());
      } else {
        result.complete(new ProviderOutcome.Sent(ar.result()));
        playTheOtherSide(m, ar.result());
      }
    });
  }

  /**
   * What the recipient's phone does after a send, as configured: a delivered then a read receipt,
   * a reply, a vote on a poll (choice and probability drawn from the seeded random).
   */
  private void playTheOtherSide(OutboundMessage m, String providerId) {
    Counterpart c = counterpart;
    if (c.deliveredAfterMs() != null) {
      later(c.deliveredAfterMs(), () -> receipt(providerId, Inbound.Receipt.Status.DELIVERED, null, null));
    }
    if (c.readAfterMs() != null) {
      later(c.readAfterMs(), () -> receipt(providerId, Inbound.Receipt.Status.READ, null, null));
    }
    if (c.replyText() != null && c.draw() < c.replyProbability()) {
      later(c.replyAfterMs(), () -> {
        String replyId = "sim-in-" + UUID.randomUUID();
        events.inbound(new Inbound.Message(replyId, Instant.now(), m.chatId(), m.recipient(), replyId, c.replyText(), "text"));
      });
    }
    if ("poll".equals(m.kind()) && c.voteProbability() > 0 && c.draw() < c.voteProbability()) {
      List<String> options = new ArrayList<>();
      if (m.content() != null && m.content().getJsonArray("options") != null) {
        m.content().getJsonArray("options").forEach(o -> options.add(String.valueOf(o)));
      }
      if (!options.isEmpty()) {
        String choice = c.voteOption() != null && options.contains(c.voteOption()) ? c.voteOption()
            : options.get(c.pick(options.size()));
        later(c.voteAfterMs(), () -> events.inbound(new Inbound.Vote("sim-vote-" + UUID.randomUUID(), Instant.now(),
            providerId, m.chatId(), List.of(choice))));
      }
    }
  }

  private void receipt(String providerId, Inbound.Receipt.Status status, String error, Instant at) {
    events.inbound(new Inbound.Receipt("sim-" + providerId + "-" + status.name().toLowerCase(java.util.Locale.ROOT),
        at == null ? Instant.now() : at, providerId, status, error));
  }

  /** A timer of the other side: it stays silent once the session is closed. */
  private void later(long ms, Runnable action) {
    after(ms, () -> {
      if (!closed) {
        action.run();
      }
    });
  }

  /**
   * Fault injection from {@code POST /instances/:id/simulate} (validated by {@link SimulatorRoutes}).
   * Completes with what the simulator did.
   */
  @Override
  public Future<JsonObject> operation(String name, JsonObject command) {
    if (!SimulatorRoutes.OPERATION.equals(name)) {
      return ProviderSession.super.operation(name, command);
    }
    String event = command.getString("event", "");
    switch (event) {
      case "disconnect" -> {
        failRestarts = Math.max(0, command.getInteger("failRestarts", 0));
        become(InstanceState.DISCONNECTED, "simulated disconnect");
      }
      case "needs_qr" -> {
        qr = null;
        become(InstanceState.NEEDS_QR, "simulated: the session needs a new QR scan");
      }
      case "auth_failure" -> become(InstanceState.AUTH_FAILURE, "simulated: WhatsApp rejected the session");
      case "ready" -> become(InstanceState.READY, "simulated: session ready (QR scanned)");
      case "crash_after_send" -> {
        crashAfterSend = true;
        haltOnCrash = command.getBoolean("halt", false);
      }
      case "fail_next" -> {
        failNext = Math.max(0, command.getInteger("count", 1));
        failNextPermanent = "permanent".equals(command.getString("kind", "retriable"));
      }
      case "receipt" -> {
        String providerId = command.getString("providerMessageId");
        String status = command.getString("status", "delivered");
        if (providerId == null || !Set.of("sent", "delivered", "read", "failed").contains(status)) {
          return Future.failedFuture(ApiError.badRequest("invalid_simulation",
              "receipt needs providerMessageId and status sent|delivered|read|failed"));
        }
        Inbound.Receipt.Status s = Inbound.Receipt.Status.valueOf(status.toUpperCase(java.util.Locale.ROOT));
        String eventId = command.getString("eventId", "sim-" + providerId + "-" + status);
        events.inbound(new Inbound.Receipt(eventId, at(command), providerId, s,
            s == Inbound.Receipt.Status.FAILED ? command.getString("error", "simulated: delivery failed") : null));
      }
      case "inbound_message" -> {
        String eventId = command.getString("eventId", "sim-in-" + UUID.randomUUID());
        String from = command.getString("from");
        events.inbound(new Inbound.Message(eventId, at(command), command.getString("chatId", chatOf(from)), from,
            eventId, command.getString("text"), "text"));
        return Future.succeededFuture(new JsonObject().put("event", event).put("session", session.name())
            .put("eventId", eventId));
      }
      case "poll_vote", "vote_failed" -> {
        String eventId = command.getString("eventId", "sim-vote-" + UUID.randomUUID());
        String poll = command.getString("providerMessageId");
        String voter = command.getString("voter");
        List<String> options = new ArrayList<>();
        if (command.getJsonArray("options") != null) {
          command.getJsonArray("options").forEach(o -> options.add(String.valueOf(o)));
        }
        events.inbound("poll_vote".equals(event) ? new Inbound.Vote(eventId, at(command), poll, voter, options)
            : new Inbound.VoteFailed(eventId, at(command), poll, voter));
        return Future.succeededFuture(new JsonObject().put("event", event).put("session", session.name())
            .put("eventId", eventId));
      }
      default -> {
        return Future.failedFuture(ApiError.badRequest("invalid_simulation", "unknown event " + event));
      }
    }
    return Future.succeededFuture(new JsonObject().put("event", event).put("session", session.name()));
  }

  private static Instant at(JsonObject command) {
    String at = command.getString("at");
    return at == null ? Instant.now() : Instant.parse(at);
  }

  /** A number's personal chat id, as WhatsApp names it ({@code +4915…} → {@code 4915…@c.us}). */
  private static String chatOf(String from) {
    return from.contains("@") ? from : from.replace("+", "") + "@c.us";
  }

  private void become(InstanceState next, String reason) {
    if (session == next) {
      return;
    }
    session = next;
    if (next == InstanceState.NEEDS_QR && qr == null) {
      qr = "sim-qr:" + UUID.randomUUID();
    }
    events.stateChanged(next, reason);
  }

  private void after(long ms, Runnable action) {
    if (ms <= 0) {
      vertx.runOnContext(v -> action.run());
    } else {
      vertx.setTimer(ms, id -> action.run());
    }
  }
}
