package org.wahub.api;

import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Correlation ids: a caller's {@code X-Request-Id} is kept when it is sane, otherwise one is made.
 * It is echoed in the response header, in every problem body and in every log line.
 */
public final class RequestIds {

  public static final String HEADER = "X-Request-Id";
  private static final String KEY = "requestId";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

  private RequestIds() {
  }

  public static void assign(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    String id = given != null && SANE.matcher(given).matches() ? given : generate();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
  }

  public static String get(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  static String generate() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "req_" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36) + Long.toString(r.nextInt() & 0xffff, 36);
  }
}
