package org.wahub.hub.instance;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the reconnect ladder: the delay before each attempt, the restart budget per
 * window ({@code MAX_RESTARTS_PER_WINDOW} per {@code RESTART_WINDOW_MINUTES}), the number of
 * failed attempts before giving up ({@code MAX_RECONNECT_ATTEMPTS}), and how long a soft or hard
 * restart may take before it counts as failed.
 */
public record ReconnectPolicy(List<Duration> delays, int maxRestartsPerWindow, Duration restartWindow,
    int maxAttempts, Duration softTimeout, Duration hardTimeout) {

  public ReconnectPolicy {
    Objects.requireNonNull(delays, "delays");
    delays = List.copyOf(delays);
    if (delays.isEmpty()) {
      throw new IllegalArgumentException("at least one delay is needed");
    }
    for (Duration d : delays) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("delays must not be negative: " + delays);
      }
    }
    if (maxRestartsPerWindow < 1) {
      throw new IllegalArgumentException("maxRestartsPerWindow must be >= 1, was " + maxRestartsPerWindow);
    }
    requirePositive("restartWindow", restartWindow);
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    requirePositive("softTimeout", softTimeout);
    requirePositive("hardTimeout", hardTimeout);
  }

  /** Delays 1, 2, 3, 4, 5 min; 4 restarts per 10 min; 5 attempts; 180 s soft and hard timeouts. */
  public static ReconnectPolicy defaults() {
    return new ReconnectPolicy(
        List.of(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(3),
            Duration.ofMinutes(4), Duration.ofMinutes(5)),
        4, Duration.ofMinutes(10), 5, Duration.ofSeconds(180), Duration.ofSeconds(180));
  }

  /** The delay before attempt {@code attempt} (1-based); beyond the list the last one repeats. */
  public Duration delayBefore(int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt is 1-based, was " + attempt);
    }
    return delays.get(Math.min(attempt, delays.size()) - 1);
  }

  /** Attempt 1 is soft, every later one hard. */
  public RestartType typeOf(int attempt) {
    return attempt <= 1 ? RestartType.SOFT : RestartType.HARD;
  }

  public Duration timeoutOf(RestartType type) {
    return type == RestartType.SOFT ? softTimeout : hardTimeout;
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + d);
    }
  }
}
