package org.wahub.provider.adapter;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.wahub.api.ApiError;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.ProviderOutcome;
import org.wahub.provider.Inbound;
import org.wahub.provider.OutboundMessage;
import org.wahub.provider.ProviderSession;
import org.wahub.provider.SessionContext;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The hub's side of one remote adapter (docs/adapter-protocol.md). The adapter holds the WhatsApp
 * session; this object holds what the hub knows of it: which stream is connected, what state the
 * adapter last reported, and the one dispatch in flight. The hub's limits and pacing still decide
 * when a message goes: {@link #send} is called by the send loop like any provider's.
 *
 * <p>Adapters must drop a second dispatch of one {@code messageId}, so a dispatch is repeated
 * freely: when it is not acknowledged in time, and when a new stream connects before it was.
 */
final class AdapterSession implements ProviderSession {

  /** Operations the adapter routes hand to the session through the instance. */
  static final String CONNECTED = "adapter.connected";
  static final String DISCONNECTED = "adapter.disconnected";
  static final String RESULT = "adapter.result";
  static final String EVENTS = "adapter.events";

  private final SessionContext context;
  private final Duration ackTimeout;
  private String stream;
  private InstanceState reported = InstanceState.STARTING;
  private String qr;
  private Dispatch inFlight;
  private long ackTimer = -1;
  private Promise<Void> restarting;
  private boolean stopped;

  /** The one message handed to the adapter and not yet confirmed or failed. */
  private static final class Dispatch {
    final OutboundMessage message;
    final String eventId;
    final Promise<ProviderOutcome> outcome = Promise.promise();
    boolean acknowledged;

    Dispatch(OutboundMessage message) {
      this.message = message;
      this.eventId = message.id() + "." + message.attempt();
    }
  }

  AdapterSession(SessionContext context) {
    this.context = context;
    this.ackTimeout = context.hub().adapterAckTimeout();
  }

  @Override
  public Future<Void> start() {
    stopped = false;
    // the state comes from the adapter: until one connects and reports, the instance stays STARTING
    if (stream != null) {
      control("start", null);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> restart(RestartType type) {
    if (restarting != null) {
      restarting.tryFail("superseded by another restart");
    }
    restarting = Promise.promise();
    // without a stream the restart completes when an adapter connects and reports READY (the
    // ladder's restart time-out bounds the wait)
    if (stream != null) {
      control("restart", type.name().toLowerCase(java.util.Locale.ROOT));
    }
    return restarting.future();
  }

  @Override
  public Future<Void> stop() {
    stopped = true;
    failInFlight(new ProviderOutcome.Refused(SendError.retriable(SendError.DISCONNECTED, "the instance was stopped")));
    if (restarting != null) {
      restarting.tryFail("the instance was stopped");
      restarting = null;
    }
    if (stream != null) {
      // the adapter reconnects; the session that answers then (this one or a redeployed one) takes it
      context.vertx().eventBus().send(stream, new JsonObject().put("kind", "close").put("reason", "instance stopped"));
      stream = null;
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<ProviderOutcome> send(OutboundMessage message) {
    if (stream == null || reported != InstanceState.READY) {
      return Future.succeededFuture(new ProviderOutcome.Refused(SendError.retriable(SendError.DISCONNECTED,
          stream == null ? "no adapter connected" : "the adapter reports " + reported)));
    }
    // a dispatch whose answer the send loop gave up on is over: the adapter dedupes if it comes again
    failInFlight(new ProviderOutcome.Lost(SendError.retriable(SendError.TIMEOUT, "superseded by the next dispatch")));
    inFlight = new Dispatch(message);
    dispatch();
    return inFlight.outcome.future();
  }

  @Override
  public Future<Optional<String>> qr() {
    return Future.succeededFuture(reported == InstanceState.NEEDS_QR ? Optional.ofNullable(qr) : Optional.empty());
  }

  @Override
  public Future<JsonObject> operation(String name, JsonObject body) {
    return switch (name) {
      case CONNECTED -> connected(body.getString("address"), body.getString("lastEventId"));
      case DISCONNECTED -> disconnected(body.getString("address"));
      case RESULT -> result(body);
      case EVENTS -> events(body.getJsonArray("events"));
      default -> ProviderSession.super.operation(name, body);
    };
  }

  // ---------------------------------------------------------------- the stream

  private Future<JsonObject> connected(String address, String lastEventId) {
    if (stream != null && !stream.equals(address)) {
      // one adapter per instance: the newest connection wins, the old one is told why it ends
      context.vertx().eventBus().send(stream, new JsonObject().put("kind", "close")
          .put("reason", "replaced by a newer connection"));
    }
    stream = address;
    if (stopped) {
      control("stop", null);
    } else if (inFlight != null && !inFlight.acknowledged) {
      // Last-Event-ID or not: what the adapter has not acknowledged is replayed
      dispatch();
    }
    return Future.succeededFuture(new JsonObject().put("state", reported.name())
        .put("replayed", inFlight != null && !inFlight.acknowledged ? inFlight.eventId : null)
        .put("lastEventId", lastEventId));
  }

  private Future<JsonObject> disconnected(String address) {
    if (address == null || !address.equals(stream)) {
      return Future.succeededFuture(new JsonObject()); // an old, replaced stream
    }
    stream = null;
    cancelAckTimer();
    if (reported == InstanceState.READY || reported == InstanceState.STARTING) {
      report(InstanceState.DISCONNECTED, "the adapter's stream closed");
    }
    return Future.succeededFuture(new JsonObject());
  }

  private void dispatch() {
    if (stream == null || inFlight == null) {
      return;
    }
    OutboundMessage m = inFlight.message;
    JsonObject data = new JsonObject().put("messageId", m.id()).put("instanceId", m.instanceId())
        .put("to", m.recipient()).put("chatId", m.chatId()).put("kind", m.kind()).put("content", m.content())
        .put("attempt", m.attempt());
    context.vertx().eventBus().send(stream, new JsonObject().put("kind", "dispatch").put("id", inFlight.eventId)
        .put("data", data));
    cancelAckTimer();
    Dispatch d = inFlight;
    ackTimer = context.vertx().setTimer(Math.max(1, ackTimeout.toMillis()), t -> {
      ackTimer = -1;
      if (inFlight == d && !d.acknowledged) {
        dispatch(); // re-armed one-shot: no answer yet, so the same dispatch again
      }
    });
  }

  private void control(String action, String type) {
    context.vertx().eventBus().send(stream, new JsonObject().put("kind", "control")
        .put("data", new JsonObject().put("action", action).put("type", type)));
  }

  // ---------------------------------------------------------------- what the adapter answers

  private Future<JsonObject> result(JsonObject body) {
    String messageId = body.getString("messageId");
    if (inFlight == null || !inFlight.message.id().equals(messageId)) {
      return Future.failedFuture(ApiError.conflict("not_dispatched",
          "message " + messageId + " is not dispatched to this adapter now (already answered, or never sent to it)"));
    }
    String outcome = body.getString("outcome");
    switch (outcome) {
      case "ack" -> {
        inFlight.acknowledged = true;
        cancelAckTimer();
      }
      case "confirm" -> complete(new ProviderOutcome.Sent(body.getString("externalId")));
      case "fail" -> {
        String reason = "adapter: " + body.getString("reason");
        complete(new ProviderOutcome.Refused(body.getBoolean("retriable", false)
            ? SendError.retriable(SendError.PROVIDER_UNAVAILABLE, reason)
            : SendError.permanent(body.getString("code", SendError.PAYLOAD_REJECTED), reason)));
      }
      default -> {
        return Future.failedFuture(ApiError.badRequest("invalid_outcome", "unknown outcome " + outcome));
      }
    }
    return Future.succeededFuture(new JsonObject().put("messageId", messageId).put("outcome", outcome));
  }

  private void complete(ProviderOutcome outcome) {
    Dispatch d = inFlight;
    inFlight = null;
    cancelAckTimer();
    d.outcome.tryComplete(outcome);
  }

  private void failInFlight(ProviderOutcome outcome) {
    if (inFlight != null) {
      complete(outcome);
    }
  }

  private Future<JsonObject> events(JsonArray events) {
    List<Inbound> inbound = new ArrayList<>();
    for (Object o : events) {
      JsonObject e = (JsonObject) o;
      Instant at = e.getString("at") == null ? Instant.now() : Instant.parse(e.getString("at"));
      switch (e.getString("type")) {
        case "state" -> {
          InstanceState state = InstanceState.valueOf(e.getString("state"));
          if (state == InstanceState.NEEDS_QR) {
            qr = e.getString("qr");
          }
          report(state, e.getString("reason"));
        }
        case "receipt" -> inbound.add(new Inbound.Receipt(e.getString("id"), at, e.getString("externalId"),
            Inbound.Receipt.Status.valueOf(e.getString("status").toUpperCase(java.util.Locale.ROOT)), e.getString("error")));
        case "message" -> inbound.add(new Inbound.Message(e.getString("id"), at, e.getString("chatId"), e.getString("from"),
            e.getString("externalId"), e.getString("text"), "text"));
        case "vote" -> inbound.add(new Inbound.Vote(e.getString("id"), at, e.getString("pollExternalId"),
            e.getString("voter"), e.getJsonArray("options").stream().map(String::valueOf).toList()));
        default -> throw new IllegalArgumentException("validated by AdapterRoutes: " + e.getString("type"));
      }
    }
    // the adapter posts again what was not answered 2xx: answer only once everything is stored
    return context.events().inboundAll(inbound).map(v -> new JsonObject().put("accepted", events.size()));
  }

  private void report(InstanceState state, String reason) {
    reported = state;
    if (restarting != null) {
      if (state == InstanceState.READY) {
        restarting.tryComplete();
        restarting = null;
      } else if (state == InstanceState.AUTH_FAILURE || state == InstanceState.NEEDS_QR) {
        restarting.tryFail("the adapter reports " + state);
        restarting = null;
      }
    }
    // a dispatch in flight stays: the adapter may still confirm it (or get it replayed on its next
    // connection); the send loop's time-out bounds the wait
    context.events().stateChanged(state, reason);
  }

  private void cancelAckTimer() {
    if (ackTimer != -1) {
      context.vertx().cancelTimer(ackTimer);
      ackTimer = -1;
    }
  }
}
