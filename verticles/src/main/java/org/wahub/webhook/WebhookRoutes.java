package org.wahub.webhook;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.wahub.Addresses;
import org.wahub.HubConfig;
import org.wahub.api.Access;
import org.wahub.api.ApiError;
import org.wahub.api.ApiRoutes;
import org.wahub.api.Bodies;
import org.wahub.api.BodyReader;
import org.wahub.api.Queries;
import org.wahub.api.Responses;
import org.wahub.auth.Authenticator;
import org.wahub.hub.message.MessageIds;
import org.wahub.hub.validation.FieldError;
import org.wahub.hub.webhook.DeliveryStatus;
import org.wahub.hub.webhook.EventTypeFilter;
import org.wahub.hub.webhook.WebhookKeys;
import org.wahub.hub.webhook.WebhookSecret;
import org.wahub.instance.Instance;
import org.wahub.instance.InstanceStore;
import org.wahub.outbound.OutboundGuard;
import org.wahub.outbound.OutboundRefused;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Tenant API for webhook endpoints: create, list, read, change, delete, rotate the secret, send a
 * test ping, list deliveries and replay one. A secret appears in exactly two answers: the one that
 * created the endpoint and the one that rotated it. An endpoint's URL is checked by the outbound
 * guard (form, then where its host resolves) when it is set, and again on every call.
 */
public final class WebhookRoutes {

  private static final int MAX_URL = 2048;
  private static final Set<String> CREATE_FIELDS = Set.of("url", "eventTypes", "instanceId", "description", "secret");
  private static final Set<String> PATCH_FIELDS = Set.of("url", "eventTypes", "instanceId", "description", "enabled");

  private final Vertx vertx;
  private final WebhookStore store;
  private final WebhookDeliveryStore deliveries;
  private final InstanceStore instances;
  private final OutboundGuard guard;
  private final HubConfig config;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final MessageIds ids;

  public WebhookRoutes(Vertx vertx, WebhookStore store, WebhookDeliveryStore deliveries, InstanceStore instances,
                       OutboundGuard guard, HubConfig config, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.deliveries = deliveries;
    this.instances = instances;
    this.guard = guard;
    this.config = config;
    this.clock = clock;
    this.ids = new MessageIds(clock, random);
  }

  public void mount(ApiRoutes routes) {
    routes.post("/webhooks", Access.TENANT, ctx -> Responses.json(ctx, 201, create(ctx)));
    routes.get("/webhooks", Access.TENANT, ctx -> Responses.json(ctx, 200, list(ctx)));
    routes.get("/webhooks/:webhookId", Access.TENANT, ctx -> Responses.json(ctx, 200, get(ctx)));
    routes.patch("/webhooks/:webhookId", Access.TENANT, ctx -> Responses.json(ctx, 200, patch(ctx)));
    routes.delete("/webhooks/:webhookId", Access.TENANT, ctx -> Responses.noContent(ctx, delete(ctx)));
    routes.post("/webhooks/:webhookId/rotate-secret", Access.TENANT, ctx -> Responses.json(ctx, 200, rotate(ctx)));
    routes.post("/webhooks/:webhookId/test", Access.TENANT, ctx -> Responses.json(ctx, 202, test(ctx)));
    routes.get("/webhooks/:webhookId/deliveries", Access.TENANT, ctx -> Responses.json(ctx, 200, listDeliveries(ctx)));
    routes.post("/webhooks/:webhookId/deliveries/:deliveryId/replay", Access.TENANT,
        ctx -> Responses.json(ctx, 202, replay(ctx)));
  }

  // ---- endpoints

