package org.wahub.webhook;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import org.wahub.hub.webhook.WebhookResponse;
import org.wahub.hub.webhook.WebhookSigner;
import org.wahub.outbound.GuardedRequest;
import org.wahub.outbound.OutboundGuard;
import org.wahub.outbound.OutboundRefused;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One Standard Webhooks request for a claimed delivery, through the outbound guard (never a raw
 * client: the endpoint's address is checked on every call, redirects are not followed, the answer
 * is bounded in size and time). Headers: {@code webhook-id} (the delivery id, the same on every
 * retry), {@code webhook-timestamp} (this attempt), {@code webhook-signature} (one {@code v1} entry
 * per signing key). The outcome is classified by hub/ {@link WebhookResponse}; a failure to get an
 * answer is an outcome too, never a failed future.
 */
final class WebhookSender {

  static final String USER_AGENT = "wa-hub-webhooks/1";

  /** The outcome of one attempt, when it started, and how long it took. */
  record Result(WebhookResponse.Outcome outcome, Instant at, int durationMs) {
  }

  private final OutboundGuard guard;
  private final Duration timeout;
  private final Clock clock;

  WebhookSender(OutboundGuard guard, Duration timeout, Clock clock) {
    this.guard = guard;
    this.timeout = timeout;
    this.clock = clock;
  }

  Future<Result> send(WebhookDeliveryStore.Claimed c) {
    Instant at = clock.instant();
    long timestamp = at.getEpochSecond();
    String id = c.id().toString();
    byte[] body = c.body().getBytes(StandardCharsets.UTF_8);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("webhook-id", id)
        .add("webhook-timestamp", Long.toString(timestamp))
        .add("webhook-signature", WebhookSigner.sign(id, timestamp, body, c.keys().signingAt(at)))
        .add("content-type", "application/json")
        .add("user-agent", USER_AGENT);
    long started = System.nanoTime();
    return guard.send(new GuardedRequest(HttpMethod.POST, c.url(), headers, Buffer.buffer(body), timeout))
        .map(r -> WebhookResponse.classify(r.status(), r.headers().get("Retry-After"), clock.instant()))
        .recover(err -> Future.succeededFuture(noAnswer(err)))
        .map(outcome -> new Result(outcome, at, (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - started) / 1_000_000)));
  }

  /** Why there is no usable answer, in words that never repeat the URL (its path may be a secret). */
  static WebhookResponse.Outcome noAnswer(Throwable err) {
    if (err instanceof OutboundRefused r) {
      return OutboundRefused.TOO_LARGE.equals(r.code())
          ? WebhookResponse.unusableAnswer(r.code(), r.getMessage())
          : WebhookResponse.noAnswer(r.code(), r.getMessage());
    }
    if (err instanceof ConnectException) {
      return WebhookResponse.noAnswer("connect_failed", "the endpoint refused the connection");
    }
    if (err instanceof io.vertx.core.http.HttpClosedException) {
      return WebhookResponse.noAnswer("connection_closed", "the connection closed before a complete answer");
    }
    return WebhookResponse.noAnswer("request_failed", "the request failed (" + err.getClass().getSimpleName() + ")");
  }
}
