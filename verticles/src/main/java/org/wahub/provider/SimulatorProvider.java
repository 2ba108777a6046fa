package org.wahub.provider;

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

import java.time.Instant;
import java.time.ZoneOffset;
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
public final class SimulatorProvider implements Provider {

  private static final Logger LOG = LoggerFactory.getLogger(SimulatorProvider.class);
  public static final Set<String> EVENTS = Set.of("disconnect", "needs_qr", "auth_failure", "ready", "crash_after_send",
      "receipt", "fail_next");

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

  private InstanceState session = InstanceState.STARTING;
  private int failRestarts;
  private boolean crashAfterSend;
  private boolean haltOnCrash;
  private String qr;
  private int failNext;
  private boolean failNextPermanent;

  public SimulatorProvider(Vertx vertx, String instanceId, JsonObject config, SimulatorLog log, ProviderEvents events) {
    this.vertx = vertx;
    this.instanceId = instanceId;
    this.log = log;
    this.events = events;
    this.random = config.containsKey("seed") ? new Random(config.getLong("seed")) : new Random();
    this.latencyMs = config.getLong("latencyMs", 20L);
    this.retriableRate = config.getDouble("retriableFailureRate", 0.0);
    this.permanentRate = config.getDouble("permanentFailureRate", 0.0);
    this.pairingMs = config.getLong("pairingMs", 200L);
    this.softRestartMs = config.getLong("softRestartMs", 500L);
    this.hardRestartMs = config.getLong("hardRestartMs", 1500L);
    this.startState = config.getString("startState", "READY");
    this.dedupes = config.getBoolean("dedupesByMessageId", false);
  }

  @Override
  public boolean deduplicatesByMessageId() {
    return dedupes;
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
  public Optional<String> qr() {
    return session == InstanceState.NEEDS_QR ? Optional.ofNullable(qr) : Optional.empty();
  }

  @Override
  public Future<SendOutcome> send(OutboundMessage m) {
    if (session != InstanceState.READY) {
      return Future.failedFuture(new SendFailure(SendError.retriable(SendError.DISCONNECTED,
          "simulated session is " + session), false));
    }
    Promise<SendOutcome> result = Promise.promise();
    after(latencyMs, () -> attempt(m, result));
    return result.future();
  }

  private void attempt(OutboundMessage m, Promise<SendOutcome> result) {
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
          new SendOutcome.Rejected(SendError.permanent(SendError.NOT_ON_WHATSAPP, "simulated: recipient is not on WhatsApp"))));
      return;
    }
    if (retriable) {
      log.record(instanceId, id, m.attempt(), now, "failed_retriable", null).onComplete(ar -> result.fail(
          new SendFailure(SendError.retriable(SendError.PROVIDER_UNAVAILABLE, "simulated provider error"), false)));
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
        result.fail(new SendFailure(SendError.retriable(SendError.PROVIDER_UNAVAILABLE,
            "simulator log unavailable: " + ar.cause().getMessage()), false));
      } else if (crashAfterSend) {
        crashAfterSend = false;
        if (haltOnCrash) {
          LOG.warn("simulated crash after hand-off of message {}: halting the JVM", m.id());
          Runtime.getRuntime().halt(137);
        }
        // the answer is lost: the hub's send times out with the message on the phone
        LOG.warn("simulated crash after hand-off of message {}: the answer is lost", m.id());
      } else {
        result.complete(new SendOutcome.Sent(ar.result()));
      }
    });
  }

  /**
   * Fault injection from {@code POST /instances/:id/simulate}. Completes with what the simulator
   * did, or fails with a 400 problem for an unknown event.
   */
  public Future<JsonObject> simulate(JsonObject command) {
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
        if (providerId == null || !Set.of("delivered", "read").contains(status)) {
          return Future.failedFuture(ApiError.badRequest("invalid_simulation",
              "receipt needs providerMessageId and status delivered|read"));
        }
        events.receipt(providerId, status);
      }
      default -> {
        return Future.failedFuture(ApiError.badRequest("invalid_simulation",
            "event must be one of " + String.join(", ", new java.util.TreeSet<>(EVENTS))
                + " (inbound_message and poll_vote arrive with inbound events)"));
      }
    }
    return Future.succeededFuture(new JsonObject().put("event", event).put("session", session.name()));
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