  private Future<JsonObject> create(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    JsonObject json = Bodies.object(ctx);
    BodyReader body = new BodyReader(json);
    body.rejectUnknown(CREATE_FIELDS);
    String url = url(body, true);
    List<String> types = eventTypes(body, json, true);
    String instanceId = instanceId(body, json);
    String description = body.string("description", false, 0, 500);
    String secretText = body.string("secret", false, 0, 200);
    if (secretText != null) {
      WebhookSecret.problem(secretText).ifPresent(p -> body.error("secret", FieldError.INVALID_FORMAT, p));
    }
    body.throwIfInvalid();
    WebhookSecret secret = secretText != null ? WebhookSecret.parse(secretText) : WebhookSecret.generate(random);
    Instant now = clock.instant();
    Webhook draft = new Webhook(org.wahub.Ids.random("wh"), tenantId, instanceId, url, description, types,
        secret.encoded(), null, null, true, null, null, null, 1, null, null);
    return instanceExists(tenantId, instanceId)
        .compose(x -> checkUrl(url))
        .compose(x -> store.insertWithinQuota(draft, config.tenantMaxWebhooks(), now))
        .compose(inserted -> inserted.created() == null
            ? Future.failedFuture(new ApiError(429, "quota_exceeded", "Tenant quota exceeded",
                "this tenant already has " + inserted.quota() + " webhook endpoints (HUB_TENANT_MAX_WEBHOOKS)",
                List.of(), Map.of(), Map.of("quota", "webhooks", "limit", inserted.quota())))
            : Future.succeededFuture(inserted.created()))
        .map(created -> created.toJson().put("secret", secret.encoded()));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    for (String name : ctx.queryParams().names()) {
      if (!List.of("after", "limit").contains(name)) {
        throw ApiError.badRequest("invalid_query", "unknown query parameter '" + name + "'");
      }
    }
    String after = ctx.queryParams().get("after");
    int limit = Queries.limit(ctx.queryParams().get("limit"));
    return store.list(tenantId, after, limit + 1).map(rows -> {
      JsonArray items = new JsonArray();
      rows.stream().limit(limit).forEach(w -> items.add(w.toJson()));
      return new JsonObject().put("items", items).put("nextCursor", rows.size() > limit ? rows.get(limit - 1).id() : null);
    });
  }

  private Future<JsonObject> get(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    return find(tenantId, ctx.pathParam("webhookId")).map(Webhook::toJson);
  }

  private Future<JsonObject> patch(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    JsonObject json = Bodies.object(ctx);
    return find(tenantId, ctx.pathParam("webhookId")).compose(current -> {
      BodyReader body = new BodyReader(json);
      body.rejectUnknown(PATCH_FIELDS);
      String url = body.has("url") ? url(body, true) : current.url();
      List<String> types = json.containsKey("eventTypes") ? eventTypes(body, json, true) : current.eventTypes();
      String instanceId = json.containsKey("instanceId") ? instanceId(body, json) : current.instanceId();
      String description = body.has("description") ? body.string("description", false, 0, 500) : current.description();
      Boolean enabled = body.has("enabled") ? body.bool("enabled", true) : Boolean.valueOf(current.enabled());
      body.throwIfInvalid();
      Webhook next = new Webhook(current.id(), tenantId, instanceId, url, description, types, current.secret(),
          current.previousSecret(), current.previousSecretExpiresAt(), enabled, current.disabledReason(),
          current.disabledAt(), current.eventsSince(), current.version(), current.createdAt(), current.updatedAt());
      Future<Void> checks = Future.succeededFuture();
      if (instanceId != null && !instanceId.equals(current.instanceId())) {
        checks = checks.compose(x -> instanceExists(tenantId, instanceId));
      }
      if (!url.equals(current.url())) {
        checks = checks.compose(x -> checkUrl(url));
      }
      return checks.compose(x -> store.update(next, current.version(), clock.instant())).compose(updated -> {
        if (updated.isEmpty()) {
          return Future.failedFuture(ApiError.conflict("concurrent_update",
              "the webhook changed while this request was processed; read it again and retry"));
        }
        if (updated.get().enabled() && !current.enabled()) {
          wakeDelivery();
        }
        return Future.succeededFuture(updated.get().toJson());
      });
    });
  }

  private Future<Void> delete(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    String id = ctx.pathParam("webhookId");
    return find(tenantId, id).compose(w -> store.delete(tenantId, id)).compose(deleted -> deleted
        ? Future.<Void>succeededFuture()
        : Future.failedFuture(ApiError.notFound("no webhook " + id)));
  }

