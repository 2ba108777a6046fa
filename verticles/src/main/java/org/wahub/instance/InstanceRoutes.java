package org.wahub.instance;

import org.wahub.api.Access;
import org.wahub.api.ApiRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.wahub.Addresses;
import org.wahub.HubConfig;
import org.wahub.api.ApiError;
import org.wahub.api.BodyReader;
import org.wahub.api.Bodies;
import org.wahub.api.Responses;
import org.wahub.api.Sql;
import org.wahub.auth.Authenticator;
import org.wahub.tenant.QuotaErrors;

import java.util.Set;

/** Tenant API for instances: create, list, read, change, delete. Secrets go in, never out. */
public final class InstanceRoutes {

  private static final int MAX_LIMIT = 1_000_000;
  private static final int MAX_INTERVAL_MS = 3_600_000;

  private final Vertx vertx;
  private final InstanceStore store;
  private final HubConfig config;

  public InstanceRoutes(Vertx vertx, InstanceStore store, HubConfig config) {
    this.vertx = vertx;
    this.store = store;
    this.config = config;
  }

  public void mount(ApiRoutes routes) {
    routes.post("/instances", Access.TENANT, ctx -> Responses.json(ctx, 201, create(ctx)));
    routes.get("/instances", Access.TENANT, ctx -> Responses.json(ctx, 200, list(ctx)));
    routes.get("/instances/:instanceId", Access.TENANT, ctx -> Responses.json(ctx, 200, get(ctx)));
    routes.patch("/instances/:instanceId", Access.TENANT, ctx -> Responses.json(ctx, 200, patch(ctx)));
    routes.delete("/instances/:instanceId", Access.TENANT, ctx -> Responses.noContent(ctx, delete(ctx)));
  }

  private Future<JsonObject> create(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    BodyReader body = new BodyReader(Bodies.object(ctx));
    body.rejectUnknown(Set.of("id", "name", "provider", "limits", "pacing", "maxQueueSize"));
    String id = body.string("id", true, 1, 64);
    if (id != null && !Instance.ID.matcher(id).matches()) {
      body.error("id", "invalid_format", "letters, digits, '_', '-' and '.', starting with a letter or digit, at most 64");
    }
    String name = body.string("name", false, 0, 200);
    BodyReader provider = body.nested("provider", true);
    ProviderConfigs.Validated p = provider == null ? null : ProviderConfigs.validate(provider, null, null);
    int ceiling = Authenticator.principal(ctx).quotas().maxQueueSize(config);
    // the default queue cap never exceeds the tenant's ceiling
    Settings s = settings(body, new Settings(config.maxSendsPerMinute(), config.maxSendsPerHour(),
        config.maxSendsPerDay(), config.minSendIntervalMs(), config.sendJitterMs(), Math.min(config.maxQueueSize(), ceiling)));
    body.throwIfInvalid();
    if (s.maxQueue > ceiling) {
      throw QuotaErrors.maxQueueSize(ceiling);
    }
    Instance draft = new Instance(id, tenantId, name, p.type(), p.config(), s.perMinute, s.perHour, s.perDay,
        s.minIntervalMs, s.jitterMs, s.maxQueue, 0, "running", "STARTING", null, null, 1, null, null);
    return store.insertWithinQuota(draft, config.tenantMaxInstances())
        .recover(err -> Sql.isUniqueViolation(err, "instances_pkey")
            ? Future.failedFuture(ApiError.conflict("instance_exists", "an instance with id '" + id + "' already exists"))
            : Future.failedFuture(err))
        .compose(inserted -> inserted.created() == null
            ? Future.failedFuture(QuotaErrors.instances(inserted.quota()))
            : Future.succeededFuture(inserted.created()))
        .map(created -> {
          changed(created.id(), "created");
          JsonObject json = created.toJson();
          if (p.oneTimeToken() != null) {
            json.getJsonObject("provider").put("token", p.oneTimeToken());
          }
          return json;
        });
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    String after = ctx.queryParams().get("after");
    int limit = org.wahub.api.Queries.limit(ctx.queryParams().get("limit"));
    return store.list(tenantId, after, limit + 1).map(rows -> {
      JsonArray items = new JsonArray();
      rows.stream().limit(limit).forEach(i -> items.add(i.toJson()));
      return new JsonObject().put("items", items)
          .put("nextCursor", rows.size() > limit ? rows.get(limit - 1).id() : null);
    });
  }

  private Future<JsonObject> get(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    return find(tenantId, ctx.pathParam("instanceId")).map(Instance::toJson);
  }

