package org.wahub.api;

import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

/**
 * Checks every request before any route sees it. Ids, keys and filters of this API are printable
 * ASCII, so a decoded path or query value with control characters (NUL above all: PostgreSQL cannot
 * even compare it) names nothing here; and a request that carries a header twice that decides who
 * is calling, what the body is, or which message it is, is ambiguous and refused.
 */
final class RequestGuard {

  private static final List<String> SINGLE_HEADERS = List.of("Authorization", "Content-Type", "Idempotency-Key");
  /** A percent-encoded control character (%00–%1F, %7F): path parameters are decoded only later, per route. */
  private static final java.util.regex.Pattern ENCODED_CONTROL = java.util.regex.Pattern.compile("%(?:[01][0-9a-fA-F]|7[fF])");

  private RequestGuard() {
  }

  static void check(RoutingContext ctx) {
    for (String name : SINGLE_HEADERS) {
      if (ctx.request().headers().getAll(name).size() > 1) {
        throw ApiError.badRequest("duplicate_header", "the " + name + " header must appear at most once");
      }
    }
    String path = ctx.request().path();
    if (path != null && (hasControl(path) || ENCODED_CONTROL.matcher(path).find())) {
      throw ApiError.notFound("no resource at this path");
    }
    for (Map.Entry<String, String> q : ctx.queryParams()) {
      if (hasControl(q.getKey()) || hasControl(q.getValue())) {
        throw ApiError.badRequest("invalid_query", "query parameters must not contain control characters");
      }
    }
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