  /**
   * A new secret (generated, or given as {@code {"secret": "whsec_…"}}), shown in this answer only;
   * the previous one keeps signing beside it for 24 hours.
   */
  private Future<JsonObject> rotate(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    JsonObject json = Bodies.optionalObject(ctx);
    BodyReader body = new BodyReader(json);
    body.rejectUnknown(Set.of("secret"));
    String secretText = body.string("secret", false, 0, 200);
    if (secretText != null) {
      WebhookSecret.problem(secretText).ifPresent(p -> body.error("secret", FieldError.INVALID_FORMAT, p));
    }
    body.throwIfInvalid();
    WebhookSecret next = secretText != null ? WebhookSecret.parse(secretText) : WebhookSecret.generate(random);
    return find(tenantId, ctx.pathParam("webhookId")).compose(current -> {
      Instant now = clock.instant();
      WebhookKeys rotated = current.keys().rotate(next, now, WebhookKeys.DEFAULT_OVERLAP);
      return store.setSecrets(tenantId, current.id(), rotated.current().encoded(), rotated.previous().encoded(),
          rotated.previousExpiresAt(), current.version(), now);
    }).compose(updated -> updated.isEmpty()
        ? Future.failedFuture(ApiError.conflict("concurrent_update",
            "the webhook changed while this request was processed; read it again and retry"))
        : Future.succeededFuture(updated.get().toJson().put("secret", next.encoded())));
  }

  /** Queues a {@code webhook.test} event for this endpoint only; it is delivered like any other. */
  private Future<JsonObject> test(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    return find(tenantId, ctx.pathParam("webhookId")).compose(w -> {
      if (!w.enabled()) {
        return Future.failedFuture(disabled(w));
      }
      Instant now = clock.instant();
      return deliveries.insertPing(ids.next(), w.id(), WebhookFanOut.ping(w.id(), now), now);
    }).map(d -> {
      wakeDelivery();
      return d.toJson();
    });
  }

  // ---- deliveries

  private Future<JsonObject> listDeliveries(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    var q = ctx.queryParams();
    for (String name : q.names()) {
      if (!List.of("status", "after", "limit").contains(name)) {
        throw ApiError.badRequest("invalid_query", "unknown query parameter '" + name + "'");
      }
    }
    String status = q.get("status");
    if (status != null && DeliveryStatus.parse(status).isEmpty()) {
      throw ApiError.badRequest("invalid_query", "status must be one of pending, sending, succeeded, failed, cancelled");
    }
    String afterRaw = q.get("after");
    UUID after = null;
    if (afterRaw != null) {
      after = uuid(afterRaw).orElseThrow(() ->
          ApiError.badRequest("invalid_cursor", "after must be a nextCursor value from an earlier page"));
    }
    int limit = Queries.limit(q.get("limit"));
    UUID from = after;
    return find(tenantId, ctx.pathParam("webhookId"))
        .compose(w -> deliveries.list(w.id(), from, status, limit + 1))
        .map(rows -> {
          JsonArray items = new JsonArray();
          rows.stream().limit(limit).forEach(d -> items.add(d.toJson()));
          return new JsonObject().put("items", items)
              .put("nextCursor", rows.size() > limit ? rows.get(limit - 1).id().toString() : null);
        });
  }

  /**
   * An ended delivery (failed, cancelled, or even succeeded) goes out again with a fresh schedule,
   * the same webhook-id and the same body. Open deliveries are already on their way (409).
   */
  private Future<JsonObject> replay(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    String raw = ctx.pathParam("deliveryId");
    return find(tenantId, ctx.pathParam("webhookId")).compose(w -> {
      Optional<UUID> id = uuid(raw);
      if (id.isEmpty()) {
        return Future.failedFuture(ApiError.notFound("no delivery " + raw));
      }
      if (!w.enabled()) {
        return Future.failedFuture(disabled(w));
      }
      return deliveries.replay(w.id(), id.get(), clock.instant()).compose(replayed -> {
        if (replayed.isPresent()) {
          wakeDelivery();
          return Future.succeededFuture(replayed.get().toJson());
        }
        // why not: unknown, still open, or the endpoint was disabled meanwhile
        return deliveries.get(w.id(), id.get()).compose(found -> found.isEmpty()
            ? Future.failedFuture(ApiError.notFound("no delivery " + raw))
            : Future.failedFuture(DeliveryStatus.parse(found.get().status()).map(DeliveryStatus::isOpen).orElse(false)
                ? ApiError.conflict("delivery_open", "the delivery is " + found.get().status() + "; only ended deliveries are replayed")
                : ApiError.conflict("webhook_disabled", "the webhook is disabled; enable it first")));
      });
    });
  }

