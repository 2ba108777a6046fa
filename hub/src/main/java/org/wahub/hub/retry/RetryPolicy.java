package org.wahub.hub.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with jitter and an attempt budget for retriable send errors
 * ({@code RETRY_BASE_BACKOFF_MS}, {@code RETRY_MAX_BACKOFF_MS}, {@code MAX_SEND_ATTEMPTS}).
 *
 * <h2>Back-off after attempt n (1-based, the attempt that just failed)</h2>
 * nominal(n) = min(max, base &times; 2<sup>n-1</sup>); delay = clamp(round(nominal &times;
 * (1 + u)), 0, max) with {@code u} uniform in {@code [-jitterRatio, +jitterRatio)}, in whole
 * milliseconds. The jitter spreads retries of many messages after a shared outage; the clamp
 * keeps the promise that no retry waits longer than {@code max}, so at the cap the jitter only
 * shortens. With a zero ratio the random generator is not used and delays are exactly nominal.
 */
public final class RetryPolicy {

  public static final String ATTEMPTS_EXHAUSTED = "attempts_exhausted";

  private final Duration base;
  private final Duration max;
  private final int maxAttempts;
  private final double jitterRatio;

  public RetryPolicy(Duration base, Duration max, int maxAttempts, double jitterRatio) {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(max, "max");
    if (base.toMillis() < 1) {
      throw new IllegalArgumentException("base must be at least 1 ms, was " + base);
    }
    if (max.compareTo(base) < 0) {
      throw new IllegalArgumentException("max " + max + " must not be below base " + base);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    if (!(jitterRatio >= 0.0 && jitterRatio <= 1.0)) {
      throw new IllegalArgumentException("jitterRatio must be within 0..1, was " + jitterRatio);
    }
    this.base = base;
    this.max = max;
    this.maxAttempts = maxAttempts;
    this.jitterRatio = jitterRatio;
  }

  /** 5 s doubling to 120 s, 5 attempts, &plusmn;20 % jitter. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(120), 5, 0.2);
  }

  /** The back-off before attempt {@code attemptNumber + 1}, without jitter. */
  public Duration nominalBackoff(int attemptNumber) {
    return Duration.ofMillis(nominalMillis(attemptNumber));
  }

  /** The back-off after failed attempt {@code attemptNumber} (1-based); see the class comment. */
  public Duration backoff(int attemptNumber, RandomGenerator rng) {
    long nominal = nominalMillis(attemptNumber);
    if (jitterRatio == 0.0) {
      return Duration.ofMillis(nominal);
    }
    double u = (rng.nextDouble() * 2.0 - 1.0) * jitterRatio;
    long jittered = Math.round(nominal * (1.0 + u));
    return Duration.ofMillis(Math.max(0, Math.min(max.toMillis(), jittered)));
  }

  /**
   * Decides after a failed attempt. {@code attemptsMade} counts every attempt including the one
   * that just failed. Permanent errors fail at once with their own code; retriable ones are
   * retried until {@code maxAttempts} attempts were made, then fail as
   * {@value #ATTEMPTS_EXHAUSTED} with the last error's code in the reason.
   */
  public RetryDecision decide(int attemptsMade, SendError error, Instant now, RandomGenerator rng) {
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(now, "now");
    if (attemptsMade < 1) {
      throw new IllegalArgumentException("attemptsMade counts the failed attempt, so it is >= 1, was " + attemptsMade);
    }
    if (!error.isRetriable()) {
      return new RetryDecision.Fail(error.code(), error.reason());
    }
    if (attemptsMade >= maxAttempts) {
      String reason = "gave up after " + attemptsMade + " attempts; last error " + error.code()
          + (error.reason().isEmpty() ? "" : ": " + error.reason());
      return new RetryDecision.Fail(ATTEMPTS_EXHAUSTED, SendError.truncate(reason, SendError.MAX_REASON_LENGTH));
    }
    Duration delay = backoff(attemptsMade, rng);
    if (error.kind() == SendError.Kind.RATE_LIMITED && error.retryAfter().compareTo(delay) > 0) {
      // the provider said when: earlier would only be throttled again (and count as an attempt)
      delay = error.retryAfter();
    }
    return new RetryDecision.RetryAt(now.plus(delay), delay);
  }

  public Duration base() {
    return base;
  }

  public Duration max() {
    return max;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public double jitterRatio() {
    return jitterRatio;
  }

  private long nominalMillis(int attemptNumber) {
    if (attemptNumber < 1) {
      throw new IllegalArgumentException("attemptNumber is 1-based, was " + attemptNumber);
    }
    long baseMillis = base.toMillis();
    long maxMillis = max.toMillis();
    int shift = attemptNumber - 1;
    if (shift >= 62 || baseMillis > (maxMillis >> shift)) {
      return maxMillis;
    }
    return Math.min(maxMillis, baseMillis << shift);
  }

  @Override
  public String toString() {
    return "RetryPolicy[base=" + base + ", max=" + max + ", maxAttempts=" + maxAttempts
        + ", jitterRatio=" + jitterRatio + "]";
  }
}
