package org.wahub.intake;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.wahub.instance.Instance;
import org.wahub.Addresses;
import org.wahub.HubConfig;
import org.wahub.api.ApiError;
import org.wahub.api.Bodies;
import org.wahub.api.JsonTrees;
import org.wahub.api.Problems;
import org.wahub.api.RequestIds;
import org.wahub.api.Responses;
import org.wahub.auth.Authenticator;
import org.wahub.hub.validation.OutboundRequest;
import org.wahub.hub.validation.OutboundValidator;
import org.wahub.hub.validation.ValidationResult;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * {@code POST /instances/:id/messages} and {@code /polls}: validate with the hub/ rules, hand the
 * request to an IdempotencyVerticle, and answer only once it is committed (or known).
 */
public final class IntakeRoutes {

  public static final String REPLAYED_HEADER = "Idempotent-Replayed";

  private final Vertx vertx;
  private final OutboundValidator validator;
  private final long timeoutMs;
  private final int shards;

  public IntakeRoutes(Vertx vertx, HubConfig config) {
    this.vertx = vertx;
    this.validator = new OutboundValidator(OutboundValidator.Limits.defaults());
    this.timeoutMs = config.intakeTimeout().toMillis();
    this.shards = Math.max(1, config.intakeVerticles());
  }

  /** The intake shard of an instance: stable, so one instance's batches never race each other across verticles. */
  public static int shardOf(String instanceId, int shards) {
    return Math.floorMod(instanceId.hashCode(), shards);
  }

  public void mount(Router router) {
    router.post("/instances/:instanceId/messages").handler(ctx -> accept(ctx, false));
    router.post("/instances/:instanceId/polls").handler(ctx -> accept(ctx, true));
  }

  private void accept(RoutingContext ctx, boolean poll) {
    String tenantId = Authenticator.requireTenant(ctx);
    String instanceId = ctx.pathParam("instanceId");
    JsonObject body = Bodies.object(ctx);
    if (!Instance.ID.matcher(instanceId).matches()) {
      throw ApiError.notFound("no instance " + instanceId);
    }
    String headerKey = ctx.request().getHeader("Idempotency-Key");
    Instant now = Instant.now();
    ValidationResult result = poll
        ? validator.validatePoll(JsonTrees.plain(body), headerKey, now)
        : validator.validateMessage(JsonTrees.plain(body), headerKey, now);
    if (result instanceof ValidationResult.Invalid invalid) {
      throw ApiError.validation(invalid.errors());
    }
    OutboundRequest req = ((ValidationResult.Valid) result).request();
    String key = req.idempotencyKey(instanceId);
    IntakeRequest intake = new IntakeRequest(RequestIds.get(ctx), tenantId, instanceId, key,
        !req.hasExplicitKey(), req.payloadHash(), req.kind().wire(), req.recipient().chatId(),
        req.recipient().isGroup() ? req.recipient().chatId() : req.recipient().e164(), new JsonObject(req.content()).encode(),
        req.metadata() == null ? null : new JsonObject(req.metadata()).encode(),
        utc(req.sendAt()), utc(req.expiresAt()), System.nanoTime());
    vertx.eventBus().<IntakeResult>request(Addresses.intake(shardOf(instanceId, shards)), intake, LocalCodec.options().setSendTimeout(timeoutMs))
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause() instanceof ReplyException
                ? ApiError.unavailable("the intake did not answer in time; the message may or may not be stored: "
                    + "retry with the same Idempotency-Key")
                : ar.cause());
            return;
          }
          answer(ctx, instanceId, key, ar.result().body());
        });
  }

  private static void answer(RoutingContext ctx, String instanceId, String key, IntakeResult result) {
    if (result instanceof IntakeResult.Accepted a) {
      ctx.response().putHeader("Location", "/messages/" + a.id());
      Responses.send(ctx, 202, accepted(a.id(), "queued", instanceId, key));
    } else if (result instanceof IntakeResult.Replayed r) {
      ctx.response().putHeader("Location", "/messages/" + r.id()).putHeader(REPLAYED_HEADER, "true");
      Responses.send(ctx, 202, accepted(r.id(), r.status(), instanceId, key));
    } else if (result instanceof IntakeResult.Completed c) {
      ctx.response().putHeader("Location", "/messages/" + c.message().getString("id")).putHeader(REPLAYED_HEADER, "true");
      Responses.send(ctx, 200, c.message());
    } else if (result instanceof IntakeResult.KeyConflict k) {
      ctx.fail(ApiError.idempotencyKeyReused(k.key()));
    } else if (result instanceof IntakeResult.QueueFull q) {
      ctx.fail(ApiError.queueFull(instanceId, q.cap(), q.retryAfterSeconds()));
    } else if (result instanceof IntakeResult.UnknownInstance) {
      ctx.fail(ApiError.notFound("no instance " + instanceId));
    } else if (result instanceof IntakeResult.Failed f) {
      ctx.fail(f.cause() instanceof IllegalStateException
          ? ApiError.unavailable("the hub could not store the message right now (" + f.cause().getMessage()
              + "); nothing was accepted, retry later")
          : Problems.toApiError(f.cause()));
    }
  }

  private static JsonObject accepted(String id, String status, String instanceId, String key) {
    return new JsonObject().put("id", id).put("status", status).put("instanceId", instanceId).put("idempotencyKey", key);
  }

  private static OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }
}
