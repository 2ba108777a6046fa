package org.wahub.hub.limit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One sliding window of the send limiter: at most {@code limit} attempts in any interval of
 * {@code length}. A limit of 0 means "no sends at all" (an operator's brake), not "unlimited".
 *
 * <p>The limiter works in whole milliseconds; a length with a sub-millisecond part is rounded
 * up, because a longer window is the stricter one.
 */
public record Window(String name, Duration length, int limit) {

  public static final String PER_MINUTE = "perMinute";
  public static final String PER_HOUR = "perHour";
  public static final String PER_DAY = "perDay";

  public Window {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(length, "length");
    if (name.isBlank()) {
      throw new IllegalArgumentException("window name must not be blank");
    }
    if (length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException("window " + name + ": length must be > 0, was " + length);
    }
    if (limit < 0) {
      throw new IllegalArgumentException("window " + name + ": limit must be >= 0, was " + limit);
    }
  }

  /** The contract's defaults: 6 per minute, 60 per hour, 300 per day. */
  public static List<Window> defaults() {
    return standard(6, 60, 300);
  }

  /** The three named windows of the instance config ({@code limits.perMinute/perHour/perDay}). */
  public static List<Window> standard(int perMinute, int perHour, int perDay) {
    return List.of(
        new Window(PER_MINUTE, Duration.ofMinutes(1), perMinute),
        new Window(PER_HOUR, Duration.ofHours(1), perHour),
        new Window(PER_DAY, Duration.ofHours(24), perDay));
  }

  /** The length in whole milliseconds, rounded up. */
  long lengthMillis() {
    long millis = length.toMillis();
    return length.minusMillis(millis).isZero() ? millis : millis + 1;
  }
}
