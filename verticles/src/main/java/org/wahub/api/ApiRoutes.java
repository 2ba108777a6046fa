package org.wahub.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.wahub.auth.Authenticator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The router as the feature packages see it: every route is added with the {@link Access} it takes,
 * which installs the matching check in front of the handler and records the route in a table (the
 * route test compares that table with the router and calls every route without and with the wrong
 * credentials).
 */
public final class ApiRoutes {

  /** One declared route. */
  public record Entry(HttpMethod method, String path, Access access) {
  }

  /** One route as the Vert.x router holds it (method null: every method). */
  public record Served(HttpMethod method, String path) {
  }

  private final Router router;
  private final Authenticator auth;
  private final List<Entry> table = new ArrayList<>();

  public ApiRoutes(Router router, Authenticator auth) {
    this.router = router;
    this.auth = auth;
  }

  public Route get(String path, Access access, Handler<RoutingContext> handler) {
    return add(HttpMethod.GET, path, access, null, handler);
  }

  public Route post(String path, Access access, Handler<RoutingContext> handler) {
    return add(HttpMethod.POST, path, access, null, handler);
  }

  public Route patch(String path, Access access, Handler<RoutingContext> handler) {
    return add(HttpMethod.PATCH, path, access, null, handler);
  }

  public Route delete(String path, Access access, Handler<RoutingContext> handler) {
    return add(HttpMethod.DELETE, path, access, null, handler);
  }

  /**
   * A route whose credentials are not hub keys ({@link Access#ADAPTER_TOKEN},
   * {@link Access#PROVIDER_SIGNATURE}, {@link Access#METRICS_KEY}): {@code guard} checks them and
   * calls {@code ctx.next()}.
   */
  public Route guarded(HttpMethod method, String path, Access access, Handler<RoutingContext> guard,
                       Handler<RoutingContext> handler) {
    if (access != Access.ADAPTER_TOKEN && access != Access.PROVIDER_SIGNATURE && access != Access.METRICS_KEY) {
      throw new IllegalArgumentException("a guard is for adapter tokens, provider signatures and the metrics key, not "
          + access);
    }
    return add(method, path, access, Objects.requireNonNull(guard, "guard"), handler);
  }

  private Route add(HttpMethod method, String path, Access access, Handler<RoutingContext> guard,
                    Handler<RoutingContext> handler) {
    Route route = router.route(method, path);
    switch (access) {
      case PUBLIC -> { }
      case ADMIN -> route.handler(auth::handle).handler(ctx -> {
        Authenticator.requireAdmin(ctx);
        ctx.next();
      });
      case TENANT -> route.handler(auth::handle).handler(ctx -> {
        Authenticator.requireTenant(ctx);
        ctx.next();
      });
      case ANY_KEY -> route.handler(auth::handle);
      case ADAPTER_TOKEN, PROVIDER_SIGNATURE, METRICS_KEY -> {
        if (guard == null) {
          throw new IllegalArgumentException(access + " routes need their guard: use guarded(...)");
        }
        route.handler(guard);
      }
    }
    route.handler(handler);
    table.add(new Entry(method, path, access));
    return route;
  }

  /** The declared routes, in the order they were added. */
  public List<Entry> table() {
    return List.copyOf(table);
  }

  /** The router itself, for what is not a route of the API (error handlers). */
  public Router router() {
    return router;
  }
}
