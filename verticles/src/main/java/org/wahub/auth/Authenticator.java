package org.wahub.auth;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.wahub.api.ApiError;

/**
 * Resolves {@code Authorization: Bearer <key>} to a {@link Principal}: cache first, then one indexed
 * lookup by hash. Never logs or echoes the token.
 */
public final class Authenticator {

  private static final String PRINCIPAL = "principal";
  private final KeyStore keys;
  private final KeyCache cache;

  public Authenticator(KeyStore keys, KeyCache cache) {
    this.keys = keys;
    this.cache = cache;
  }

  /** Route handler: authenticates or fails the context with a 401 problem. */
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null) {
      ctx.fail(ApiError.unauthorized("send Authorization: Bearer <api key>"));
      return;
    }
    if (header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.fail(ApiError.unauthorized("the Authorization header must use the Bearer scheme"));
      return;
    }
    String token = header.substring(7).trim();
    if (!ApiKeys.plausible(token)) {
      ctx.fail(ApiError.unauthorized("the API key is not valid"));
      return;
    }
    resolve(token).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result() == null) {
        ctx.fail(ApiError.unauthorized("the API key is not valid or was revoked"));
      } else {
        ctx.put(PRINCIPAL, ar.result());
        ctx.next();
      }
    });
  }

  private Future<Principal> resolve(String token) {
    byte[] hash = ApiKeys.hash(token);
    Principal cached = cache.get(hash);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return keys.findActive(hash).map(found -> {
      found.ifPresent(p -> cache.put(hash, p));
      return found.orElse(null);
    });
  }

  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  /** The calling tenant's id; fails with 403 for the admin key. */
  public static String requireTenant(RoutingContext ctx) {
    Principal p = principal(ctx);
    if (p == null || p.isAdmin()) {
      throw ApiError.forbidden("this endpoint needs a tenant key; the admin key manages tenants and keys only");
    }
    return p.tenantId();
  }

  public static void requireAdmin(RoutingContext ctx) {
    Principal p = principal(ctx);
    if (p == null || !p.isAdmin()) {
      throw ApiError.forbidden("this endpoint needs the admin key");
    }
  }
}
