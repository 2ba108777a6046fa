package org.wahub.message;

import org.wahub.api.Access;
import org.wahub.api.ApiRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.instance.Instance;
import org.wahub.Addresses;
import org.wahub.api.ApiError;
import org.wahub.api.Bodies;
import org.wahub.api.BodyReader;
import org.wahub.api.RequestIds;
import org.wahub.api.Responses;
import org.wahub.auth.Authenticator;
import org.wahub.hub.message.MessageStatus;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Dead-letter management (DESIGN §6): {@code POST /messages/:id/retry}, {@code POST /messages/:id/cancel},
 * {@code DELETE /messages/:id} and the bulk {@code POST /messages/retry}. Tenant-scoped: another
 * tenant's, an unknown or a malformed id is a 404. Which statuses each operation accepts comes from
 * the domain's {@link MessageStatus} transitions (see {@link MessageOps}).
 *
 * <p>Codes: 200 with the message (and its history) for retry and cancel; 204 for delete;
 * 409 {@code illegal_transition} (status does not allow it), 409 {@code message_in_flight}
 * (cancel while sending), 409 {@code message_pending} (delete while queued/sending),
 * 429 {@code queue_full} with {@code Retry-After} (a retry would exceed the queue cap).
 */
final class MessageOpsRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(MessageOpsRoutes.class);
  static final int BULK_DEFAULT_LIMIT = 100;
  static final int BULK_MAX_LIMIT = 1000;
  private static final int MAX_REASON = 500;
  private static final int MAX_DATE_TIME_LENGTH = 64;

  private final Vertx vertx;
  private final MessageOps ops;
  private final org.wahub.metrics.HubMetrics metrics;

  MessageOpsRoutes(Vertx vertx, MessageOps ops, org.wahub.metrics.HubMetrics metrics) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.ops = ops;
  }

  void mount(ApiRoutes routes) {
    // "/messages/retry" has two segments, "/messages/:id/retry" three: they cannot shadow each other
    routes.post("/messages/retry", Access.TENANT, ctx -> Responses.json(ctx, 200, retryMany(ctx)));
    routes.post("/messages/:messageId/retry", Access.TENANT, ctx -> Responses.json(ctx, 200, retry(ctx)));
    routes.post("/messages/:messageId/cancel", Access.TENANT, ctx -> Responses.json(ctx, 200, cancel(ctx)));
    routes.delete("/messages/:messageId", Access.TENANT, ctx -> Responses.noContent(ctx, delete(ctx)));
  }

  private Future<JsonObject> retry(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    UUID id = messageId(ctx);
    String detail = detail("retried via API", optionalReason(ctx));
    return ops.retry(tenantId, id, detail).compose(outcome -> {
      if (outcome instanceof MessageOps.Outcome.Changed c) {
        // the message re-entered the queue: let its instance's send loop look again now
        vertx.eventBus().publish(Addresses.instanceWake(c.instanceId()), null);
        log("retried", ctx, tenantId, id, c.from(), c.instanceId());
        return Future.succeededFuture(c.message());
      }
      if (outcome instanceof MessageOps.Outcome.QueueFull q) {
        return Future.failedFuture(ApiError.queueFull(q.instanceId(), q.cap(), retryAfterSeconds(q.perMinute())));
      }
      if (outcome instanceof MessageOps.Outcome.WrongStatus w) {
        return Future.failedFuture(illegal(id, w.current(), "retried", MessageOps.RETRYABLE));
      }
      return Future.failedFuture(otherwise(id, outcome));
    });
  }

  private Future<JsonObject> cancel(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    UUID id = messageId(ctx);
    String detail = detail("cancelled via API", optionalReason(ctx));
    return ops.cancel(tenantId, id, detail).compose(outcome -> {
      if (outcome instanceof MessageOps.Outcome.Changed c) {
        org.wahub.event.EventSignal.written(vertx, tenantId);
        metrics.eventsWritten(org.wahub.hub.event.EventType.MESSAGE_CANCELLED.wire(), 1);
        if (c.from() == MessageStatus.QUEUED) {
          // a cancelled queued message may have been its chat's head, holding later ones back
          vertx.eventBus().publish(Addresses.instanceWake(c.instanceId()), null);
        }
        log("cancelled", ctx, tenantId, id, c.from(), c.instanceId());
        return Future.succeededFuture(c.message());
      }
      if (outcome instanceof MessageOps.Outcome.WrongStatus w) {
        return Future.failedFuture(w.current() == MessageStatus.SENDING
            ? ApiError.conflict("message_in_flight", "message " + id + " is being sent right now; retry the cancel in a moment")
            : illegal(id, w.current(), "cancelled", MessageOps.CANCELLABLE));
      }
      return Future.failedFuture(otherwise(id, outcome));
    });
  }

  private Future<Void> delete(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    UUID id = messageId(ctx);
    return ops.delete(tenantId, id).compose(outcome -> {
      if (outcome instanceof MessageOps.DeleteOutcome.Deleted d) {
        // the row and its history are gone; so is its idempotency key (it may now be used again)
        log("deleted", ctx, tenantId, id, d.was(), d.instanceId());
        return Future.<Void>succeededFuture();
      }
      if (outcome instanceof MessageOps.DeleteOutcome.Pending p) {
        return Future.<Void>failedFuture(ApiError.conflict("message_pending",
            "message " + id + " is " + p.current().wire() + "; cancel it first, then delete it"));
      }
      if (outcome instanceof MessageOps.DeleteOutcome.Missing) {
        return Future.<Void>failedFuture(notFound(id));
      }
      return Future.<Void>failedFuture(contended(id));
    });
  }

  private Future<JsonObject> retryMany(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    BodyReader body = new BodyReader(Bodies.object(ctx));
    body.rejectUnknown(Set.of("instance", "status", "before", "limit", "reason"));
    String instanceId = body.string("instance", true, 1, 64);
    if (instanceId != null && !Instance.ID.matcher(instanceId).matches()) {
      body.error("instance", "invalid_format", "must be an instance id");
    }
    MessageStatus status = MessageStatus.FAILED;
    String rawStatus = body.string("status", false, 1, 32);
    if (rawStatus != null) {
      MessageStatus parsed = MessageStatus.parse(rawStatus).orElse(null);
      if (parsed == null || !MessageOps.RETRYABLE.contains(parsed)) {
        body.error("status", "invalid_value", "must be one of " + names(MessageOps.RETRYABLE));
      } else {
        status = parsed;
      }
    }
    OffsetDateTime before = null;
    String rawBefore = body.string("before", false, 1, MAX_DATE_TIME_LENGTH);
    if (rawBefore != null) {
      try {
        before = OffsetDateTime.parse(rawBefore);
      } catch (DateTimeParseException e) {
        body.error("before", "invalid_format", "must be an ISO-8601 date-time with offset, e.g. 2026-01-31T09:00:00Z");
      }
    }
    Integer limit = body.integer("limit", false, 1, BULK_MAX_LIMIT);
    String reason = body.string("reason", false, 1, MAX_REASON);
    body.throwIfInvalid();
    MessageOps.BulkFilter filter = new MessageOps.BulkFilter(instanceId, status, before,
        limit == null ? BULK_DEFAULT_LIMIT : limit);
    return ops.retryMany(tenantId, filter, detail("retried via API (bulk)", reason)).compose(result -> {
      if (!result.instanceFound()) {
        return Future.failedFuture(ApiError.notFound("no instance " + instanceId));
      }
      if (!result.ids().isEmpty()) {
        vertx.eventBus().publish(Addresses.instanceWake(instanceId), null);
        LOG.info("messages retried {} {} {} {}", kv("requestId", RequestIds.get(ctx)), kv("tenantId", tenantId),
            kv("instanceId", instanceId), kv("count", result.ids().size()));
      }
      return Future.succeededFuture(new JsonObject()
          .put("retried", result.ids().size())
          .put("remaining", result.remaining())
          .put("ids", new JsonArray(result.ids())));
    });
  }

  // ---- helpers

  private static UUID messageId(RoutingContext ctx) {
    String raw = ctx.pathParam("messageId");
    return MessageRoutes.parseUuid(raw).orElseThrow(() -> notFound(raw));
  }

  /** Retry and cancel take an optional body: absent, {@code {}}, or {@code {"reason": "…"}} kept in the history. */
  private static String optionalReason(RoutingContext ctx) {
    BodyReader body = new BodyReader(Bodies.optionalObject(ctx));
    body.rejectUnknown(Set.of("reason"));
    String reason = body.string("reason", false, 1, MAX_REASON);
    body.throwIfInvalid();
    return reason;
  }

  private static String detail(String what, String reason) {
    return reason == null ? what : what + ": " + reason;
  }

  /** Same rule as the intake's queue_full: about one send slot of the per-minute limit. */
  static long retryAfterSeconds(int perMinute) {
    return perMinute <= 0 ? 60 : Math.max(1, (60 + perMinute - 1) / perMinute);
  }

  private static ApiError notFound(Object id) {
    return ApiError.notFound("no message " + id);
  }

  private static ApiError illegal(UUID id, MessageStatus current, String verb, Set<MessageStatus> allowed) {
    return ApiError.conflict("illegal_transition", "message " + id + " is " + current.wire()
        + "; only " + names(allowed) + " messages can be " + verb);
  }

  /** Missing and Contended, the answers every single-message operation shares. */
  private static Throwable otherwise(UUID id, MessageOps.Outcome outcome) {
    if (outcome instanceof MessageOps.Outcome.Missing) {
      return notFound(id);
    }
    if (outcome instanceof MessageOps.Outcome.Contended) {
      return contended(id);
    }
    return new IllegalStateException("unexpected outcome " + outcome);
  }

  private static ApiError contended(UUID id) {
    return ApiError.conflict("concurrent_update", "message " + id + " changed while this request was processed; read it again and retry");
  }

  private static String names(Set<MessageStatus> statuses) {
    var wires = statuses.stream().map(MessageStatus::wire).collect(Collectors.toList());
    if (wires.size() == 1) {
      return wires.get(0);
    }
    return String.join(", ", wires.subList(0, wires.size() - 1)) + " or " + wires.get(wires.size() - 1);
  }

  private static void log(String op, RoutingContext ctx, String tenantId, UUID id, MessageStatus from, String instanceId) {
    LOG.info("message {} {} {} {} {} {}", op, kv("requestId", RequestIds.get(ctx)), kv("tenantId", tenantId),
        kv("messageId", id.toString()), kv("instanceId", instanceId), kv("from", from.wire()));
  }
}
