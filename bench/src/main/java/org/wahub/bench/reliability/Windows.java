package org.wahub.bench.reliability;

import java.util.ArrayList;
import java.util.List;

/**
 * The rolling-window invariant checked from the outside (DESIGN §5): in ANY interval of a
 * window's length an instance makes at most that window's limit of attempts — every entry of the
 * simulated phone's log is an attempt, whatever its outcome. The limiter's own membership rule is
 * used: an attempt at {@code a} counts in the window ending at {@code t} iff {@code t - L < a <= t};
 * the largest count over all windows is reached by a window that ends on an attempt, so checking
 * those is exhaustive.
 */
final class Windows {

  private Windows() {
  }

  /** Max attempts observed in one instance window, overall and in the windows that straddle a restart. */
  record Stat(String instance, String window, long lengthMs, int limit, int maxObserved, int maxAroundRestarts,
              String worstAt) {
    boolean exceeded() {
      return limit > 0 && maxObserved > limit;
    }
  }

  /** Largest count in any (t - L, t]; {@code micros} sorted ascending. */
  static int maxInAnyWindow(long[] micros, long lengthMicros) {
    return max(micros, lengthMicros, Long.MIN_VALUE, Long.MAX_VALUE)[0];
  }

  /**
   * Largest count over windows whose end t lies in [from, to]; returns {count, index of the window end}.
   */
  static int[] max(long[] micros, long lengthMicros, long from, long to) {
    int best = 0;
    int bestAt = -1;
    for (int i = 0, j = 0; i < micros.length; i++) {
      while (micros[j] <= micros[i] - lengthMicros) {
        j++;
      }
      if (micros[i] < from || micros[i] > to) {
        continue;
      }
      int n = i - j + 1;
      if (n > best) {
        best = n;
        bestAt = i;
      }
    }
    return new int[] {best, bestAt};
  }

  /**
   * All three windows of an instance. {@code restartsMicros} are the instants the hub became
   * ready again after a crash or stop: windows that end within one window length after one of them
   * hold attempts from both sides of the restart, which is where a limiter that forgot its
   * history would overshoot.
   */
  static List<Stat> check(InstanceSpec spec, long[] micros, double timeScale, List<Long> restartsMicros) {
    List<Stat> out = new ArrayList<>();
    String[] names = {"perMinute", "perHour", "perDay"};
    long[] lengths = {60_000_000L, 3_600_000_000L, 86_400_000_000L};
    int[] limits = {spec.perMinute(), spec.perHour(), spec.perDay()};
    for (int w = 0; w < 3; w++) {
      long len = Math.max(1000, (long) (lengths[w] / timeScale));
      int[] all = max(micros, len, Long.MIN_VALUE, Long.MAX_VALUE);
      int around = 0;
      for (long r : restartsMicros) {
        around = Math.max(around, max(micros, len, r, r + len)[0]);
      }
      String worst = all[1] < 0 ? "-" : java.time.Instant.EPOCH.plusNanos(micros[all[1]] * 1000).toString();
      out.add(new Stat(spec.id(), names[w], len / 1000, limits[w], all[0], around, worst));
    }
    return out;
  }
}
