package org.wahub.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.wahub.Addresses;
import org.wahub.api.ApiError;
import org.wahub.api.BodyReader;
import org.wahub.api.Bodies;
import org.wahub.api.Queries;
import org.wahub.api.Responses;
import org.wahub.auth.Authenticator;
import org.wahub.instance.Instance;
import org.wahub.instance.InstanceStore;
import org.wahub.provider.SimulatorLog;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Operations on a running instance: status, restart, stop, start, QR, and the simulator's fault
 * injection and send log. The HTTP side checks the tenant owns the instance, then asks the
 * instance's own verticle over the bus; the verticle decides.
 */
public final class InstanceOpsRoutes {

  private static final long BUS_TIMEOUT_MS = 5_000;
  private final Vertx vertx;
  private final InstanceStore instances;
  private final SimulatorLog simulatorLog;

  public InstanceOpsRoutes(Vertx vertx, InstanceStore instances, SimulatorLog simulatorLog) {
    this.vertx = vertx;
    this.instances = instances;
    this.simulatorLog = simulatorLog;
  }

  public void mount(Router router) {
    router.get("/instances/:instanceId/status").handler(ctx -> ask(ctx, new JsonObject().put("action", "status")));
    router.post("/instances/:instanceId/restart").handler(ctx -> {
      BodyReader body = new BodyReader(Bodies.optionalObject(ctx));
      body.rejectUnknown(Set.of("type"));
      String type = body.string("type", false, 1, 16);
      body.throwIfInvalid();
      ask(ctx, new JsonObject().put("action", "restart").put("type", type == null ? "soft" : type));
    });
    router.post("/instances/:instanceId/stop").handler(ctx -> ask(ctx, new JsonObject().put("action", "stop")));
    router.post("/instances/:instanceId/start").handler(ctx -> ask(ctx, new JsonObject().put("action", "start")));
    router.get("/instances/:instanceId/qr").handler(ctx -> ask(ctx, new JsonObject().put("action", "qr")));
    router.post("/instances/:instanceId/simulate").handler(ctx -> {
      JsonObject command = Bodies.object(ctx);
      if (!(command.getValue("event") instanceof String)) {
        throw ApiError.validation(List.of(new org.wahub.hub.validation.FieldError("/event", "required",
            "event is required (disconnect, needs_qr, auth_failure, ready, crash_after_send, receipt)")));
      }
      ask(ctx, new JsonObject().put("action", "simulate").put("command", command));
    });
    router.get("/instances/:instanceId/simulate/log").handler(ctx -> Responses.json(ctx, 200, log(ctx)));
  }

  private Future<Instance> owned(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    String id = ctx.pathParam("instanceId");
    return instances.get(tenantId, id).compose(found -> found.isPresent()
        ? Future.succeededFuture(found.get())
        : Future.failedFuture(ApiError.notFound("no instance " + id)));
  }

  private void ask(RoutingContext ctx, JsonObject request) {
    owned(ctx).compose(instance -> vertx.eventBus().<JsonObject>request(Addresses.instanceOps(instance.id()), request,
            new DeliveryOptions().setSendTimeout(BUS_TIMEOUT_MS))
        .recover(err -> Future.failedFuture(err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
            ? new ApiError(503, "instance_not_running", "Instance not running",
                "instance " + instance.id() + " is being (re)deployed; retry in a moment", List.of(), Map.of("Retry-After", "1"))
            : ApiError.unavailable("the instance did not answer in time"))))
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
            return;
          }
          JsonObject reply = ar.result().body();
          int status = reply.getInteger("status", 500);
          if (reply.containsKey("error")) {
            JsonObject e = reply.getJsonObject("error");
            Map<String, String> headers = reply.containsKey("retryAfter")
                ? Map.of("Retry-After", Long.toString(reply.getLong("retryAfter"))) : Map.of();
            ctx.fail(new ApiError(status, e.getString("code"), title(status), e.getString("detail"), List.of(), headers));
          } else {
            Responses.send(ctx, status, reply.getJsonObject("body", new JsonObject()));
          }
        });
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
    return owned(ctx).compose(instance -> "simulator".equals(instance.providerType())
        ? simulatorLog.list(instance.id(), afterId, limit)
        : Future.failedFuture(ApiError.conflict("not_a_simulator", "only simulator instances have a send log")));
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 409 -> "Conflict";
      case 429 -> "Too many restarts";
      case 503 -> "Service temporarily unavailable";
      default -> "Request failed";
    };
  }
}
