package org.wahub.provider.cloudapi;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.wahub.api.Access;
import org.wahub.api.ApiError;
import org.wahub.api.Responses;
import org.wahub.delivery.InstanceOpsRoutes;
import org.wahub.delivery.InstanceReply;
import org.wahub.delivery.InstanceRequest;
import org.wahub.instance.Instance;
import org.wahub.provider.ProviderRoutes;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Meta's webhook for one cloud-api instance, {@value #PATH} (PROVIDERS.md §1.6). Its credentials
 * are the instance's own secrets, not hub keys:
 * <ul>
 * <li>{@code GET}: the subscription check. No {@code hub.verify_token} at all is a {@code 401};
 *     a wrong one (or another mode, or an instance without a verify token) a {@code 403}; a match
 *     answers {@code hub.challenge} as {@code text/plain}.</li>
 * <li>{@code POST}: events, signed with {@code X-Hub-Signature-256} (HMAC-SHA256 of the raw body
 *     with the app secret). Without a valid signature: {@code 401} and nothing is handed on. A valid
 *     payload goes to the running instance over the bus and is answered {@code 200} as soon as the
 *     instance took it (a few milliseconds: Meta wants an answer fast, and retries anything but a
 *     200 for days, so an instance that is not running answers {@code 503} and gets it again).</li>
 * </ul>
 * An unknown instance, or one of another type, answers like wrong credentials: nobody without them
 * learns which instances exist.
 */
final class CloudApiRoutes {

  static final String PATH = "/providers/cloud-api/:instanceId/webhook";
  /** Meta's challenge is a short random number; anything longer is not Meta. */
  private static final int MAX_CHALLENGE = 1024;

  private final ProviderRoutes routes;

  CloudApiRoutes(ProviderRoutes routes) {
    this.routes = routes;
  }

  void mount() {
    routes.api().guarded(HttpMethod.GET, PATH, Access.PROVIDER_SIGNATURE, this::verifyToken, this::challenge);
    routes.api().guarded(HttpMethod.POST, PATH, Access.PROVIDER_SIGNATURE, this::signature, this::events);
  }

  // ---------------------------------------------------------------- GET: subscription check

  private void verifyToken(RoutingContext ctx) {
    String token = ctx.queryParams().get("hub.verify_token");
    if (token == null) {
      ctx.fail(noCredentials("the subscription check needs hub.verify_token"));
      return;
    }
    String mode = ctx.queryParams().get("hub.mode");
    instance(ctx).onSuccess(found -> {
      String configured = found.map(i -> i.providerConfig().getString("verifyToken")).orElse(null);
      if (!CloudApiWebhook.verifies(mode, token, configured)) {
        ctx.fail(new ApiError(403, "verification_failed", "Webhook verification failed",
            "hub.mode must be subscribe and hub.verify_token the instance's verifyToken"));
        return;
      }
      ctx.next();
    }).onFailure(ctx::fail);
  }

  private void challenge(RoutingContext ctx) {
    String challenge = ctx.queryParams().get("hub.challenge");
    if (challenge == null || challenge.isEmpty() || challenge.length() > MAX_CHALLENGE) {
      throw ApiError.badRequest("invalid_challenge", "hub.challenge must be given (at most " + MAX_CHALLENGE + " characters)");
    }
    ctx.response().setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(challenge);
  }

  // ---------------------------------------------------------------- POST: events

  private void signature(RoutingContext ctx) {
    String header = ctx.request().getHeader(CloudApiWebhook.SIGNATURE_HEADER);
    if (header == null) {
      ctx.fail(noCredentials("events must be signed with " + CloudApiWebhook.SIGNATURE_HEADER));
      return;
    }
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    instance(ctx).onSuccess(found -> {
      String secret = found.map(i -> i.providerConfig().getString("appSecret")).orElse(null);
      // verified over the raw bytes, before anything is parsed
      if (!CloudApiWebhook.signatureValid(secret, raw, header)) {
        ctx.fail(new ApiError(401, "invalid_signature", "Invalid webhook signature",
            CloudApiWebhook.SIGNATURE_HEADER + " does not match the body and the instance's appSecret"));
        return;
      }
      ctx.next();
    }).onFailure(ctx::fail);
  }

  private void events(RoutingContext ctx) {
    JsonObject payload;
    try {
      payload = new JsonObject(ctx.body().buffer());
    } catch (RuntimeException e) {
      throw ApiError.malformedJson("the signed body is not a JSON object");
    }
    String instanceId = ctx.pathParam("instanceId");
    routes.client().ask(instanceId, new InstanceRequest.ProviderOperation(CloudApiSession.WEBHOOK, payload))
        .onSuccess(reply -> {
          if (reply instanceof InstanceReply.OperationDone done) {
            Responses.send(ctx, 200, done.result());
          } else {
            InstanceOpsRoutes.respond(ctx, reply);
          }
        })
        .onFailure(ctx::fail);
  }

  // ---------------------------------------------------------------- helpers

  /** The cloud-api instance named in the path, or empty (unknown, or of another type). */
  private io.vertx.core.Future<Optional<Instance>> instance(RoutingContext ctx) {
    String id = ctx.pathParam("instanceId");
    if (id == null || !Instance.ID.matcher(id).matches()) {
      return io.vertx.core.Future.succeededFuture(Optional.empty());
    }
    return routes.instances().get(id).map(found -> found.filter(i -> CloudApiType.NAME.equals(i.providerType())));
  }

  private static ApiError noCredentials(String detail) {
    return new ApiError(401, "unauthorized", "Missing webhook credentials", detail, List.of(), Map.of());
  }
}