  // ---- helpers

  private Future<Webhook> find(String tenantId, String id) {
    if (id == null || !Webhook.ID.matcher(id).matches()) {
      return Future.failedFuture(ApiError.notFound("no webhook " + id));
    }
    return store.get(tenantId, id).compose(found -> found.isPresent()
        ? Future.succeededFuture(found.get())
        : Future.failedFuture(ApiError.notFound("no webhook " + id)));
  }

  /** An instance filter must name one of the tenant's own instances: another tenant's is as unknown as none. */
  private Future<Void> instanceExists(String tenantId, String instanceId) {
    if (instanceId == null) {
      return Future.succeededFuture();
    }
    return instances.get(tenantId, instanceId).compose(found -> found.isPresent()
        ? Future.<Void>succeededFuture()
        : Future.failedFuture(ApiError.notFound("no instance " + instanceId)));
  }

  /** The outbound guard resolves the host and checks every address; a refusal is a 422 with its reason. */
  private Future<Void> checkUrl(String url) {
    return guard.check(url).recover(err -> {
      if (err instanceof OutboundRefused r) {
        String code = switch (r.code()) {
          case OutboundRefused.UNRESOLVABLE -> "webhook_url_unresolvable";
          case OutboundRefused.BAD_URL -> "webhook_url_invalid";
          default -> "webhook_url_refused";
        };
        return Future.failedFuture(new ApiError(422, code, "Webhook URL not allowed", r.getMessage(),
            List.of(new FieldError("/url", r.code(), r.getMessage())), Map.of()));
      }
      return Future.failedFuture(err);
    });
  }

  private static String url(BodyReader body, boolean required) {
    String url = body.string("url", required, 1, MAX_URL);
    if (url == null) {
      return null;
    }
    try {
      OutboundGuard.origin(url); // form only: absolute http(s), a host, no user info
    } catch (OutboundRefused e) {
      body.error("url", FieldError.INVALID_FORMAT, e.getMessage());
      return null;
    }
    return url;
  }

  private static List<String> eventTypes(BodyReader body, JsonObject json, boolean required) {
    Object raw = json.getValue("eventTypes");
    if (raw == null) {
      if (required) {
        body.error("eventTypes", json.containsKey("eventTypes") ? FieldError.INVALID_TYPE : FieldError.REQUIRED,
            "must be a list of event types or patterns, e.g. [\"message.*\", \"poll.vote\"]");
      }
      return null;
    }
    if (!(raw instanceof JsonArray array)) {
      body.error("eventTypes", FieldError.INVALID_TYPE, "must be a list of event types or patterns");
      return null;
    }
    EventTypeFilter.Parsed parsed = EventTypeFilter.parse(array.getList(), WebhookEventTypes.KNOWN,
        WebhookEventTypes.EXPLICIT_ONLY);
    for (EventTypeFilter.Problem p : parsed.problems()) {
      body.errors().add(new FieldError(p.index() < 0 ? FieldError.pointer("eventTypes")
          : FieldError.pointer("eventTypes", p.index()), p.code(), p.message()));
    }
    return parsed.filter() == null ? null : new ArrayList<>(parsed.filter().patterns());
  }

  private static String instanceId(BodyReader body, JsonObject json) {
    if (json.getValue("instanceId") == null) {
      return null;
    }
    String id = body.string("instanceId", false, 1, 64);
    if (id != null && !Instance.ID.matcher(id).matches()) {
      body.error("instanceId", FieldError.INVALID_FORMAT, "is not a valid instance id");
      return null;
    }
    return id;
  }

  private static ApiError disabled(Webhook w) {
    return ApiError.conflict("webhook_disabled", "the webhook is disabled (" + w.disabledReason()
        + "); enable it with PATCH {\"enabled\": true} first");
  }

  private void wakeDelivery() {
    vertx.eventBus().publish(Addresses.WEBHOOKS_WAKE, null);
  }

  private static Optional<UUID> uuid(String raw) {
    if (raw == null || raw.length() != 36) {
      return Optional.empty();
    }
    try {
      return Optional.of(UUID.fromString(raw));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
