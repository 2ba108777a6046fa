package org.wahub.tenant;

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

  public void mount(Router router) {
    router.post("/tenants").handler(ctx -> Responses.json(ctx, 201, create(ctx)));
    router.get("/tenants").handler(ctx -> Responses.json(ctx, 200, list(ctx)));
    router.get("/tenants/:tenantId").handler(ctx -> Responses.json(ctx, 200, get(ctx)));
    router.post("/tenants/:tenantId/keys").handler(ctx -> Responses.json(ctx, 201, createKey(ctx)));
    router.delete("/tenants/:tenantId/keys/:keyId").handler(ctx -> Responses.noContent(ctx, revokeKey(ctx)));
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

  private Future<JsonObject> createKey(RoutingContext ctx) {
    Authenticator.requireAdmin(ctx);
    String id = ctx.pathParam("tenantId");
    BodyReader body = new BodyReader(Bodies.optionalObject(ctx));
    body.rejectUnknown(Set.of("label"));
    String label = body.string("label", false, 1, 200);
    body.throwIfInvalid();
    return tenants.get(id).compose(t -> t.isEmpty()
        ? Future.failedFuture(ApiError.notFound("no tenant " + id))
        : keys.create(keysClient(), id, label).map(KeyStore.CreatedKey::toJson));
  }

  private io.vertx.sqlclient.SqlClient keysClient() {
    return keys.pool();
  }

  private Future<Void> revokeKey(RoutingContext ctx) {
    Authenticator.requireAdmin(ctx);
    String tenantId = ctx.pathParam("tenantId");
    String keyId = ctx.pathParam("keyId");
    return keys.revoke(tenantId, keyId).compose(revoked -> {
      if (revoked) {
        // drop it here before answering (so the next request fails at once), then tell other nodes
        cache.evictKey(keyId);
        vertx.eventBus().publish(Addresses.KEY_REVOKED, keyId);
        return Future.<Void>succeededFuture();
      }
      return keys.state(tenantId, keyId).compose(state -> state.isEmpty()
          ? Future.<Void>failedFuture(ApiError.notFound("no key " + keyId + " for tenant " + tenantId))
          : Future.<Void>succeededFuture());
    });
  }
}
