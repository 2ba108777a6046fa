package org.wahub.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 document of the whole HTTP API, a hand-written
 * resource ({@code openapi.json} on the class path) that is the contract; the tests hold the router
 * to it. No key: it describes the API, it holds no data. It changes only with a new build, so it
 * is served with a strong ETag (SHA-256 of its bytes) and answers a matching
 * {@code If-None-Match} with 304; {@code Cache-Control: no-cache} makes clients revalidate, so an
 * upgraded hub's document is seen at once.
 */
public final class OpenApiRoutes {

  public static final String PATH = "/openapi.json";
  static final String RESOURCE = "openapi.json";

  private final Buffer document;
  private final String etag;

  public OpenApiRoutes() {
    byte[] bytes = load();
    this.document = Buffer.buffer(bytes);
    this.etag = "\"" + HexFormat.of().formatHex(sha256(bytes), 0, 16) + "\"";
  }

  public void mount(ApiRoutes routes) {
    routes.get(PATH, Access.PUBLIC, this::serve);
  }

  private void serve(RoutingContext ctx) {
    ctx.response().putHeader("ETag", etag).putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff");
    if (matches(ctx.request().getHeader("If-None-Match"), etag)) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(document);
  }

  /** RFC 9110 §13.1.2: {@code *}, or a list of entity tags compared weakly (a {@code W/} prefix is ignored). */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.equals("*")) {
        return true;
      }
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] load() {
    try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path (a broken build)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
