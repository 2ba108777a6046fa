package org.wahub.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import org.wahub.api.Access;
import org.wahub.api.ApiError;
import org.wahub.api.ApiRoutes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * {@code GET /metrics}: the Prometheus text exposition of the registry, behind the optional
 * {@code HUB_METRICS_KEY}. The scrape serializes every series, so it runs on a worker thread,
 * never on the event loop that also serves the intake.
 */
public final class MetricsRoutes {

  /** Prometheus' text format, the one every scraper and {@code promtool check metrics} read. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private final HubMetrics metrics;
  /** SHA-256 of the configured key; null while none is configured. */
  private final byte[] keyHash;

  public MetricsRoutes(Vertx vertx, HubMetrics metrics, Optional<String> key) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.keyHash = key.map(MetricsRoutes::sha256).orElse(null);
  }

  public void mount(ApiRoutes routes) {
    routes.guarded(HttpMethod.GET, "/metrics", Access.METRICS_KEY, this::guard, this::scrape);
  }

  /**
   * Compares hashes of the presented and the configured key with {@link MessageDigest#isEqual}
   * (constant time): neither a byte-by-byte early exit nor the key's length leaks through timing.
   */
  private void guard(RoutingContext ctx) {
    if (keyHash == null) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.fail(ApiError.unauthorized("send Authorization: Bearer <HUB_METRICS_KEY>"));
      return;
    }
    if (!MessageDigest.isEqual(keyHash, sha256(header.substring(7).trim()))) {
      ctx.fail(ApiError.unauthorized("that is not the metrics key"));
      return;
    }
    ctx.next();
  }

  private void scrape(RoutingContext ctx) {
    if (!(metrics.registry() instanceof PrometheusMeterRegistry prometheus)) {
      ctx.fail(ApiError.internal());
      return;
    }
    vertx.executeBlocking(prometheus::scrape, false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      ctx.response().putHeader("Content-Type", CONTENT_TYPE).putHeader("Cache-Control", "no-store").end(ar.result());
    });
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
