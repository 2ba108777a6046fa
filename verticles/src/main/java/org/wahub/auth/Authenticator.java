package org.wahub.auth;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import org.wahub.api.ApiError;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Resolves {@code Authorization: Bearer <key>} to a {@link Principal}: cache first, then one indexed
 * lookup by hash on the look-up pool. Never logs or echoes the token.
 *
 * <p>Anybody can send a key that does not exist, and each costs a look-up. So look-ups are bounded
 * per process ({@link KeyCache#tryBeginLookup}); when all slots are taken the request gets
 * {@code 429 auth_busy} with {@code Retry-After: 1} at once, instead of queueing in front of the
 * database. Known keys are served from the cache and never meet that bound; recently unknown keys
 * are answered 401 from the negative cache; concurrent requests with the same uncached key on one
 * event loop share one look-up, so a busy client whose cache entry expired does not trip the bound.
 */
public final class Authenticator {

  private static final String PRINCIPAL = "principal";
  private final KeyStore keys;
  private final KeyCache cache;
  private final int maxLookupsInFlight;
  /** Look-ups running on this verticle's event loop, by key hash; touched only from that loop. */
  private final Map<String, InFlight> inFlight = new HashMap<>();

  public Authenticator(KeyStore keys, KeyCache cache, int maxLookupsInFlight) {
    this.keys = keys;
    this.cache = cache;
    this.maxLookupsInFlight = Math.max(1, maxLookupsInFlight);
  }

  /** Route handler: authenticates or fails the context with a 401 (or 429 when look-ups are saturated). */
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
    if (cache.knownUnknown(hash)) {
      return Future.succeededFuture(null);
    }
    // noted before the query: a revocation that lands while it runs makes this result unservable
    long epoch = cache.epoch();
    String hex = HexFormat.of().formatHex(hash);
    InFlight running = inFlight.get(hex);
    if (running != null && running.epoch == epoch) {
      // the same key is being looked up on this event loop: share it (a key whose cache entry just
      // expired is not a burst of look-ups). Never a look-up from before a revocation, though.
      return running.future;
    }
    if (!cache.tryBeginLookup(maxLookupsInFlight)) {
      return Future.failedFuture(busy());
    }
    Future<Principal> lookup = keys.findActive(hash)
        .andThen(ar -> cache.endLookup())
        .map(found -> {
          if (found.isPresent()) {
            cache.put(hash, found.get(), epoch);
            return found.get();
          }
          cache.rememberUnknown(hash);
          return null;
        });
    InFlight mine = new InFlight(epoch, lookup);
    inFlight.put(hex, mine);
    lookup.onComplete(ar -> inFlight.remove(hex, mine));
    return lookup;
  }

  private record InFlight(long epoch, Future<Principal> future) {
  }

  static ApiError busy() {
    return new ApiError(429, "auth_busy", "Too many key look-ups in flight",
        "the hub is checking too many API keys at once; retry in a second", List.of(), Map.of("Retry-After", "1"));
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
