package org.wahub.hub.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery is tried again, and when the hub gives up on it.
 *
 * <p>The first attempt happens at once. After failed attempt {@code n} (1-based) the next one is due
 * after {@code delays[n-1]} (the last delay repeats if {@code maxAttempts} asks for more), jittered
 * by a uniform factor in {@code [1 - jitterRatio, 1 + jitterRatio)} so that the deliveries of an
 * endpoint that was down do not all come back in the same second. An endpoint's
 * {@code Retry-After} is honoured when it asks for longer than the schedule, up to the longest
 * delay of the schedule (a receiver cannot park a delivery for a year). After {@code maxAttempts}
 * attempts the delivery is exhausted: it is listed as failed and can be replayed by hand.
 *
 * <p>The default follows svix (and the Standard Webhooks advice): at once, then 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 10 h — 8 attempts over about 27.6 hours, "seconds to about a day".
 */
public final class WebhookRetrySchedule {

  /** What to do after a failed attempt. */
  public sealed interface Decision {
  }

  /** Try again at {@code at} ({@code now + delay}). */
  public record RetryAt(Instant at, Duration delay) implements Decision {
  }

  /** No attempts left: the delivery has failed for good (it can still be replayed). */
  public record Exhausted(int attempts) implements Decision {
  }

  public static final List<Duration> DEFAULT_DELAYS = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5),
      Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
  public static final double DEFAULT_JITTER = 0.2;

  private final List<Duration> delays;
  private final int maxAttempts;
  private final double jitterRatio;
  private final Duration retryAfterCap;

  public WebhookRetrySchedule(List<Duration> delays, int maxAttempts, double jitterRatio) {
    Objects.requireNonNull(delays, "delays");
    if (delays.isEmpty()) {
      throw new IllegalArgumentException("a retry schedule has at least one delay");
    }
    for (Duration d : delays) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("retry delays are not negative");
      }
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    if (!(jitterRatio >= 0.0 && jitterRatio < 1.0)) {
      throw new IllegalArgumentException("jitterRatio must be within [0, 1), was " + jitterRatio);
    }
    this.delays = List.copyOf(delays);
    this.maxAttempts = maxAttempts;
    this.jitterRatio = jitterRatio;
    this.retryAfterCap = this.delays.stream().max(Duration::compareTo).orElseThrow();
  }

  /** The default schedule: {@link #DEFAULT_DELAYS}, one attempt more than delays, &plusmn;20 % jitter. */
  public static WebhookRetrySchedule defaults() {
    return new WebhookRetrySchedule(DEFAULT_DELAYS, DEFAULT_DELAYS.size() + 1, DEFAULT_JITTER);
  }

  /** The delay after failed attempt {@code attemptsMade} (1-based), before jitter. */
  public Duration nominalDelay(int attemptsMade) {
    if (attemptsMade < 1) {
      throw new IllegalArgumentException("attemptsMade is 1-based, was " + attemptsMade);
    }
    return delays.get(Math.min(attemptsMade, delays.size()) - 1);
  }

  /**
   * Decides after failed attempt {@code attemptsMade} (counting it).
   *
   * @param retryAfter what the endpoint asked for ({@code Retry-After}), if anything
   */
  public Decision next(int attemptsMade, Optional<Duration> retryAfter, Instant now, RandomGenerator random) {
    Objects.requireNonNull(retryAfter, "retryAfter");
    Objects.requireNonNull(now, "now");
    if (attemptsMade >= maxAttempts) {
      return new Exhausted(attemptsMade);
    }
    Duration delay = jittered(nominalDelay(attemptsMade), random);
    if (retryAfter.isPresent() && !retryAfter.get().isNegative()) {
      Duration asked = retryAfter.get().compareTo(retryAfterCap) > 0 ? retryAfterCap : retryAfter.get();
      if (asked.compareTo(delay) > 0) {
        delay = asked;
      }
    }
    return new RetryAt(now.plus(delay), delay);
  }

  private Duration jittered(Duration nominal, RandomGenerator random) {
    if (jitterRatio == 0.0 || nominal.isZero()) {
      return nominal;
    }
    double u = (random.nextDouble() * 2.0 - 1.0) * jitterRatio;
    return Duration.ofMillis(Math.max(0, Math.round(nominal.toMillis() * (1.0 + u))));
  }

  public List<Duration> delays() {
    return delays;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public double jitterRatio() {
    return jitterRatio;
  }

  /** The longest {@code Retry-After} honoured: the longest delay of the schedule. */
  public Duration retryAfterCap() {
    return retryAfterCap;
  }

  /** Every nominal delay of a delivery that never succeeds, in order (maxAttempts - 1 of them). */
  public Duration totalNominal() {
    Duration total = Duration.ZERO;
    for (int n = 1; n < maxAttempts; n++) {
      total = total.plus(nominalDelay(n));
    }
    return total;
  }
}
