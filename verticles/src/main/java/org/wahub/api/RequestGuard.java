package org.wahub.api;

import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

/**
 * Checks every request before any route sees it. Ids, keys and filters of this API are printable
 * ASCII, so a decoded path or query value with control characters (NUL above all: PostgreSQL cannot
 * even compare it) names nothing here; and a request that carries a header twice that decides who
 * is calling, what the body is, or which message it is, is ambiguous and refused. A path with a dot
 * segment ({@code .}, {@code ..}, also percent-encoded) names nothing either: the router would
 * resolve it to another path ({@code GET /messages/..} is {@code GET /}, the dashboard), so a
 * malformed id would be answered by a resource the caller never named.
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
    if (path != null && (hasControl(path) || ENCODED_CONTROL.matcher(path).find() || hasDotSegment(path))) {
      throw ApiError.notFound("no resource at this path");
    }
    for (Map.Entry<String, String> q : ctx.queryParams()) {
      if (hasControl(q.getKey()) || hasControl(q.getValue())) {
        throw ApiError.badRequest("invalid_query", "query parameters must not contain control characters");
      }
    }
  }

  private static boolean hasDotSegment(String path) {
    for (String segment : path.split("/", -1)) {
      String s = segment.replace("%2e", ".").replace("%2E", ".");
      if (s.equals(".") || s.equals("..")) {
        return true;
      }
    }
    return false;
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
