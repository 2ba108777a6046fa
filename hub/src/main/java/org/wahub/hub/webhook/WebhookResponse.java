package org.wahub.hub.webhook;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * What an endpoint's answer (or the lack of one) means for a delivery. The rules:
 *
 * <ul>
 *   <li>{@code 2xx}: delivered.</li>
 *   <li>{@code 410 Gone}: the receiver says the endpoint is gone for good: the endpoint is disabled
 *       (its waiting deliveries end as cancelled) until its owner enables it again.</li>
 *   <li>{@code 408}, {@code 429}, {@code 5xx}, time-outs, refused or broken connections: the
 *       endpoint is in trouble. The delivery is retried on the schedule (honouring
 *       {@code Retry-After}) and the failure counts against the endpoint's circuit breaker.</li>
 *   <li>Any other answer ({@code 3xx}, which is never followed, and the other {@code 4xx}): the
 *       endpoint is up but does not take this delivery — most often a receiver that is being
 *       fixed (a wrong secret gives 401, a route not yet deployed 404). The delivery is retried on
 *       the schedule like the others, so it arrives once the receiver is fixed, but the failure
 *       does not open the breaker: an endpoint that answers quickly slows nobody down.</li>
 * </ul>
 */
public final class WebhookResponse {

  /** The classified outcome of one attempt. */
  public sealed interface Outcome {
  }

  /** A 2xx. */
  public record Delivered(int status) implements Outcome {
  }

  /** 410 Gone: disable the endpoint. */
  public record Gone(int status) implements Outcome {
  }

  /**
   * A failed attempt to retry on the schedule.
   *
   * @param status        the HTTP status, or null when there was no complete answer
   * @param code          stable: {@code http_<status>}, {@code timeout}, {@code connect_failed},
   *                      {@code outbound_refused}, …
   * @param detail        for humans; never contains secrets, headers or bodies
   * @param endpointFault counts against the endpoint's circuit breaker
   * @param retryAfter    the endpoint's {@code Retry-After}, if it gave a usable one
   */
  public record Failed(Integer status, String code, String detail, boolean endpointFault,
                       Optional<Duration> retryAfter) implements Outcome {
    public Failed {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(detail, "detail");
      Objects.requireNonNull(retryAfter, "retryAfter");
    }
  }

  private WebhookResponse() {
  }

  /** Classifies a complete HTTP answer; {@code retryAfterHeader} may be null. */
  public static Outcome classify(int status, String retryAfterHeader, Instant now) {
    if (status >= 200 && status < 300) {
      return new Delivered(status);
    }
    if (status == 410) {
      return new Gone(status);
    }
    boolean fault = status == 408 || status == 429 || status >= 500;
    String detail = status >= 300 && status < 400
        ? "the endpoint answered " + status + " (redirects are not followed)"
        : "the endpoint answered " + status;
    return new Failed(status, "http_" + status, detail, fault, retryAfter(retryAfterHeader, now));
  }

  /** No complete answer: time-out, connection refused or reset, DNS, or the outbound guard said no. */
  public static Outcome noAnswer(String code, String detail) {
    return new Failed(null, code, detail, true, Optional.empty());
  }

  /**
   * An answer that could not be used (e.g. larger than the outbound limit): the endpoint is up, so
   * not a fault, but not delivered either.
   */
  public static Outcome unusableAnswer(String code, String detail) {
    return new Failed(null, code, detail, false, Optional.empty());
  }

  /**
   * A {@code Retry-After} value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Empty when
   * absent or malformed; a date in the past is a zero delay.
   */
  public static Optional<Duration> retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String v = header.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      if (v.length() > 9) {
        return Optional.of(Duration.ofSeconds(999_999_999L));
      }
      return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
