package org.wahub.dashboard;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import org.wahub.api.Access;
import org.wahub.api.ApiRoutes;

/**
 * The dashboard's files ({@code webroot/} of the repository, packed into the jar under
 * {@code webroot/}): the page at {@code /} and its scripts and styles under {@code /assets/}. They
 * need no key: the page asks for one and sends it with every API call it makes, so nothing here
 * is secret. What they must not allow is running someone else's script with that key, hence a
 * policy that allows only this origin's own files (no inline script or style, no framing).
 */
public final class DashboardRoutes {

  /**
   * Scripts, styles, fetches and images only from this origin (images also as {@code data:} URLs:
   * a provider may hand over its QR code as one); no plugins, no {@code <base>}, no framing.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      + "frame-ancestors 'none'";

  private final StaticHandler page = handler("webroot");
  private final StaticHandler assets = handler("webroot/assets");

  public void mount(ApiRoutes routes) {
    routes.get("/", Access.PUBLIC, ctx -> serve(ctx, page));
    routes.get("/assets/*", Access.PUBLIC, ctx -> serve(ctx, assets));
  }

  private static StaticHandler handler(String root) {
    return StaticHandler.create(root)
        .setIndexPage("index.html")
        .setDirectoryListing(false)
        .setIncludeHidden(false)
        // no-cache below: a new build's page and scripts are fetched at once, never mixed with old ones
        .setCachingEnabled(false)
        .setDefaultContentEncoding("UTF-8");
  }

  private static void serve(RoutingContext ctx, StaticHandler files) {
    MultiMap h = ctx.response().headers();
    h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", "DENY");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    h.set("Cache-Control", "no-cache");
    files.handle(ctx);
  }
}
