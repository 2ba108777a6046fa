package org.wahub.api;

import io.vertx.core.VertxException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.util.Map;

import static net.logstash.logback.argument.StructuredArguments.kv;

/** The one place that turns a failure into an RFC 9457 problem response (and logs it once). */
public final class Problems {

  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  public static final String CONTENT_TYPE = "application/problem+json";

  private Problems() {
  }

  public static void respond(RoutingContext ctx, Throwable failure) {
    ApiError error = toApiError(failure);
    if (error.status() == 500) {
      LOG.error("request failed {} {} {}", kv("requestId", RequestIds.get(ctx)), kv("path", ctx.normalizedPath()),
          kv("code", error.code()), failure instanceof ApiError ? null : failure);
    } else if (error.status() > 500) {
      // expected while the database or an instance is away: one line, no stack, not an error
      LOG.warn("request failed {} {} {}", kv("requestId", RequestIds.get(ctx)), kv("path", ctx.normalizedPath()),
          kv("code", error.code()));
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // a streaming response already started: all we can do is end it
      response.reset();
      return;
    }
    response.setStatusCode(error.status()).putHeader("Content-Type", CONTENT_TYPE);
    for (Map.Entry<String, String> h : error.headers().entrySet()) {
      response.putHeader(h.getKey(), h.getValue());
    }
    response.end(error.toJson(ctx.request().path(), RequestIds.get(ctx)).encode());
  }

  /** Maps anything thrown below the API to a stable problem; database trouble is a 503, not a 500. */
  public static ApiError toApiError(Throwable failure) {
    if (failure instanceof ApiError api) {
      return api;
    }
    if (isDatabaseUnavailable(failure)) {
      return ApiError.unavailable("the database is not reachable right now; retry later (with the same Idempotency-Key, a retry never creates a duplicate)");
    }
    if (isMalformedHttp(failure)) {
      return ApiError.badRequest("bad_request", "the request could not be read (malformed HTTP framing)");
    }
    return ApiError.internal();
  }

  /** Failures raised by Netty's HTTP decoder while reading the request (e.g. a broken chunk size). */
  static boolean isMalformedHttp(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof io.netty.handler.codec.DecoderException) {
        return true;
      }
      for (StackTraceElement frame : t.getStackTrace()) {
        if (frame.getClassName().startsWith("io.netty.handler.codec.http.")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * True for failures that mean "the database cannot be used now" (connection refused or lost,
   * pool exhausted, server shutting down, too many connections) as opposed to a bug or a
   * constraint violation.
   */
  public static boolean isDatabaseUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof DatabaseException db) {
        String state = db.getSqlState();
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57"));
      }
      if (t instanceof ClosedConnectionException || t instanceof ConnectException
          || t instanceof java.nio.channels.ClosedChannelException
          || t instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
      if (t instanceof VertxException && t.getMessage() != null
          && (t.getMessage().startsWith("Timeout") || t.getMessage().contains("Connection refused"))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
