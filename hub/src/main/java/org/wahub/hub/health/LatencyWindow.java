package org.wahub.hub.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * Durations seen over a rolling window (the last hour by default), kept as counts in log-scale
 * buckets so a percentile costs a pass over ~125 numbers and memory does not grow with traffic.
 * The window is a ring of slots; a slot older than the window is cleared when its place comes
 * round again, so the window covers between {@code window - slot} and {@code window}.
 *
 * <p>A percentile is reported as the upper bound of the bucket it falls in, capped by the
 * largest value seen: never below the true value, and at most 10 % (+1 ms) above it. That
 * error is on the safe side for a threshold check: a p95 of exactly the threshold never reads
 * as above it unless the true value is within 10 % of it.
 *
 * <p>Not thread-safe: the caller serializes access.
 */
public final class LatencyWindow {

  /** Upper bounds (inclusive) of the buckets in ms: 1, 2, … 10, then 10 % apart, then everything above 10 min. */
  static final long[] BOUNDS = bounds(600_000);

  private final long slotMillis;
  private final long[] slotIds;
  private final long[][] counts;
  private final long[] max;

  /** {@code slots} slots of {@code window / slots} each. */
  public LatencyWindow(Duration window, int slots) {
    Objects.requireNonNull(window, "window");
    if (slots < 1 || window.toMillis() < slots) {
      throw new IllegalArgumentException("need at least one slot of at least 1 ms");
    }
    this.slotMillis = window.toMillis() / slots;
    this.slotIds = new long[slots];
    Arrays.fill(slotIds, Long.MIN_VALUE);
    this.counts = new long[slots][BOUNDS.length];
    this.max = new long[slots];
  }

  /** The last hour in twelve 5-minute slots. */
  public static LatencyWindow lastHour() {
    return new LatencyWindow(Duration.ofHours(1), 12);
  }

  /** Records one duration (negative ones count as 0) observed at {@code at}. */
  public void record(Instant at, long millis) {
    long v = Math.max(0, millis);
    long slot = Math.floorDiv(at.toEpochMilli(), slotMillis);
    int i = (int) Math.floorMod(slot, (long) slotIds.length);
    if (slotIds[i] != slot) {
      if (slotIds[i] > slot) {
        return; // older than what the ring already holds there: outside the window
      }
      slotIds[i] = slot;
      Arrays.fill(counts[i], 0);
      max[i] = 0;
    }
    counts[i][bucket(v)]++;
    max[i] = Math.max(max[i], v);
  }

  /** The counts of the window that ends at {@code now}. */
  public Snapshot snapshot(Instant now) {
    long current = Math.floorDiv(now.toEpochMilli(), slotMillis);
    long[] sum = new long[BOUNDS.length];
    long total = 0;
    long top = 0;
    for (int i = 0; i < slotIds.length; i++) {
      long id = slotIds[i];
      if (id > current - slotIds.length && id <= current) {
        for (int b = 0; b < sum.length; b++) {
          sum[b] += counts[i][b];
          total += counts[i][b];
        }
        top = Math.max(top, max[i]);
      }
    }
    return new Snapshot(sum, total, top);
  }

  static int bucket(long millis) {
    int i = Arrays.binarySearch(BOUNDS, millis);
    return i >= 0 ? i : -i - 1;
  }

  private static long[] bounds(long upTo) {
    long[] out = new long[256];
    int n = 0;
    long b = 1;
    while (b < upTo) {
      out[n++] = b;
      b = Math.max(b + 1, (long) Math.ceil(b * 1.1));
    }
    out[n++] = upTo;
    out[n++] = Long.MAX_VALUE;
    return Arrays.copyOf(out, n);
  }

  /** Counts per bucket over a window, with the number of values and the largest. */
  public record Snapshot(long[] counts, long count, long max) {

    public Snapshot {
      counts = counts.clone();
    }

    public static Snapshot empty() {
      return new Snapshot(new long[BOUNDS.length], 0, 0);
    }

    /** Both windows together (e.g. every tenant's for the admin's view). */
    public Snapshot plus(Snapshot other) {
      long[] sum = counts.clone();
      for (int b = 0; b < sum.length; b++) {
        sum[b] += other.counts[b];
      }
      return new Snapshot(sum, count + other.count, Math.max(max, other.max));
    }

    /** The {@code q}-quantile (0 &lt; q ≤ 1) in ms, within 10 % (+1 ms) above the true one; 0 when empty. */
    public long percentile(double q) {
      if (!(q > 0 && q <= 1)) {
        throw new IllegalArgumentException("q must be in (0, 1], got " + q);
      }
      if (count == 0) {
        return 0;
      }
      long rank = (long) Math.ceil(q * count);
      long seen = 0;
      for (int b = 0; b < counts.length; b++) {
        seen += counts[b];
        if (seen >= rank) {
          return Math.min(BOUNDS[b], max);
        }
      }
      return max;
    }
  }
}
