package org.wahub.hub.limit;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Minimum gap between two sends of one instance plus a bounded random jitter, so that sends
 * neither burst nor tick like a metronome (both look automated to WhatsApp).
 *
 * <p>The gap after a send is {@code minInterval + j} with {@code j} drawn uniformly from the
 * whole milliseconds in {@code [0, maxJitter]} (a sub-millisecond jitter therefore means none).
 * It is drawn once per recorded send, so asking {@link #nextAllowedAt} repeatedly gives the
 * same answer; a {@link #reconfigure} redraws it from the new settings, still measured from the
 * last send. With a zero jitter the random generator is never touched.
 *
 * <p>Not thread-safe: one pacer belongs to one instance's verticle.
 */
public final class Pacer {

  /** Gaps longer than this are configuration mistakes, not pacing. */
  public static final Duration MAX_SETTING = Duration.ofDays(365);

  private final RandomGenerator rng;
  private Duration minInterval;
  private Duration maxJitter;
  private Instant lastSend;
  private Duration gap;

  public Pacer(Duration minInterval, Duration maxJitter, RandomGenerator rng) {
    this.rng = Objects.requireNonNull(rng, "rng");
    setSettings(minInterval, maxJitter);
  }

  /**
   * Records a send (or an attempt: the gap protects the account either way) and draws the gap
   * to the next one. A send older than the latest recorded one does not move the pacer back.
   */
  public void recordSend(Instant at) {
    Objects.requireNonNull(at, "at");
    if (lastSend != null && at.isBefore(lastSend)) {
      return;
    }
    lastSend = at;
    gap = drawGap();
  }

  /** {@code now} if nothing was sent yet or the gap has passed; else the end of the gap. */
  public Instant nextAllowedAt(Instant now) {
    Objects.requireNonNull(now, "now");
    if (lastSend == null) {
      return now;
    }
    Instant earliest = lastSend.plus(gap);
    return earliest.isAfter(now) ? earliest : now;
  }

  /** Applies new settings; the pending gap is redrawn from them, measured from the last send. */
  public void reconfigure(Duration minInterval, Duration maxJitter) {
    setSettings(minInterval, maxJitter);
    if (lastSend != null) {
      gap = drawGap();
    }
  }

  public Duration minInterval() {
    return minInterval;
  }

  public Duration maxJitter() {
    return maxJitter;
  }

  public Optional<Instant> lastSendAt() {
    return Optional.ofNullable(lastSend);
  }

  /** The gap drawn after the last send; empty before the first send. */
  public Optional<Duration> currentGap() {
    return Optional.ofNullable(gap);
  }

  private void setSettings(Duration minInterval, Duration maxJitter) {
    this.minInterval = checkSetting("minInterval", minInterval);
    this.maxJitter = checkSetting("maxJitter", maxJitter);
  }

  private static Duration checkSetting(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.compareTo(MAX_SETTING) > 0) {
      throw new IllegalArgumentException(name + " must be within 0.." + MAX_SETTING + ", was " + value);
    }
    return value;
  }

  private Duration drawGap() {
    long jitterMillis = maxJitter.toMillis();
    if (jitterMillis == 0) {
      return minInterval;
    }
    return minInterval.plusMillis(rng.nextLong(jitterMillis + 1));
  }
}
