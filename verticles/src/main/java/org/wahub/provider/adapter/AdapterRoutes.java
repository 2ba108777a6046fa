package org.wahub.provider.adapter;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.Addresses;
import org.wahub.api.Access;
import org.wahub.api.ApiError;
import org.wahub.api.Bodies;
import org.wahub.api.BodyReader;
import org.wahub.auth.ApiKeys;
import org.wahub.delivery.InstanceOpsRoutes;
import org.wahub.delivery.InstanceReply;
import org.wahub.delivery.InstanceRequest;
import org.wahub.hub.instance.InstanceState;
import org.wahub.provider.ProviderRoutes;

import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The adapter protocol's routes (docs/adapter-protocol.md). Every one takes the instance's adapter
 * token, never a hub key: the adapter is a machine that holds one WhatsApp session, not a tenant.
 * The routes check the token and the body; the instance's {@link AdapterSession} acts.
 */
final class AdapterRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(AdapterRoutes.class);
  private static final String INSTANCE = "adapter.instanceId";
  private static final int MAX_EVENTS = 100;
  private static final Set<String> STATES = Set.of("READY", "NEEDS_QR", "AUTH_FAILURE", "DISCONNECTED");
  private static final Set<String> PERMANENT_CODES = Set.of("invalid_recipient", "not_on_whatsapp", "blocked",
      "bad_media", "unsupported", "payload_rejected");
  private static final String MESSAGE_INSTANCE =
      "SELECT m.instance_id, i.provider_type, i.provider_config ->> 'tokenHash' AS token_hash "
          + "FROM messages m JOIN instances i ON i.id = m.instance_id WHERE m.id = $1";

  private final ProviderRoutes routes;

  AdapterRoutes(ProviderRoutes routes) {
    this.routes = routes;
  }

  void mount() {
    routes.api().guarded(HttpMethod.GET, "/instances/:instanceId/adapter/stream", Access.ADAPTER_TOKEN,
        this::instanceToken, this::stream);
    routes.api().guarded(HttpMethod.POST, "/instances/:instanceId/adapter/events", Access.ADAPTER_TOKEN,
        this::instanceToken, this::events);
    for (String outcome : new String[] {"ack", "confirm", "fail"}) {
      routes.api().guarded(HttpMethod.POST, "/messages/:messageId/" + outcome, Access.ADAPTER_TOKEN,
          this::messageToken, ctx -> result(ctx, outcome));
    }
  }

  // ---------------------------------------------------------------- the token

  private void instanceToken(RoutingContext ctx) {
    String instanceId = ctx.pathParam("instanceId");
    routes.instances().get(instanceId)
        .onSuccess(found -> admit(ctx, instanceId, found.filter(i -> AdapterType.NAME.equals(i.providerType()))
            .map(i -> i.providerConfig().getString("tokenHash")).orElse(null)))
        .onFailure(ctx::fail);
  }

  private void messageToken(RoutingContext ctx) {
    UUID id;
    try {
      id = UUID.fromString(ctx.pathParam("messageId"));
    } catch (IllegalArgumentException e) {
      ctx.fail(ApiError.unauthorized("a valid adapter token for this message's instance is required"));
      return;
    }
    routes.pool().preparedQuery(MESSAGE_INSTANCE).execute(Tuple.of(id))
        .onSuccess(rows -> {
          Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
          boolean adapter = row != null && AdapterType.NAME.equals(row.getString("provider_type"));
          admit(ctx, adapter ? row.getString("instance_id") : null, adapter ? row.getString("token_hash") : null);
        })
        .onFailure(ctx::fail);
  }

  /**
   * Compares the bearer token's hash with the stored one in constant time. An unknown instance or
   * message answers like a wrong token: the routes tell nobody without a token what exists.
   */
  private static void admit(RoutingContext ctx, String instanceId, String storedHash) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    byte[] expected = storedHash == null ? new byte[32] : HexFormat.of().parseHex(storedHash);
    byte[] given = ApiKeys.hash(token);
    if (storedHash == null | !MessageDigest.isEqual(expected, given) | token.isEmpty()) {
      ctx.fail(ApiError.unauthorized("a valid adapter token for this instance is required"));
      return;
    }
    ctx.put(INSTANCE, instanceId);
    ctx.next();
  }

  // ---------------------------------------------------------------- the stream

  private void stream(RoutingContext ctx) {
    String instanceId = ctx.get(INSTANCE);
    String address = Addresses.adapterStream(instanceId, UUID.randomUUID().toString());
    HttpServerResponse response = ctx.response();
    StreamState state = new StreamState();
    MessageConsumer<JsonObject> consumer = routes.vertx().eventBus().consumer(address, m -> state.write(response, m.body()));
    state.consumer = consumer;
    JsonObject hello = new JsonObject().put("address", address).put("lastEventId", ctx.request().getHeader("Last-Event-ID"));
    consumer.completion()
        .compose(x -> routes.client().ask(instanceId, new InstanceRequest.ProviderOperation(AdapterSession.CONNECTED, hello)))
        .onSuccess(reply -> {
          if (!(reply instanceof InstanceReply.OperationDone done)) {
            consumer.unregister();
            InstanceOpsRoutes.respond(ctx, reply);
            return;
          }
          response.setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
              .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").putHeader("X-Accel-Buffering", "no");
          response.write(": connected to wa-hub; the instance is " + done.result().getString("state") + "\n\n");
          state.open(response);
          response.closeHandler(v -> state.closed(instanceId, address));
          response.endHandler(v -> state.closed(instanceId, address));
          state.heartbeat(response, routes.hub().adapterHeartbeat().toMillis());
          LOG.info("adapter connected {} {}", kv("instanceId", instanceId), kv("replayed", done.result().getString("replayed")));
        })
        .onFailure(err -> {
          consumer.unregister();
          ctx.fail(err);
        });
  }

  /** One open stream: its bus consumer, its heartbeat timer. Everything runs on the route's context. */
  private final class StreamState {
    MessageConsumer<JsonObject> consumer;
    long timer = -1;
    boolean closed;
    /** The session may answer the connect with a replay before the stream's head is written. */
    List<JsonObject> early = new ArrayList<>();

    void open(HttpServerResponse response) {
      List<JsonObject> queued = early;
      early = null;
      queued.forEach(e -> write(response, e));
    }

    void write(HttpServerResponse response, JsonObject event) {
      if (early != null) {
        early.add(event);
        return;
      }
      if (closed || response.ended()) {
        return;
      }
      switch (event.getString("kind")) {
        case "dispatch" -> response.write("id: " + event.getString("id") + "\nevent: dispatch\ndata: "
            + event.getJsonObject("data").encode() + "\n\n");
        case "control" -> response.write("event: control\ndata: " + event.getJsonObject("data").encode() + "\n\n");
        case "close" -> {
          response.end("event: close\ndata: " + new JsonObject().put("reason", event.getString("reason")).encode() + "\n\n");
          return;
        }
        default -> { }
      }
      if (response.writeQueueFull()) {
        // an adapter that does not read its dispatches is of no use: drop it, it will reconnect
        response.end("event: close\ndata: {\"reason\":\"the adapter does not read its stream\"}\n\n");
      }
    }

    void heartbeat(HttpServerResponse response, long everyMs) {
      timer = routes.vertx().setTimer(Math.max(1, everyMs), t -> {
        if (!closed && !response.ended()) {
          response.write(": ping " + Instant.now() + "\n\n");
          heartbeat(response, everyMs); // re-armed one-shot
        }
      });
    }

    void closed(String instanceId, String address) {
      if (closed) {
        return;
      }
      closed = true;
      routes.vertx().cancelTimer(timer);
      consumer.unregister();
      routes.client().ask(instanceId, new InstanceRequest.ProviderOperation(AdapterSession.DISCONNECTED,
              new JsonObject().put("address", address)))
          .onFailure(err -> LOG.debug("adapter disconnect not delivered {} {}", kv("instanceId", instanceId),
              kv("error", String.valueOf(err))));
      LOG.info("adapter disconnected {}", kv("instanceId", instanceId));
    }
  }

  // ---------------------------------------------------------------- results and events

  private void result(RoutingContext ctx, String outcome) {
    String messageId = ctx.pathParam("messageId");
    JsonObject body = "ack".equals(outcome) ? Bodies.optionalObject(ctx) : Bodies.object(ctx);
    BodyReader r = new BodyReader(body);
    JsonObject op = new JsonObject().put("messageId", messageId).put("outcome", outcome);
    switch (outcome) {
      case "confirm" -> {
        r.rejectUnknown(Set.of("externalId"));
        op.put("externalId", r.string("externalId", true, 1, 256));
      }
      case "fail" -> {
        r.rejectUnknown(Set.of("reason", "retriable", "code"));
        op.put("reason", r.string("reason", true, 1, 500));
        op.put("retriable", r.bool("retriable", true));
        String code = r.string("code", false, 1, 32);
        if (code != null && !PERMANENT_CODES.contains(code)) {
          r.error("code", "invalid_value", "must be one of " + String.join(", ", new java.util.TreeSet<>(PERMANENT_CODES)));
        }
        op.put("code", code);
      }
      default -> r.rejectUnknown(Set.of());
    }
    r.throwIfInvalid();
    ask(ctx, ctx.get(INSTANCE), new InstanceRequest.ProviderOperation(AdapterSession.RESULT, op));
  }

  private void events(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx);
    BodyReader r = new BodyReader(body);
    r.rejectUnknown(Set.of("events"));
    JsonArray events = body.getValue("events") instanceof JsonArray a ? a : null;
    if (events == null || events.isEmpty() || events.size() > MAX_EVENTS) {
      r.error("events", "invalid_value", "must be an array of 1 to " + MAX_EVENTS + " events");
      r.throwIfInvalid();
    }
    JsonArray checked = new JsonArray();
    for (int i = 0; i < events.size(); i++) {
      checked.add(event(r, i, events.getValue(i)));
    }
    r.throwIfInvalid();
    ask(ctx, ctx.get(INSTANCE), new InstanceRequest.ProviderOperation(AdapterSession.EVENTS,
        new JsonObject().put("events", checked)));
  }

  /** One event, checked field by field; errors point at {@code /events/<i>/<field>}. */
  private static JsonObject event(BodyReader parent, int i, Object value) {
    BodyReader r = parent.element("events", i, value);
    if (r == null) {
      return new JsonObject();
    }
    JsonObject e = (JsonObject) value;
    String type = r.string("type", true, 1, 16);
    JsonObject out = new JsonObject().put("type", type);
    String when = r.string("at", false, 1, 64);
    if (when != null) {
      try {
        out.put("at", Instant.parse(when).toString());
      } catch (DateTimeParseException ex) {
        r.error("at", "invalid_format", "must be an RFC 3339 time");
      }
    }
    switch (type == null ? "" : type) {
      case "state" -> {
        r.rejectUnknown(Set.of("type", "at", "state", "qr", "reason"));
        String state = r.string("state", true, 1, 32);
        if (state != null && !STATES.contains(state)) {
          r.error("state", "invalid_value", "must be one of " + String.join(", ", new java.util.TreeSet<>(STATES)));
        }
        out.put("state", state).put("qr", r.string("qr", "NEEDS_QR".equals(state), 1, 4096))
            .put("reason", r.string("reason", false, 1, 500));
      }
      case "receipt" -> {
        r.rejectUnknown(Set.of("type", "at", "id", "externalId", "status", "error"));
        String status = r.string("status", true, 1, 16);
        if (status != null && !Set.of("sent", "delivered", "read", "failed").contains(status)) {
          r.error("status", "invalid_value", "must be sent, delivered, read or failed");
        }
        out.put("id", r.string("id", true, 1, 256)).put("externalId", r.string("externalId", true, 1, 256))
            .put("status", status).put("error", r.string("error", false, 1, 500));
      }
      case "message" -> {
        r.rejectUnknown(Set.of("type", "at", "id", "externalId", "chatId", "from", "text"));
        out.put("id", r.string("id", true, 1, 256)).put("externalId", r.string("externalId", false, 1, 256))
            .put("chatId", r.string("chatId", true, 1, 128)).put("from", r.string("from", true, 1, 128))
            .put("text", r.string("text", false, 0, 65_536));
      }
      case "vote" -> {
        r.rejectUnknown(Set.of("type", "at", "id", "pollExternalId", "voter", "options"));
        out.put("id", r.string("id", true, 1, 256)).put("pollExternalId", r.string("pollExternalId", true, 1, 256))
            .put("voter", r.string("voter", true, 1, 128));
        Object options = e.getValue("options");
        if (!(options instanceof JsonArray a) || a.size() > 12 || !a.stream().allMatch(o -> o instanceof String s
            && !s.isEmpty() && s.length() <= 100)) {
          r.error("options", "invalid_value", "must be an array of up to 12 option texts (empty withdraws the vote)");
        } else {
          out.put("options", a.copy());
        }
      }
      default -> r.error("type", "invalid_value", "must be state, receipt, message or vote");
    }
    return out;
  }

  private void ask(RoutingContext ctx, String instanceId, InstanceRequest request) {
    InstanceOpsRoutes.askAndRespond(ctx, routes.client(), instanceId, request).onFailure(ctx::fail);
  }
}
