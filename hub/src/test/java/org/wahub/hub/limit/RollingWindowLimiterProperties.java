package org.wahub.hub.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The limiter's contract checked against brute force on random window sets (1-3 windows, random
 * lengths and limits) and random arrival patterns, all in virtual time (epoch millis).
 */
class RollingWindowLimiterProperties {

  private static final long T0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();

  // ---------------------------------------------------------------- (a) safety

  /**
   * (a) A client that attempts only when {@code nextAllowedAt(t) == t} never exceeds any
   * window's limit in any interval of that window's length, and (liveness) drains its backlog
   * unless a window forbids every send.
   */
  @Property(tries = 1000)
  void safetyNoIntervalEverExceedsALimit(@ForAll("windowSets") List<Window> windows,
      @ForAll("arrivals") List<Tuple.Tuple2<Long, Integer>> arrivals) {
    RollingWindowLimiter limiter = new RollingWindowLimiter(windows);
    Client client = new Client(limiter);
    client.run(arrivals);

    assertWithinLimits(client.attempts, windows);
    boolean someWindowForbidsAll = windows.stream().anyMatch(w -> w.limit() == 0);
    if (someWindowForbidsAll) {
      assertThat(client.attempts).isEmpty();
    } else {
      assertThat(client.backlog).as("backlog drained").isZero();
      assertThat(client.attempts).hasSize(arrivals.stream().mapToInt(Tuple.Tuple2::get2).sum());
    }
  }

  /** (a') Safety also holds in real (nanosecond) time when instants carry sub-millisecond parts. */
  @Property(tries = 1000)
  void safetyHoldsWithMicrosecondClocks(@ForAll("windowSets") List<Window> windows,
      @ForAll @Size(min = 1, max = 120) List<@IntRange(min = 0, max = 90_000_000) Integer> gapsMicros) {
    RollingWindowLimiter limiter = new RollingWindowLimiter(windows);
    List<Instant> attempts = new ArrayList<>();
    Instant t = Instant.ofEpochMilli(T0);
    for (int gap : gapsMicros) {
      t = t.plusNanos(gap * 1_000L + 123);
      Instant allowed = limiter.nextAllowedAt(t);
      if (allowed.equals(t)) {
        limiter.record(t);
        attempts.add(t);
      }
    }
    for (Window w : windows) {
      for (int j = 0; j < attempts.size(); j++) {
        Instant end = attempts.get(j);
        long inWindow = attempts.stream()
            .filter(a -> !a.isAfter(end) && a.isAfter(end.minus(w.length())))
            .count();
        assertThat(inWindow).as("attempts in (%s - %s, %s]", end, w.length(), end).isLessThanOrEqualTo(w.limit());
      }
    }
  }

  // ---------------------------------------------------------------- (b) no needless idling