  private Future<JsonObject> patch(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    JsonObject json = Bodies.object(ctx);
    String id = ctx.pathParam("instanceId");
    return find(tenantId, id).compose(current -> {
      BodyReader body = new BodyReader(json);
      body.rejectUnknown(Set.of("name", "provider", "limits", "pacing", "maxQueueSize"));
      String name = body.has("name") ? body.string("name", false, 0, 200) : current.name();
      BodyReader provider = body.nested("provider", false);
      ProviderConfigs.Validated p = provider == null
          ? new ProviderConfigs.Validated(current.providerType(), current.providerConfig(), null)
          : ProviderConfigs.validate(provider, current.providerType(), current.providerConfig());
      Settings s = settings(body, new Settings(current.perMinute(), current.perHour(), current.perDay(),
          current.minIntervalMs(), current.jitterMs(), current.maxQueue()));
      body.throwIfInvalid();
      // only a new value is checked: an instance above a ceiling lowered later keeps its cap
      int ceiling = Authenticator.principal(ctx).quotas().maxQueueSize(config);
      if (body.has("maxQueueSize") && s.maxQueue > ceiling) {
        throw QuotaErrors.maxQueueSize(ceiling);
      }
      ProviderUrlRule.enforce(current.providerConfig(), json.getJsonObject("provider"),
          ProviderConfigs.urlFields(current.providerType()), ProviderConfigs.urlSecrets(current.providerType()));
      Instance next = new Instance(id, tenantId, name, current.providerType(), p.config(), s.perMinute, s.perHour,
          s.perDay, s.minIntervalMs, s.jitterMs, s.maxQueue, current.queueDepth(), current.desiredState(),
          current.state(), current.stateSince(), current.lastError(), current.version(), current.createdAt(),
          current.updatedAt());
      return store.update(next, current.version()).compose(updated -> {
        if (updated.isEmpty()) {
          return Future.failedFuture(ApiError.conflict("concurrent_update",
              "the instance changed while this request was processed; read it again and retry"));
        }
        changed(id, "updated");
        return Future.succeededFuture(updated.get().toJson());
      });
    });
  }

  private Future<Void> delete(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    String id = ctx.pathParam("instanceId");
    String forceParam = ctx.queryParams().get("force");
    if (forceParam != null && !forceParam.equals("true") && !forceParam.equals("false")) {
      throw ApiError.badRequest("invalid_query", "force must be true or false");
    }
    boolean force = "true".equals(forceParam);
    return find(tenantId, id).compose(current -> store.delete(tenantId, id, force)).compose(deleted -> {
      if (!deleted) {
        return Future.failedFuture(ApiError.conflict("instance_has_pending_messages",
            "instance " + id + " still has queued or sending messages; cancel them, wait, or DELETE with ?force=true"));
      }
      changed(id, "deleted");
      return Future.<Void>succeededFuture();
    });
  }

  private Future<Instance> find(String tenantId, String id) {
    if (!Instance.ID.matcher(id).matches()) {
      return Future.failedFuture(ApiError.notFound("no instance " + id));
    }
    return store.get(tenantId, id).compose(found -> found.isPresent()
        ? Future.succeededFuture(found.get())
        : Future.failedFuture(ApiError.notFound("no instance " + id)));
  }

  private void changed(String id, String op) {
    vertx.eventBus().publish(Addresses.INSTANCE_CHANGED, new JsonObject().put("id", id).put("op", op));
  }

  private record Settings(int perMinute, int perHour, int perDay, int minIntervalMs, int jitterMs, int maxQueue) {
  }

  private static Settings settings(BodyReader body, Settings base) {
    int perMinute = base.perMinute;
    int perHour = base.perHour;
    int perDay = base.perDay;
    int minInterval = base.minIntervalMs;
    int jitter = base.jitterMs;
    int maxQueue = base.maxQueue;
    BodyReader limits = body.nested("limits", false);
    if (limits != null) {
      limits.rejectUnknown(Set.of("perMinute", "perHour", "perDay"));
      perMinute = orElse(limits.integer("perMinute", false, 0, MAX_LIMIT), perMinute);
      perHour = orElse(limits.integer("perHour", false, 0, MAX_LIMIT), perHour);
      perDay = orElse(limits.integer("perDay", false, 0, MAX_LIMIT), perDay);
    }
    BodyReader pacing = body.nested("pacing", false);
    if (pacing != null) {
      pacing.rejectUnknown(Set.of("minIntervalMs", "jitterMs"));
      minInterval = orElse(pacing.integer("minIntervalMs", false, 0, MAX_INTERVAL_MS), minInterval);
      jitter = orElse(pacing.integer("jitterMs", false, 0, MAX_INTERVAL_MS), jitter);
    }
    maxQueue = orElse(body.integer("maxQueueSize", false, 1, MAX_LIMIT), maxQueue);
    return new Settings(perMinute, perHour, perDay, minInterval, jitter, maxQueue);
  }

  private static int orElse(Integer v, int def) {
    return v == null ? def : v;
  }


}
