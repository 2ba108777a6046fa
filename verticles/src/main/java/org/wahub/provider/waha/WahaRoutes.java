package org.wahub.provider.waha;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.wahub.api.Access;
import org.wahub.api.ApiError;
import org.wahub.api.Bodies;
import org.wahub.api.BodyReader;
import org.wahub.api.Responses;
import org.wahub.auth.Authenticator;
import org.wahub.delivery.InstanceClient;
import org.wahub.delivery.InstanceOpsRoutes;
import org.wahub.delivery.InstanceReply;
import org.wahub.delivery.InstanceRequest;
import org.wahub.instance.Instance;
import org.wahub.provider.ProviderRoutes;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The waha provider's routes:
 * <ul>
 * <li>{@code POST /providers/waha/:instanceId/webhook}: the events WAHA posts, taken only with a
 *     valid {@code X-Webhook-Hmac} of the instance's {@code webhookHmacKey} (else 401, and nothing
 *     reaches the instance); handed to the instance's session over the bus and answered as soon as
 *     it took them. An instance that is not running answers 503, so WAHA retries later.</li>
 * <li>{@code POST /instances/:instanceId/pairing-code {"phoneNumber"}} (tenant key): pairing by a
 *     code typed on the phone instead of a QR scan.</li>
 * </ul>
 */
final class WahaRoutes {

  static final String WEBHOOK = "/providers/waha/:instanceId/webhook";
  static final String PAIRING_CODE = "/instances/:instanceId/pairing-code";
  private static final String INSTANCE = "waha.instanceId";
  /** International format without the plus, as WAHA wants it ({@code 12132132130}). */
  private static final Pattern PHONE = Pattern.compile("\\+?[0-9]{7,15}");
  private static final int MAX_REQUEST_ID = 128;

  private final ProviderRoutes routes;

  WahaRoutes(ProviderRoutes routes) {
    this.routes = routes;
  }

  void mount() {
    routes.api().post(PAIRING_CODE, Access.TENANT, this::pairingCode);
    routes.api().guarded(HttpMethod.POST, WEBHOOK, Access.PROVIDER_SIGNATURE, this::signature, this::webhook);
  }

  // ---------------------------------------------------------------- pairing code

  private void pairingCode(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    BodyReader r = new BodyReader(Bodies.object(ctx));
    r.rejectUnknown(Set.of("phoneNumber"));
    String phone = r.string("phoneNumber", true, 1, 32);
    if (phone != null && !PHONE.matcher(phone).matches()) {
      r.error("phoneNumber", "invalid_format", "the number in international format, digits only (an optional leading +)");
    }
    r.throwIfInvalid();
    String digits = phone.startsWith("+") ? phone.substring(1) : phone;
    InstanceClient.owned(routes.instances(), tenantId, ctx.pathParam("instanceId"))
        .compose(instance -> WahaType.NAME.equals(instance.providerType())
            ? Future.succeededFuture(instance)
            : Future.failedFuture(ApiError.conflict("not_a_waha_instance", "only waha instances pair by code")))
        .compose(instance -> InstanceOpsRoutes.askAndRespond(ctx, routes.client(), instance.id(),
            new InstanceRequest.ProviderOperation(WahaSession.OP_PAIRING_CODE, new JsonObject().put("phoneNumber", digits))))
        .onFailure(ctx::fail);
  }

  // ---------------------------------------------------------------- webhook

  /**
   * The signature check, before the body is even parsed. An unknown instance, one of another type
   * and one without an HMAC key answer exactly like a wrong signature (and cost the same HMAC): the
   * route tells nobody without the key what exists.
   */
  private void signature(RoutingContext ctx) {
    String id = ctx.pathParam("instanceId");
    if (id == null || !Instance.ID.matcher(id).matches()) {
      admit(ctx, null, null);
      return;
    }
    routes.instances().get(id)
        .onSuccess(found -> admit(ctx, id, found.filter(i -> WahaType.NAME.equals(i.providerType()))
            .map(i -> i.providerConfig().getString("webhookHmacKey")).orElse(null)))
        .onFailure(ctx::fail);
  }

  private static void admit(RoutingContext ctx, String instanceId, String key) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    byte[] raw = body == null ? new byte[0] : body.getBytes();
    boolean valid = WahaWebhook.verify(key, raw, ctx.request().getHeader(WahaWebhook.SIGNATURE_HEADER),
        ctx.request().getHeader(WahaWebhook.ALGORITHM_HEADER));
    if (!valid || instanceId == null) {
      ctx.fail(new ApiError(401, "invalid_signature", "Missing or invalid webhook signature",
          "a valid " + WahaWebhook.SIGNATURE_HEADER + " (HMAC-SHA512 of the body with the instance's webhookHmacKey) is required",
          List.of(), Map.of()));
      return;
    }
    ctx.put(INSTANCE, instanceId);
    ctx.next();
  }

  private void webhook(RoutingContext ctx) {
    String instanceId = ctx.get(INSTANCE);
    JsonObject event = Bodies.object(ctx);
    String requestId = ctx.request().getHeader(WahaWebhook.REQUEST_ID_HEADER);
    if (requestId != null && (requestId.length() > MAX_REQUEST_ID || !requestId.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      requestId = null; // not something to key on
    }
    routes.client().ask(instanceId, new InstanceRequest.ProviderOperation(WahaSession.OP_WEBHOOK,
            new JsonObject().put("event", event).put("requestId", requestId)))
        .onSuccess(reply -> {
          if (reply instanceof InstanceReply.OperationDone done) {
            Responses.send(ctx, 200, done.result());
          } else if (reply instanceof InstanceReply.OperationFailed failed) {
            ctx.fail(failed.error());
          } else {
            ctx.fail(ApiError.unavailable("the instance could not take the event"));
          }
        })
        .onFailure(ctx::fail);
  }
}
