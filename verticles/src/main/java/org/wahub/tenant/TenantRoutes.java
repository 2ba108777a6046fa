package org.wahub.tenant;

import org.wahub.api.Access;
import org.wahub.api.ApiRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.wahub.Addresses;
import org.wahub.api.ApiError;
import org.wahub.api.BodyReader;
import org.wahub.api.Bodies;
import org.wahub.api.Responses;
import org.wahub.api.Sql;
import org.wahub.auth.ApiKeys;
import org.wahub.auth.Authenticator;
import org.wahub.auth.KeyCache;
import org.wahub.auth.KeyStore;

import java.util.List;
import java.util.Set;

/** Admin API: tenants and their keys. Tokens are in the 201 answer and nowhere else, ever. */
public final class TenantRoutes {

  private final Vertx vertx;
  private final TenantStore tenants;
  private final KeyStore keys;
  private final KeyCache cache;

  public TenantRoutes(Vertx vertx, TenantStore tenants, KeyStore keys, KeyCache cache) {
    this.vertx = vertx;
    this.tenants = tenants;
    this.keys = keys;
    this.cache = cache;
  }

  public void mount(ApiRoutes routes) {
    // quotas travel with the cached principal: a change on any node drops this process's entries
    // (registered per ApiVerticle, so it goes away with it; evicting twice is harmless)
    vertx.eventBus().<String>consumer(Addresses.TENANT_QUOTAS_CHANGED, msg -> cache.evictTenant(msg.body()));
    // a key revoked on any node: drop it here too (inside a verticle, so undeploy unregisters it)
    vertx.eventBus().<String>consumer(Addresses.KEY_REVOKED, msg -> cache.evictKey(msg.body()));
    routes.patch("/tenants/:tenantId", Access.ADMIN, ctx -> Responses.json(ctx, 200, patch(ctx)));
    routes.post("/tenants", Access.ADMIN, ctx -> Responses.json(ctx, 201, create(ctx)));
    routes.get("/tenants", Access.ADMIN, ctx -> Responses.json(ctx, 200, list(ctx)));
    routes.get("/tenants/:tenantId", Access.ADMIN, ctx -> Responses.json(ctx, 200, get(ctx)));
    routes.post("/tenants/:tenantId/keys", Access.ADMIN, ctx -> Responses.json(ctx, 201, createKey(ctx)));
    routes.delete("/tenants/:tenantId/keys/:keyId", Access.ADMIN, ctx -> Responses.noContent(ctx, revokeKey(ctx)));
  }

  private Future<JsonObject> create(RoutingContext ctx) {
    Authenticator.requireAdmin(ctx);
    BodyReader body = new BodyReader(Bodies.object(ctx));
    body.rejectUnknown(Set.of("name", "keyLabel"));
    String name = body.string("name", true, 1, 200);
    if (name != null && name.isBlank()) {
      body.error("name", "invalid_value", "must not be blank");
    }
    String label = body.string("keyLabel", false, 1, 200);
    body.throwIfInvalid();
    return tenants.create(name.strip(), label)
        .map(created -> created.tenant().copy().put("key", created.key().toJson()))
        .recover(err -> Sql.isUniqueViolation(err, "tenants_name_uniq")
            ? Future.failedFuture(ApiError.conflict("tenant_exists", "a tenant named '" + name.strip() + "' already exists"))
            : Future.failedFuture(err));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    Authenticator.requireAdmin(ctx);
    return tenants.list().map(items -> new JsonObject().put("items", new JsonArray(List.copyOf(items))));
  }

  private Future<JsonObject> get(RoutingContext ctx) {
    Authenticator.requireAdmin(ctx);
    String id = ctx.pathParam("tenantId");
    return tenants.get(id).compose(t -> t.isEmpty()
        ? Future.failedFuture(ApiError.notFound("no tenant " + id))
        : keys.list(id).map(k -> t.get().put("keys", new JsonArray(List.copyOf(k)))));
  }

  private Future<JsonObject> patch(RoutingContext ctx) {
    Authenticator.requireAdmin(ctx);
    String id = ctx.pathParam("tenantId");
    BodyReader body = new BodyReader(Bodies.object(ctx));
    body.rejectUnknown(Set.of("quotas"));
    BodyReader quotas = body.nested("quotas", true);
    TenantStore.QuotaChange change = null;
    if (quotas != null) {
      quotas.rejectUnknown(Set.of(TenantQuotas.INSTANCES, TenantQuotas.MAX_QUEUE_SIZE, TenantQuotas.ACCEPTED_PER_MINUTE));
      change = new TenantStore.QuotaChange(
          quotas.has(TenantQuotas.INSTANCES), quotas.integer(TenantQuotas.INSTANCES, false, 0, TenantQuotas.MAX_INSTANCES),
          quotas.has(TenantQuotas.MAX_QUEUE_SIZE), quotas.integer(TenantQuotas.MAX_QUEUE_SIZE, false, 1, TenantQuotas.MAX_QUEUE_SIZE_CEILING),
          quotas.has(TenantQuotas.ACCEPTED_PER_MINUTE),
          quotas.integer(TenantQuotas.ACCEPTED_PER_MINUTE, false, 0, TenantQuotas.MAX_ACCEPTED_PER_MINUTE));
    }
    body.throwIfInvalid();
    return tenants.updateQuotas(id, change).compose(updated -> {
      if (updated.isEmpty()) {
        return Future.failedFuture(ApiError.notFound("no tenant " + id));
      }
      // before answering: from the next request on, this node's keys of the tenant carry the new quotas
      cache.evictTenant(id);
      vertx.eventBus().publish(Addresses.TENANT_QUOTAS_CHANGED, id);
      return Future.succeededFuture(updated.get());
    });
  }

  private Future<JsonObject> createKey(RoutingContext ctx) {
    Authenticator.requireAdmin(ctx);
    String id = ctx.pathParam("tenantId");
    BodyReader body = new BodyReader(Bodies.optionalObject(ctx));
    body.rejectUnknown(Set.of("label"));
    String label = body.string("label", false, 1, 200);
    body.throwIfInvalid();
    return tenants.get(id).compose(t -> t.isEmpty()
        ? Future.failedFuture(ApiError.notFound("no tenant " + id))
        : keys.create(keysClient(), id, label).map(created -> {
          cache.forgetUnknown(ApiKeys.hash(created.token()));
          return created.toJson();
        }));
  }

  private io.vertx.sqlclient.SqlClient keysClient() {
    return keys.pool();
  }

  private Future<Void> revokeKey(RoutingContext ctx) {
    Authenticator.requireAdmin(ctx);
    String tenantId = ctx.pathParam("tenantId");
    String keyId = ctx.pathParam("keyId");
    return keys.revoke(tenantId, keyId).compose(revoked -> {
      if (revoked.isPresent()) {
        // before answering, so the next request fails at once: the epoch makes any look-up still in
        // flight unservable, and the hash goes to the unknown keys, so a burst of requests with the
        // revoked key gets 401 without a look-up each; then tell the other nodes
        cache.evictKey(keyId);
        cache.rememberUnknown(revoked.get());
        vertx.eventBus().publish(Addresses.KEY_REVOKED, keyId);
        return Future.<Void>succeededFuture();
      }
      return keys.state(tenantId, keyId).compose(state -> state.isEmpty()
          ? Future.<Void>failedFuture(ApiError.notFound("no key " + keyId + " for tenant " + tenantId))
          : Future.<Void>succeededFuture());
    });
  }
}
