package org.wahub.delivery;

import org.wahub.api.Access;
import org.wahub.api.ApiRoutes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.wahub.api.ApiError;
import org.wahub.api.BodyReader;
import org.wahub.api.Bodies;
import org.wahub.api.Responses;
import org.wahub.auth.Authenticator;
import org.wahub.hub.instance.OperatorReply;
import org.wahub.hub.instance.RestartType;
import org.wahub.instance.InstanceStore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Operations on a running instance: status, restart, stop, start, QR. The route checks the tenant
 * owns the instance, asks the instance's own verticle over the bus, and turns its typed answer
 * into HTTP: this is the only place those answers get status codes.
 */
public final class InstanceOpsRoutes {

  private final InstanceStore instances;
  private final InstanceClient client;

  public InstanceOpsRoutes(InstanceStore instances, InstanceClient client) {
    this.instances = instances;
    this.client = client;
  }

  public void mount(ApiRoutes routes) {
    routes.get("/instances/:instanceId/status", Access.TENANT, ctx -> ask(ctx, new InstanceRequest.Status()));
    routes.post("/instances/:instanceId/restart", Access.TENANT, ctx -> {
      BodyReader body = new BodyReader(Bodies.optionalObject(ctx));
      body.rejectUnknown(Set.of("type"));
      String type = body.string("type", false, 1, 16);
      body.throwIfInvalid();
      RestartType parsed = RestartType.parse(type == null ? "soft" : type)
          .orElseThrow(() -> ApiError.badRequest("invalid_restart_type", "type must be \"soft\" or \"hard\""));
      ask(ctx, new InstanceRequest.Restart(parsed));
    });
    routes.post("/instances/:instanceId/stop", Access.TENANT, ctx -> ask(ctx, new InstanceRequest.Stop()));
    routes.post("/instances/:instanceId/start", Access.TENANT, ctx -> ask(ctx, new InstanceRequest.Start()));
    routes.get("/instances/:instanceId/qr", Access.TENANT, ctx -> ask(ctx, new InstanceRequest.Qr()));
  }

  private void ask(RoutingContext ctx, InstanceRequest request) {
    String tenantId = Authenticator.requireTenant(ctx);
    InstanceClient.owned(instances, tenantId, ctx.pathParam("instanceId"))
        .compose(instance -> client.ask(instance.id(), request))
        .onSuccess(reply -> respond(ctx, reply))
        .onFailure(ctx::fail);
  }

  public static void respond(RoutingContext ctx, InstanceReply reply) {
    if (reply instanceof InstanceReply.Status s) {
      Responses.send(ctx, 200, s.view());
    } else if (reply instanceof InstanceReply.Operator op) {
      operator(ctx, op.reply());
    } else if (reply instanceof InstanceReply.Qr qr) {
      if (qr.qr() == null) {
        ctx.fail(ApiError.conflict("no_qr", "a QR code exists only while the instance is NEEDS_QR (now " + qr.state() + ")"));
      } else {
        Responses.send(ctx, 200, new JsonObject().put("qr", qr.qr()).put("state", qr.state().name()));
      }
    } else if (reply instanceof InstanceReply.OperationDone done) {
      Responses.send(ctx, 200, done.result());
    } else if (reply instanceof InstanceReply.OperationFailed failed) {
      ctx.fail(failed.error());
    } else if (reply instanceof InstanceReply.Unavailable u) {
      ctx.fail(ApiError.unavailable(u.detail()));
    }
  }

  private static void operator(RoutingContext ctx, OperatorReply reply) {
    if (reply instanceof OperatorReply.Done done) {
      Responses.send(ctx, 200, new JsonObject().put("state", done.state().name()));
    } else if (reply instanceof OperatorReply.Accepted accepted) {
      Responses.send(ctx, 202, new JsonObject().put("state", accepted.state().name()));
    } else {
      OperatorReply.Refused r = (OperatorReply.Refused) reply;
      boolean window = r.refusal() == OperatorReply.Refusal.RESTART_WINDOW_EXHAUSTED;
      Map<String, String> headers = Map.of();
      if (r.retryAt() != null) {
        long seconds = Math.max(1, (Duration.between(Instant.now(), r.retryAt()).toMillis() + 999) / 1000);
        headers = Map.of("Retry-After", Long.toString(seconds));
      }
      ctx.fail(new ApiError(window ? 429 : 409, r.refusal().code(), window ? "Too many restarts" : "Conflict",
          r.detail(), List.of(), headers));
    }
  }

  /** For provider routes that ask an instance and answer like these routes. */
  public static Future<Void> askAndRespond(RoutingContext ctx, InstanceClient client, String instanceId, InstanceRequest request) {
    return client.ask(instanceId, request).onSuccess(reply -> respond(ctx, reply)).mapEmpty();
  }
}
