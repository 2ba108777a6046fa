package org.wahub.bench.reliability;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients' side of the bookkeeping (Jepsen-style history): every idempotency key a client
 * used, what it posted, and every answer it got — in particular each message id the hub gave it
 * for that key. At the end the hub's state and the simulated phone's log are checked against it.
 */
final class Ledger {

  /** One idempotency key: what was posted and what the hub answered, over all attempts. */
  static final class Entry {
    final String key;
    final String instance;
    final String body;
    final Set<String> ids = new LinkedHashSet<>();
    int attempts;
    int accepted;      // 202 new
    int replayed;      // 202 with Idempotent-Replayed
    int completed;     // 200 (already sent)
    int noAnswer;      // connection refused/reset/closed, timeout
    int unavailable;   // 503
    int queueFull;     // 429
    int other4xx;
    int server5xx;     // 5xx other than 503
    boolean ambiguous; // had no answer (or a 5xx) at some point before it was answered
    boolean settled;   // got a definitive answer (2xx or a 4xx other than 429)
    String lastProblem;

    Entry(String key, String instance, String body) {
      this.key = key;
      this.instance = instance;
      this.body = body;
    }

    synchronized boolean hasId() {
      return !ids.isEmpty();
    }
  }

  /** One request as the client saw it: when it started (epoch ms), how long it took, what came back. */
  record Sample(long startMs, long latencyMs, int status, String key) {
  }

  /** Status of a request that got no HTTP answer at all. */
  static final int NO_ANSWER = -1;
  /** Status of a request that hit the client's per-request timeout (a hang). */
  static final int TIMED_OUT = -2;

  final Map<String, Entry> entries = new ConcurrentHashMap<>();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong answered202 = new AtomicLong();
  final AtomicLong answered200 = new AtomicLong();
  final AtomicLong noAnswer = new AtomicLong();
  final AtomicLong timedOut = new AtomicLong();
  final AtomicLong unavailable503 = new AtomicLong();
  final AtomicLong queueFull429 = new AtomicLong();
  final AtomicLong other4xx = new AtomicLong();
  final AtomicLong server5xx = new AtomicLong();
  private final List<Sample> samples = new ArrayList<>();
  private final List<String> anomalies = new ArrayList<>();

  Entry entry(String key, String instance, String body) {
    return entries.computeIfAbsent(key, k -> new Entry(k, instance, body));
  }

  synchronized void sample(Sample s) {
    samples.add(s);
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  synchronized void anomaly(String s) {
    if (anomalies.size() < 200) {
      anomalies.add(s);
    }
  }

  synchronized List<String> anomalies() {
    return List.copyOf(anomalies);
  }

  /** Every message id some 2xx answer named. */
  Set<String> acceptedIds() {
    Set<String> out = new LinkedHashSet<>();
    for (Entry e : entries.values()) {
      synchronized (e) {
        out.addAll(e.ids);
      }
    }
    return out;
  }

  /** Keys the hub answered with more than one message id (scenario 2 says: never). */
  List<String> remappedKeys() {
    List<String> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      synchronized (e) {
        if (e.ids.size() > 1) {
          out.add(e.key + " → " + e.ids);
        }
      }
    }
    return out;
  }

  long unsettledKeys() {
    return entries.values().stream().filter(e -> !e.settled).count();
  }

  long ambiguousKeysResolved() {
    return entries.values().stream().filter(e -> e.ambiguous && e.hasId()).count();
  }
}
