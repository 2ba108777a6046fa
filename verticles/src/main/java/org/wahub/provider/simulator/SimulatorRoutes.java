package org.wahub.provider.simulator;

import org.wahub.api.Access;
import org.wahub.api.ApiRoutes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.wahub.api.ApiError;
import org.wahub.api.BodyReader;
import org.wahub.api.Bodies;
import org.wahub.api.Queries;
import org.wahub.api.Responses;
import org.wahub.auth.Authenticator;
import org.wahub.delivery.InstanceClient;
import org.wahub.delivery.InstanceOpsRoutes;
import org.wahub.delivery.InstanceRequest;
import org.wahub.instance.Instance;
import org.wahub.provider.ProviderRoutes;

import java.util.Set;
import java.util.TreeSet;

/**
 * The simulator's own routes: fault injection ({@code POST /instances/:id/simulate}, validated
 * here, carried out by the instance's session) and the simulated phone's send log.
 */
final class SimulatorRoutes {

  static final String OPERATION = "simulate";
  static final Set<String> EVENTS = Set.of("disconnect", "needs_qr", "auth_failure", "ready", "crash_after_send",
      "receipt", "fail_next", "inbound_message", "poll_vote", "vote_failed");
  private static final Set<String> FIELDS = Set.of("event", "failRestarts", "halt", "count", "kind",
      "providerMessageId", "status", "error", "eventId", "at", "from", "chatId", "text", "voter", "options");

  private final ProviderRoutes routes;
  private final SimulatorLog log;

  SimulatorRoutes(ProviderRoutes routes) {
    this.routes = routes;
    this.log = new SimulatorLog(routes.pool());
  }

  void mount() {
    routes.api().post("/instances/:instanceId/simulate", Access.TENANT, this::simulate);
    routes.api().get("/instances/:instanceId/simulate/log", Access.TENANT, ctx -> Responses.json(ctx, 200, log(ctx)));
  }

  private void simulate(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    JsonObject command = command(Bodies.object(ctx));
    simulatorOf(ctx, tenantId)
        .compose(instance -> InstanceOpsRoutes.askAndRespond(ctx, routes.client(), instance.id(),
            new InstanceRequest.ProviderOperation(OPERATION, command)))
        .onFailure(ctx::fail);
  }

  /** Checks every field's type and range: a bad command is a 400 here, never a time-out in the instance. */
  private JsonObject command(JsonObject body) {
    BodyReader r = new BodyReader(body);
    r.rejectUnknown(FIELDS);
    String event = r.string("event", true, 1, 32);
    if (event != null && !EVENTS.contains(event)) {
      r.error("event", "invalid_value", "must be one of " + String.join(", ", new TreeSet<>(EVENTS)));
    }
    Integer failRestarts = r.integer("failRestarts", false, 0, 1000);
    Boolean halt = r.bool("halt", false);
    Integer count = r.integer("count", false, 0, 10_000);
    String kind = r.string("kind", false, 1, 16);
    if (kind != null && !Set.of("retriable", "permanent").contains(kind)) {
      r.error("kind", "invalid_value", "must be retriable or permanent");
    }
    boolean aboutASend = Set.of("receipt", "poll_vote", "vote_failed").contains(event);
    String providerMessageId = r.string("providerMessageId", aboutASend, 1, 256);
    String status = r.string("status", false, 1, 16);
    if (status != null && !Set.of("sent", "delivered", "read", "failed").contains(status)) {
      r.error("status", "invalid_value", "must be sent, delivered, read or failed");
    }
    // inbound items: what the provider would report (eventId: replay one by sending it again)
    String error = r.string("error", false, 1, 500);
    String eventId = r.string("eventId", false, 1, 256);
    String at = r.string("at", false, 1, 64);
    if (at != null) {
      try {
        java.time.Instant.parse(at);
      } catch (java.time.format.DateTimeParseException e) {
        r.error("at", "invalid_format", "must be an ISO-8601 instant like 2026-03-01T10:00:00Z");
      }
    }
    String from = r.string("from", "inbound_message".equals(event), 1, 128);
    String chatId = r.string("chatId", false, 1, 128);
    String text = r.string("text", "inbound_message".equals(event), 1, 4096);
    String voter = r.string("voter", "poll_vote".equals(event) || "vote_failed".equals(event), 1, 128);
    io.vertx.core.json.JsonArray options = null;
    if (r.has("options")) {
      Object raw = body.getValue("options");
      if (!(raw instanceof io.vertx.core.json.JsonArray a) || a.size() > 12
          || a.stream().anyMatch(o -> !(o instanceof String s) || s.isEmpty() || s.length() > 100)) {
        r.error("options", "invalid_value", "must be an array of up to 12 option texts (empty withdraws the vote)");
      } else {
        options = a.copy();
      }
    } else if ("poll_vote".equals(event)) {
      r.error("options", "required", "is required (the voter's whole selection; empty withdraws the vote)");
    }
    r.throwIfInvalid();
    if (Boolean.TRUE.equals(halt) && !routes.hub().simulatorAllowHalt()) {
      // halting the JVM stops every tenant's traffic: an operator's crash test, off by default
      throw new ApiError(403, "halt_not_allowed", "Not allowed",
          "halting the process needs the operator setting HUB_SIMULATOR_ALLOW_HALT=true");
    }
    JsonObject out = new JsonObject().put("event", event);
    putIfSet(out, "failRestarts", failRestarts);
    putIfSet(out, "halt", halt);
    putIfSet(out, "count", count);
    putIfSet(out, "kind", kind);
    putIfSet(out, "providerMessageId", providerMessageId);
    putIfSet(out, "status", status);
    putIfSet(out, "error", error);
    putIfSet(out, "eventId", eventId);
    putIfSet(out, "at", at);
    putIfSet(out, "from", from);
    putIfSet(out, "chatId", chatId);
    putIfSet(out, "text", text);
    putIfSet(out, "voter", voter);
    putIfSet(out, "options", options);
    return out;
  }

  private static void putIfSet(JsonObject out, String name, Object value) {
    if (value != null) {
      out.put(name, value);
    }
  }

  private Future<Instance> simulatorOf(RoutingContext ctx, String tenantId) {
    return InstanceClient.owned(routes.instances(), tenantId, ctx.pathParam("instanceId"))
        .compose(instance -> "simulator".equals(instance.providerType())
            ? Future.succeededFuture(instance)
            : Future.failedFuture(ApiError.conflict("not_a_simulator", "only simulator instances accept simulated events and have a send log")));
  }

  private Future<JsonObject> log(RoutingContext ctx) {
    String after = ctx.queryParams().get("after");
    long afterId;
    try {
      afterId = after == null ? 0 : Long.parseLong(after);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("invalid_cursor", "after must be a nextCursor value from an earlier page");
    }
    int limit = Queries.limit(ctx.queryParams().get("limit"));
    return simulatorOf(ctx, Authenticator.requireTenant(ctx)).compose(instance -> log.list(instance.id(), afterId, limit));
  }
}