  /**
   * (b) Under a permanent backlog (the client always attempts at {@code nextAllowedAt}, sometimes
   * after idling), every answer equals a brute-force oracle: the earliest {@code t >= now} at
   * which one more attempt fits every window; and it is {@code now} or exactly
   * {@code attempt + length} of some recorded attempt (the moment it ages out).
   */
  @Property(tries = 1000)
  void noNeedlessIdlingMatchesABruteForceOracle(@ForAll("positiveWindowSets") List<Window> windows,
      @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 200_000) Integer> pastOffsets,
      @ForAll("idles") List<Long> idles) {
    List<Long> history = new ArrayList<>();
    List<Instant> pastInstants = new ArrayList<>();
    for (int off : pastOffsets) {
      history.add(T0 + off);
      pastInstants.add(Instant.ofEpochMilli(T0 + off));
    }
    RollingWindowLimiter limiter = RollingWindowLimiter.rebuild(windows, pastInstants);
    long t = history.stream().mapToLong(Long::longValue).max().orElse(T0);
    for (long idle : idles) {
      t += idle;
      long expected = oracleNextAllowed(history, windows, t);
      Instant actual = limiter.nextAllowedAt(Instant.ofEpochMilli(t));
      assertThat(actual.toEpochMilli()).as("nextAllowedAt(%d) with history %s", t, history).isEqualTo(expected);
      if (expected != t) {
        long e = expected;
        assertThat(history.stream().anyMatch(a -> windows.stream().anyMatch(w -> a + w.length().toMillis() == e)))
            .as("answer is the moment an attempt ages out").isTrue();
      }
      t = expected;
      limiter.record(Instant.ofEpochMilli(t));
      history.add(t);
    }
  }

  // ---------------------------------------------------------------- (c) rebuild

  /**
   * (c) A limiter rebuilt from the recorded attempts, in any order, answers
   * {@code nextAllowedAt} and {@code usage} exactly like the live one at any later instant.
   */
  @Property(tries = 1000)
  void rebuildFromHistoryEqualsTheLiveLimiter(@ForAll("windowSets") List<Window> windows,
      @ForAll("arrivals") List<Tuple.Tuple2<Long, Integer>> arrivals,
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 200_000) Integer> queryOffsets,
      @ForAll long shuffleSeed) {
    RollingWindowLimiter live = new RollingWindowLimiter(windows);
    Client client = new Client(live);
    client.run(arrivals);

    List<Instant> history = new ArrayList<>();
    for (long a : client.attempts) {
      history.add(Instant.ofEpochMilli(a));
    }
    Collections.shuffle(history, new Random(shuffleSeed));
    RollingWindowLimiter rebuilt = RollingWindowLimiter.rebuild(windows, history);

    long last = client.clock;
    for (int off : queryOffsets) {
      Instant q = Instant.ofEpochMilli(last + off);
      assertThat(rebuilt.nextAllowedAt(q)).isEqualTo(live.nextAllowedAt(q));
      assertThat(rebuilt.usage(q)).isEqualTo(live.usage(q));
    }
  }

  // ---------------------------------------------------------------- (d) changing limits

  /**
   * (d) Limits changed mid-stream (lowered or raised, same windows) rule from the change on,
   * counted over the whole history: for every attempt made at or after the change, the
   * interval of each window's length ending at that attempt holds at most the new limit. So no
   * interval whose latest attempt comes after the change ever exceeds the new limit; intervals
   * made only of earlier attempts were judged by the old limits.
   */
  @Property(tries = 1000)
  void aChangedLimitIsNeverExceededByLaterAttempts(@ForAll("positiveWindowSets") List<Window> windows,
      @ForAll("arrivals") List<Tuple.Tuple2<Long, Integer>> before,
      @ForAll("arrivals") List<Tuple.Tuple2<Long, Integer>> after,
      @ForAll @Size(3) List<@IntRange(min = 0, max = 8) Integer> newLimits) {
    RollingWindowLimiter limiter = new RollingWindowLimiter(windows);
    Client client = new Client(limiter);
    client.run(before);

    List<Window> changed = new ArrayList<>();
    for (int i = 0; i < windows.size(); i++) {
      Window w = windows.get(i);
      changed.add(new Window(w.name(), w.length(), newLimits.get(i)));
    }
    limiter.setWindows(changed);
    long changeAt = client.clock;
    int attemptsBefore = client.attempts.size();
    client.run(after);

    List<Long> all = client.attempts;
    for (Window w : changed) {
      long len = w.length().toMillis();
      for (int j = attemptsBefore; j < all.size(); j++) {
        long end = all.get(j);
        assertThat(end).isGreaterThanOrEqualTo(changeAt);
        long inWindow = all.stream().filter(a -> a <= end && a > end - len).count();
        assertThat(inWindow).as("%s after the change, ending at %d", w, end).isLessThanOrEqualTo(w.limit());
      }
    }
  }

  // ---------------------------------------------------------------- (e) bursts

  /** (e) After {@code limit} attempts at one instant the next is allowed exactly one window later. */
  @Property(tries = 1000)
  void aBurstIsRefusedUntilTheWholeWindowHasPassed(@ForAll @IntRange(min = 1, max = 50) int limit,
      @ForAll @IntRange(min = 1, max = 3_600_000) int lengthMillis,
      @ForAll @IntRange(min = 0, max = 3_600_000) int askAfter) {
    Window w = new Window("w", Duration.ofMillis(lengthMillis), limit);
    RollingWindowLimiter limiter = new RollingWindowLimiter(List.of(w));
    Instant t = Instant.ofEpochMilli(T0);
    for (int i = 0; i < limit; i++) {
      assertThat(limiter.nextAllowedAt(t)).isEqualTo(t);
      limiter.record(t);
    }
    Instant ask = t.plusMillis(askAfter);
    Instant expected = askAfter >= lengthMillis ? ask : t.plusMillis(lengthMillis);
    assertThat(limiter.nextAllowedAt(ask)).isEqualTo(expected);
  }

  // ---------------------------------------------------------------- helpers

  /** Sliding check over every interval that ends at an attempt (the maxima are there). */
  static void assertWithinLimits(List<Long> attempts, List<Window> windows) {
    List<Long> sorted = new ArrayList<>(attempts);
    Collections.sort(sorted);
    for (Window w : windows) {
      long len = w.length().toMillis();
      int start = 0;
      for (int end = 0; end < sorted.size(); end++) {
        while (sorted.get(start) <= sorted.get(end) - len) {
          start++;
        }
        int upper = end;
        while (upper + 1 < sorted.size() && sorted.get(upper + 1).equals(sorted.get(end))) {
          upper++;
        }
        assertThat(upper - start + 1)
            .as("%s: attempts in (%d, %d]", w, sorted.get(end) - len, sorted.get(end))
            .isLessThanOrEqualTo(w.limit());
      }
    }
  }

  /** Earliest t' >= t at which one more attempt fits every window, by trying every candidate. */
  static long oracleNextAllowed(List<Long> history, List<Window> windows, long t) {
    List<Long> candidates = new ArrayList<>();
    candidates.add(t);
    for (long a : history) {
      for (Window w : windows) {
        long c = a + w.length().toMillis();
        if (c > t) {
          candidates.add(c);
        }
      }
    }
    Collections.sort(candidates);
    for (long c : candidates) {
      boolean fits = true;
      for (Window w : windows) {
        long len = w.length().toMillis();
        long count = history.stream().filter(a -> a <= c && a > c - len).count();
        if (count + 1 > w.limit()) {
          fits = false;
          break;
        }
      }
      if (fits) {
        return c;
      }
    }
    throw new AssertionError("no candidate fits: the oracle is wrong");
  }

  /**
   * A sender with a queue: messages arrive in batches after random gaps; it attempts only when
   * the limiter says "now", and otherwise sleeps until the limiter's answer or the next arrival.
   */
  static final class Client {
    final RollingWindowLimiter limiter;
    final List<Long> attempts = new ArrayList<>();
    long clock = T0;
    int backlog;

    Client(RollingWindowLimiter limiter) {
      this.limiter = limiter;
    }

    void run(List<Tuple.Tuple2<Long, Integer>> arrivals) {
      int next = 0;
      long nextArrival = arrivals.isEmpty() ? Long.MAX_VALUE : clock + arrivals.get(0).get1();
      while (true) {
        long wake = nextArrival;
        if (backlog > 0) {
          Instant allowed = limiter.nextAllowedAt(Instant.ofEpochMilli(clock));
          if (!allowed.equals(Instant.MAX)) {
            wake = Math.min(wake, allowed.toEpochMilli());
          }
        }
        if (wake == Long.MAX_VALUE) {
          return;
        }
        clock = Math.max(clock, wake);
        while (next < arrivals.size() && nextArrival <= clock) {
          backlog += arrivals.get(next).get2();
          next++;
          nextArrival = next < arrivals.size() ? nextArrival + arrivals.get(next).get1() : Long.MAX_VALUE;
        }
        Instant now = Instant.ofEpochMilli(clock);
        while (backlog > 0 && limiter.nextAllowedAt(now).equals(now)) {
          limiter.record(now);
          attempts.add(clock);
          backlog--;
        }
      }
    }
  }

  // ---------------------------------------------------------------- generators

  @Provide
  Arbitrary<List<Window>> windowSets() {
    return windows(Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.just(0)),
        Tuple.of(12, Arbitraries.integers().between(1, 8))));
  }

  @Provide
  Arbitrary<List<Window>> positiveWindowSets() {
    return windows(Arbitraries.integers().between(1, 8));
  }

  private static Arbitrary<List<Window>> windows(Arbitrary<Integer> limits) {
    Arbitrary<Long> lengths = Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.longs().between(1, 50)),
        Tuple.of(4, Arbitraries.longs().between(50, 10_000)),
        Tuple.of(3, Arbitraries.longs().between(10_000, 120_000)));
    Arbitrary<Tuple.Tuple2<Long, Integer>> pair = Combinators.combine(lengths, limits).as(Tuple::of);
    return pair.list().ofMinSize(1).ofMaxSize(3).map(pairs -> {
      List<Window> ws = new ArrayList<>();
      for (int i = 0; i < pairs.size(); i++) {
        ws.add(new Window("w" + i, Duration.ofMillis(pairs.get(i).get1()), pairs.get(i).get2()));
      }
      return ws;
    });
  }

  /** (gap before the batch in ms, batch size). */
  @Provide
  Arbitrary<List<Tuple.Tuple2<Long, Integer>>> arrivals() {
    Arbitrary<Long> gaps = Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.just(0L)),
        Tuple.of(3, Arbitraries.longs().between(1, 1_000)),
        Tuple.of(3, Arbitraries.longs().between(1_000, 200_000)));
    Arbitrary<Integer> batch = Arbitraries.integers().between(1, 6);
    return Combinators.combine(gaps, batch).as(Tuple::of).list().ofMinSize(1).ofMaxSize(60);
  }

  @Provide
  Arbitrary<List<Long>> idles() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.just(0L)),
        Tuple.of(2, Arbitraries.longs().between(1, 5_000)),
        Tuple.of(1, Arbitraries.longs().between(5_000, 300_000))).list().ofMinSize(1).ofMaxSize(100);
  }
}
