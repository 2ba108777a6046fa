package org.wahub.hub.limit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Exact sliding-window limits over send <em>attempts</em> of one instance (a failed attempt
 * counts: WhatsApp sees it either way). Unlike a token bucket, no refill can ever let a burst
 * through: in <em>any</em> interval of a window's length there are at most {@code limit}
 * attempts made with this limiter's consent.
 *
 * <h2>Window membership</h2>
 * An attempt at time {@code a} counts in the window of length {@code L} ending at {@code t} iff
 * {@code t - L < a <= t}. An attempt at {@code t} is allowed iff, for every window, the attempts
 * counted at {@code t} number fewer than its limit. After {@code limit} attempts the next one is
 * therefore allowed exactly at {@code oldest + L}: no needless idling.
 *
 * <h2>Resolution</h2>
 * Timestamps are kept as epoch milliseconds in a sorted {@code long[]} (memory matters: ten
 * thousand limiters share a JVM). To stay safe with microsecond clocks, a recorded attempt is
 * rounded <em>up</em> to the next whole millisecond and a query instant is rounded <em>down</em>;
 * the limiter is thus conservative by less than a millisecond per boundary and never permissive.
 * Windows whose length has a sub-millisecond part are rounded up too.
 *
 * <h2>Time never runs backwards</h2>
 * A query is evaluated at {@code max(now, newest recorded attempt)}. Evaluating only at or after
 * the newest attempt is what makes the check at a single instant sufficient for every interval
 * (all counted attempts are then in the past), so a clock that steps back cannot squeeze an
 * extra attempt in before one already made. Queries never drop history, so asking about a
 * future instant (planning) is harmless.
 *
 * <h2>Memory</h2>
 * On every {@link #record} and {@link #nextAllowedAt} the array is pruned to the attempts within
 * the longest window of the newest attempt; older attempts can never count again. Lengthening a
 * window later cannot bring pruned attempts back: {@link #rebuild} from the event history does.
 *
 * <p>Not thread-safe: one instance's limiter belongs to that instance's verticle.
 */
public final class RollingWindowLimiter {

  private static final long[] EMPTY = new long[0];
  private static final long NONE = Long.MIN_VALUE;

  private List<Window> windows;
  private long[] lengths;
  private int[] limits;
  private long longest;

  private long[] times = EMPTY;
  private int size;
  /** Newest recorded attempt (rounded up), kept even when the array is pruned empty. */
  private long newest = NONE;

  public RollingWindowLimiter(List<Window> windows) {
    setWindows(windows);
  }

  /** A limiter holding the given past attempts, e.g. the attempts of the last day after a restart. */
  public static RollingWindowLimiter rebuild(List<Window> windows, Collection<Instant> pastAttempts) {
    RollingWindowLimiter limiter = new RollingWindowLimiter(windows);
    long[] all = new long[pastAttempts.size()];
    int n = 0;
    for (Instant at : pastAttempts) {
      all[n++] = ceilMillis(Objects.requireNonNull(at, "past attempt"));
    }
    Arrays.sort(all, 0, n);
    limiter.times = n == 0 ? EMPTY : all;
    limiter.size = n;
    limiter.newest = n == 0 ? NONE : all[n - 1];
    limiter.prune();
    return limiter;
  }

  /**
   * Replaces the windows (an operator edited the limits, or a warm-up schedule changed them).
   * The recorded history stays and is judged against the new limits from the next query on:
   * every attempt allowed after the change satisfies the new limits counted over the retained
   * history, so any interval of a window's length that ends at such an attempt holds at most the
   * new limit. Right after lowering a limit the window may therefore stay closed until enough
   * of the earlier attempts age out. (Intervals made only of earlier attempts were judged by the
   * earlier limits.)
   */
  public void setWindows(List<Window> windows) {
    Objects.requireNonNull(windows, "windows");
    List<Window> copy = List.copyOf(windows);
    Set<String> names = new HashSet<>();
    long[] newLengths = new long[copy.size()];
    int[] newLimits = new int[copy.size()];
    long newLongest = 0;
    for (int i = 0; i < copy.size(); i++) {
      Window w = copy.get(i);
      if (!names.add(w.name())) {
        throw new IllegalArgumentException("duplicate window name: " + w.name());
      }
      newLengths[i] = w.lengthMillis();
      newLimits[i] = w.limit();
      newLongest = Math.max(newLongest, newLengths[i]);
    }
    this.windows = copy;
    this.lengths = newLengths;
    this.limits = newLimits;
    this.longest = newLongest;
  }

  public List<Window> windows() {
    return windows;
  }

  /**
   * {@code now} itself if an attempt at {@code now} is allowed; otherwise the earliest instant
   * {@code t > now} at which one is: the moment the binding window's {@code limit}-th newest
   * attempt ages out ({@code attempt + length}). When any window has limit 0 no attempt is ever
   * allowed and the sentinel {@link Instant#MAX} is returned; callers treat it as "not until the
   * limits change" and must not arm a timer for it.
   */
  public Instant nextAllowedAt(Instant now) {
    long q = floorMillis(now);
    long base = Math.max(q, newest);
    prune();
    long t = base;
    for (int i = 0; i < limits.length; i++) {
      int limit = limits[i];
      if (limit == 0) {
        return Instant.MAX;
      }
      if (size >= limit) {
        // the limit-th newest attempt: once it ages out, fewer than `limit` remain in the window
        t = Math.max(t, saturatedAdd(times[size - limit], lengths[i]));
      }
    }
    return t == q ? now : Instant.ofEpochMilli(t);
  }

  /** True when {@link #nextAllowedAt} would answer {@code now}. */
  public boolean allows(Instant now) {
    return nextAllowedAt(now).equals(now);
  }

  /**
   * Records one attempt. Attempts may arrive out of time order (a rebuild, a late audit row);
   * the array stays sorted.
   */
  public void record(Instant at) {
    long a = ceilMillis(Objects.requireNonNull(at, "at"));
    int index = upperBound(a);
    if (size == times.length) {
      long[] grown = new long[Math.max(8, times.length * 2)];
      System.arraycopy(times, 0, grown, 0, index);
      System.arraycopy(times, index, grown, index + 1, size - index);
      times = grown;
    } else {
      System.arraycopy(times, index, times, index + 1, size - index);
    }
    times[index] = a;
    size++;
    newest = Math.max(newest, a);
    prune();
  }

  /** The count of each window at {@code now} (evaluated like {@link #nextAllowedAt}). */
  public List<WindowUsage> usage(Instant now) {
    long base = Math.max(floorMillis(now), newest);
    prune();
    List<WindowUsage> result = new ArrayList<>(windows.size());
    for (int i = 0; i < windows.size(); i++) {
      Window w = windows.get(i);
      int used = size - upperBound(base - lengths[i]);
      result.add(new WindowUsage(w.name(), w.length(), used, w.limit()));
    }
    return List.copyOf(result);
  }

  /** Attempts currently held in memory (after pruning); for tests and memory accounting. */
  int retainedAttempts() {
    return size;
  }

  int capacity() {
    return times.length;
  }

  private void prune() {
    if (size == 0 || newest == NONE) {
      return;
    }
    long cutoff = newest - longest;
    int drop = upperBound(cutoff);
    if (drop > 0) {
      System.arraycopy(times, drop, times, 0, size - drop);
      size -= drop;
    }
    if (size == 0) {
      times = EMPTY;
    } else if (times.length > 16 && size < times.length / 4) {
      times = Arrays.copyOf(times, Math.max(16, size * 2));
    }
  }

  /** Index of the first element strictly greater than {@code value}. */
  private int upperBound(long value) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] <= value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  static long floorMillis(Instant instant) {
    try {
      return instant.toEpochMilli();
    } catch (ArithmeticException outOfRange) {
      return instant.getEpochSecond() < 0 ? Long.MIN_VALUE + 1 : Long.MAX_VALUE;
    }
  }

  static long ceilMillis(Instant instant) {
    long floor = floorMillis(instant);
    return instant.getNano() % 1_000_000 != 0 && floor != Long.MAX_VALUE ? floor + 1 : floor;
  }

  @Override
  public String toString() {
    return "RollingWindowLimiter" + windows + " holding " + size + " attempts";
  }
}
