package org.wahub.intake;

import org.wahub.api.Access;
import org.wahub.api.ApiRoutes;
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
import org.wahub.hub.validation.FieldError;
import org.wahub.hub.validation.OutboundRequest;
import org.wahub.hub.validation.OutboundValidator;
import org.wahub.hub.validation.ValidationResult;
import org.wahub.metrics.HubMetrics;
import org.wahub.provider.ProviderRegistry;
import org.wahub.provider.ProviderType;
import org.wahub.tenant.QuotaErrors;
import org.wahub.tenant.TenantRateLimiter;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

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
  private final HubConfig config;
  private final TenantRateLimiter tenantRate;
  private final HubMetrics metrics;

  public IntakeRoutes(Vertx vertx, HubConfig config, HubMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.config = config;
    this.tenantRate = TenantRateLimiter.shared(vertx);
    this.validator = new OutboundValidator(config.payloadLimits());
    this.timeoutMs = config.intakeTimeout().toMillis();
    this.shards = Math.max(1, config.intakeVerticles());
  }

  /** The intake shard of an instance: stable, so one instance's batches never race each other across verticles. */
  public static int shardOf(String instanceId, int shards) {
    return Math.floorMod(instanceId.hashCode(), shards);
  }

  public void mount(ApiRoutes routes) {
    routes.post("/instances/:instanceId/messages", Access.TENANT, ctx -> accept(ctx, false));
    routes.post("/instances/:instanceId/polls", Access.TENANT, ctx -> accept(ctx, true));
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
    // counts every valid request handed to the intake (new, replayed or refused there alike): each
    // costs the intake a database round trip; invalid ones do not and are not counted
    int perMinute = Authenticator.principal(ctx).quotas().acceptedPerMinute(config);
    long retryAfter = tenantRate.tryAcquire(tenantId, perMinute, System.currentTimeMillis());
    if (retryAfter > 0) {
      throw QuotaErrors.acceptedPerMinute(perMinute, retryAfter);
    }
    String key = req.idempotencyKey(instanceId);
    IntakeRequest intake = new IntakeRequest(RequestIds.get(ctx), tenantId, instanceId, key,
        !req.hasExplicitKey(), req.payloadHash(), req.kind().wire(), req.recipient().chatId(),
        req.recipient().isGroup() ? req.recipient().chatId() : req.recipient().e164(), new JsonObject(req.content()).encode(),
        req.metadata() == null ? null : new JsonObject(req.metadata()).encode(),
        utc(req.sendAt()), utc(req.expiresAt()), refusedBy(req), System.nanoTime());
    vertx.eventBus().<IntakeResult>request(Addresses.intake(shardOf(instanceId, shards)), intake, LocalCodec.options().setSendTimeout(timeoutMs))
        .onComplete(ar -> {
          if (ar.failed()) {
            metrics.intakeRefused("timeout");
            ctx.fail(ar.cause() instanceof ReplyException
                ? ApiError.unavailable("the intake did not answer in time; the message may or may not be stored: "
                    + "retry with the same Idempotency-Key")
                : ar.cause());
            return;
          }
          answer(ctx, instanceId, key, req, ar.result().body());
        });
  }

  /**
   * The provider types that cannot carry this message, comma-separated, or null. Pure and in
   * memory: the intake statement compares it with the instance's type it reads anyway.
   */
  static String refusedBy(OutboundRequest req) {
    StringBuilder types = null;
    for (ProviderType type : ProviderRegistry.defaults().all()) {
      if (type.refuses(req.kind().wire(), req.content()).isPresent()) {
        types = types == null ? new StringBuilder(type.name()) : types.append(',').append(type.name());
      }
    }
    return types == null ? null : types.toString();
  }

  private void answer(RoutingContext ctx, String instanceId, String key, OutboundRequest req, IntakeResult result) {
    count(instanceId, result);
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
    } else if (result instanceof IntakeResult.Unsupported u) {
      Optional<FieldError> why = ProviderRegistry.defaults().find(u.providerType())
          .flatMap(t -> t.refuses(req.kind().wire(), req.content()));
      ctx.fail(ApiError.validation(List.of(why.orElseGet(() -> new FieldError("", FieldError.UNSUPPORTED_BY_PROVIDER,
          "a " + u.providerType() + " instance cannot carry this message")))));
    } else if (result instanceof IntakeResult.UnknownInstance) {
      ctx.fail(ApiError.notFound("no instance " + instanceId));
    } else if (result instanceof IntakeResult.Failed f) {
      ctx.fail(f.cause() instanceof IntakeResult.Unavailable
          ? ApiError.unavailable("the hub could not store the message right now (" + f.cause().getMessage()
              + "); nothing was accepted, retry later")
          : Problems.toApiError(f.cause()));
    }
  }

  /** One counter per answer; the instance label only where the instance exists for this tenant. */
  private void count(String instanceId, IntakeResult result) {
    if (result instanceof IntakeResult.Accepted) {
      metrics.accepted(instanceId);
    } else if (result instanceof IntakeResult.Replayed || result instanceof IntakeResult.Completed) {
      metrics.replayed(instanceId);
    } else if (result instanceof IntakeResult.KeyConflict) {
      metrics.intakeRefused("key_conflict");
    } else if (result instanceof IntakeResult.QueueFull) {
      metrics.intakeRefused("queue_full");
    } else if (result instanceof IntakeResult.UnknownInstance) {
      metrics.intakeRefused("unknown_instance");
    } else if (result instanceof IntakeResult.Failed f) {
      metrics.intakeRefused(f.cause() instanceof IntakeResult.Unavailable ? "unavailable" : "error");
    }
  }

  private static JsonObject accepted(String id, String status, String instanceId, String key) {
    return new JsonObject().put("id", id).put("status", status).put("instanceId", instanceId).put("idempotencyKey", key);
  }

  private static OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }
}
