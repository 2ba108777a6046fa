package org.wahub.bench.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/** All scenario results of one run, and the one summary table. */
public final class Report {

  public final String mode;
  public final long seed;
  public final List<ScenarioResult> scenarios = new ArrayList<>();
  public long millis;

  Report(String mode, long seed) {
    this.mode = mode;
    this.seed = seed;
  }

  public ScenarioResult scenario(String name) {
    return scenarios.stream().filter(s -> s.name.equals(name)).findFirst().orElse(null);
  }

  /** Every violation of one invariant, over all scenarios, prefixed with the scenario. */
  public List<String> violations(String invariant) {
    List<String> out = new ArrayList<>();
    for (ScenarioResult s : scenarios) {
      s.violations(invariant).forEach(v -> out.add(s.name + ": " + v));
    }
    return out;
  }

  public List<Long> restartReadyMs() {
    return scenarios.stream().flatMap(s -> s.restartReadyMs.stream()).toList();
  }

  static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = values.stream().sorted().toList();
    int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
  }

  // ------------------------------------------------------------------ the table

  private final List<String[]> rows = new ArrayList<>();

  private void row(String metric, String value, String verdict) {
    rows.add(new String[] {metric, value, verdict});
  }

  private String breakdown(ToLongFunction<ScenarioResult> f) {
    long total = scenarios.stream().mapToLong(f).sum();
    String parts = scenarios.stream().filter(s -> f.applyAsLong(s) != 0)
        .map(s -> s.name + " " + String.format("%,d", f.applyAsLong(s))).collect(Collectors.joining(", "));
    return String.format("%,d", total) + (parts.isEmpty() || scenarios.size() == 1 ? "" : " (" + parts + ")");
  }

  private String zero(ToLongFunction<ScenarioResult> f) {
    return scenarios.stream().mapToLong(f).sum() == 0 ? "OK" : "VIOLATED";
  }

  private String none(String... invariants) {
    for (String inv : invariants) {
      if (!violations(inv).isEmpty()) {
        return "VIOLATED";
      }
    }
    return "OK";
  }

  private static long count(ScenarioResult s, String invariant) {
    return s.violationCounts.getOrDefault(invariant, 0);
  }

  /** The one summary table (plain text, fixed width). */
  public String table() {
    rows.clear();
    row("requests made (incl. fuzz and final key replays)", breakdown(s -> s.requests + s.replays), "");
    row("202 answers / distinct message ids acknowledged", breakdown(s -> s.answered202) + " / "
        + String.format("%,d", scenarios.stream().mapToLong(s -> s.acceptedIds).sum()), "");
    row("lost (missing, stuck queued/sending, 'sent' unseen by phone)", breakdown(s -> s.lost), zero(s -> s.lost));
    row("duplicated sends, unreported", breakdown(s -> s.duplicatedUnreported), zero(s -> s.duplicatedUnreported));
    row("duplicated sends after in_doubt (reported)", breakdown(s -> s.duplicatedReported), "info");
    row("in doubt (reported to the caller; of them really on the phone)", breakdown(s -> s.inDoubt) + "; on the phone: "
        + scenarios.stream().mapToLong(s -> s.inDoubtOnPhone).sum(), "info");
    row("keys answered with more than one id / replay mismatch", breakdown(s -> count(s, ScenarioResult.KEY_REMAPPED)),
        none(ScenarioResult.KEY_REMAPPED));
    row("phone contradicts hub status (sent but failed/…)", breakdown(s -> count(s, ScenarioResult.CONTRADICTION)),
        none(ScenarioResult.CONTRADICTION));
    row("rows/sends nobody holds an id for", breakdown(s -> count(s, ScenarioResult.UNACCOUNTED)),
        none(ScenarioResult.UNACCOUNTED));
    for (ScenarioResult s : scenarios) {
      // one row per instance: max attempts in any window vs its limit
      Map<String, List<Windows.Stat>> byInstance = s.windows.stream()
          .collect(Collectors.groupingBy(Windows.Stat::instance, java.util.LinkedHashMap::new, Collectors.toList()));
      for (Map.Entry<String, List<Windows.Stat>> e : byInstance.entrySet()) {
        String v = e.getValue().stream().map(w -> w.window().replace("per", "/") + " " + w.maxObserved() + "/"
                + (w.limit() == 0 ? "∞" : w.limit()) + (w.maxAroundRestarts() > 0 ? " (restart " + w.maxAroundRestarts() + ")" : ""))
            .collect(Collectors.joining(", "));
        boolean bad = e.getValue().stream().anyMatch(Windows.Stat::exceeded);
        row("window max/limit  " + s.name + " " + e.getKey(), v, bad ? "VIOLATED" : "OK");
      }
    }
    List<Long> restarts = restartReadyMs();
    long maxReady = restarts.stream().mapToLong(Long::longValue).max().orElse(-1);
    row("restarts (kill -9, crash halt, SIGTERM) / time to ready max, p50",
        restarts.size() + " / " + (restarts.isEmpty() ? "-" : maxReady + " ms, " + percentile(restarts, 50) + " ms"),
        restarts.isEmpty() ? "" : maxReady <= 5000 ? "OK ≤ 5 s" : "SLOW > 5 s (reported)");
    List<Long> starts = scenarios.stream().flatMap(s -> s.startReadyMs.stream()).toList();
    row("first starts / time to ready max, p50", starts.size() + " / "
        + (starts.isEmpty() ? "-" : starts.stream().mapToLong(Long::longValue).max().getAsLong() + " ms, "
        + percentile(starts, 50) + " ms"), "");
    ScenarioResult fuzz = scenario("bad-input");
    if (fuzz != null) {
      row("fuzz cases (malformed) + valid-boundary controls", fuzz.metrics.getOrDefault("malformed", 0) + " + "
          + fuzz.metrics.getOrDefault("controls", 0), "");
      row("fuzz answers: app 4xx problem+json / HTTP-layer 4xx / closed", fuzz.metrics.getOrDefault("app4xx", 0) + " / "
          + fuzz.metrics.getOrDefault("httpLayer4xx", 0) + " / " + fuzz.metrics.getOrDefault("closedNoAnswer", 0), "");
      row("fuzz malformed accepted (2xx), other than below", String.valueOf(fuzz.metrics.getOrDefault("malformedAccepted", 0)),
          none(ScenarioResult.FUZZ_ACCEPTED));
      row("fuzz invalid UTF-8 accepted (2xx)", String.valueOf(fuzz.metrics.getOrDefault("invalidUtf8Accepted", 0)),
          none(ScenarioResult.FUZZ_INVALID_UTF8));
      row("fuzz repeated member names / headers accepted (2xx)", String.valueOf(fuzz.metrics.getOrDefault("duplicatesAccepted", 0)),
          none(ScenarioResult.FUZZ_DUPLICATE_MEMBERS));
      row("fuzz rows written (refused requests must write none)", String.valueOf(fuzz.metrics.getOrDefault("rowsWritten", 0)),
          none(ScenarioResult.FUZZ_ROWS));
      row("fuzz: valid-boundary controls accepted / cross-tenant effects",
          fuzz.metrics.getOrDefault("controlsAccepted", 0) + " of " + fuzz.metrics.getOrDefault("controls", 0) + " / "
              + fuzz.violations(ScenarioResult.FUZZ_CROSS_TENANT).size(),
          none(ScenarioResult.FUZZ_CONTROL, ScenarioResult.FUZZ_CROSS_TENANT));
    }
    row("5xx answers (503 while the database is down or the hub restarts excluded)", breakdown(s -> s.server5xx),
        zero(s -> s.server5xx));
    row("valid requests refused (4xx other than 429) under crashes/outages", breakdown(s -> s.other4xx), zero(s -> s.other4xx));
    row("503 answers (database down, restarting)", breakdown(s -> s.unavailable503), "info");
    row("requests without an answer (hub down) / hangs", breakdown(s -> s.noAnswer) + " / " + breakdown(s -> s.timedOut),
        zero(s -> s.timedOut));
    ScenarioResult pg = scenario("pg-down");
    if (pg != null) {
      row("database down: answer time max, p99 / ready 503 / recovery",
          pg.metrics.getOrDefault("outageAnswerMaxMs", "-") + " ms, " + pg.metrics.getOrDefault("outageAnswerP99Ms", "-")
              + " ms / " + pg.metrics.getOrDefault("outageReady503", "-") + " / "
              + pg.metrics.getOrDefault("recoveryMs", "-") + " ms",
          none(ScenarioResult.OUTAGE_SLOW, ScenarioResult.OUTAGE_READY, ScenarioResult.OUTAGE_RECOVERY));
    }
    ScenarioResult term = scenario("sigterm");
    if (term != null) {
      row("SIGTERM: shutdown max / in doubt or interrupted after restart", term.metrics.getOrDefault("shutdownMaxMs", "-")
          + " ms / " + term.metrics.getOrDefault("interruptedAfterTerm", "-"),
          none(ScenarioResult.SHUTDOWN_IN_DOUBT, ScenarioResult.SHUTDOWN_UNCLEAN));
    }
    List<String> others = new ArrayList<>();
    for (ScenarioResult s : scenarios) {
      s.violationCounts.forEach((k, n) -> others.add(s.name + ":" + k + "=" + n));
    }
    row("violations (scenario:invariant=count)", others.isEmpty() ? "none" : String.join(", ", others),
        others.isEmpty() ? "OK" : "VIOLATED");

    int w0 = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
    int w1 = Math.min(110, rows.stream().mapToInt(r -> r[1].length()).max().orElse(10));
    int w2 = rows.stream().mapToInt(r -> r[2].length()).max().orElse(5);
    StringBuilder b = new StringBuilder();
    String sep = "+" + "-".repeat(w0 + 2) + "+" + "-".repeat(w1 + 2) + "+" + "-".repeat(w2 + 2) + "+\n";
    b.append(String.format("wa-hub reliability harness — mode %s, seed %d, %d s, scenarios %s%n", mode, seed, millis / 1000,
        scenarios.stream().map(s -> s.name).collect(Collectors.joining(", "))));
    b.append(sep);
    b.append(String.format("| %-" + w0 + "s | %-" + w1 + "s | %-" + w2 + "s |%n", "metric", "value", "check"));
    b.append(sep);
    for (String[] r : rows) {
      List<String> chunks = wrap(r[1], w1);
      for (int i = 0; i < chunks.size(); i++) {
        b.append(String.format("| %-" + w0 + "s | %-" + w1 + "s | %-" + w2 + "s |%n", i == 0 ? r[0] : "", chunks.get(i),
            i == 0 ? r[2] : ""));
      }
    }
    b.append(sep);
    return b.toString();
  }

  private static List<String> wrap(String s, int width) {
    List<String> out = new ArrayList<>();
    String rest = s;
    while (rest.length() > width) {
      int cut = rest.lastIndexOf(", ", width);
      cut = cut <= 0 ? width : cut + 1;
      out.add(rest.substring(0, cut).trim());
      rest = rest.substring(cut).trim();
    }
    out.add(rest);
    return out;
  }

  /** Every recorded violation (up to 50 per invariant and scenario), for violations.txt. */
  public String allViolations() {
    StringBuilder b = new StringBuilder();
    for (ScenarioResult s : scenarios) {
      s.violations.forEach((k, list) -> list.forEach(v -> b.append(s.name).append(' ').append(k).append(": ").append(v).append('\n')));
      s.notes.forEach(n -> b.append(s.name).append(" note: ").append(n).append('\n'));
    }
    return b.toString();
  }

  /** Everything a reader needs to chase a violation: per scenario figures, notes and the first violations. */
  public String details() {
    StringBuilder b = new StringBuilder();
    for (ScenarioResult s : scenarios) {
      b.append(String.format("%n== %s: %s (%d s)%n", s.name, s.title, s.millis / 1000));
      b.append(String.format("   requests %,d: 202 %,d, 200 %,d, 503 %,d, 429 %,d, other 4xx %,d, 5xx %,d, no answer %,d, "
              + "timed out %,d; final replays %,d%n", s.requests, s.answered202, s.answered200, s.unavailable503,
          s.queueFull429, s.other4xx, s.server5xx, s.noAnswer, s.timedOut, s.replays));
      if (s.acceptedIds > 0) {
        b.append(String.format("   ids %,d → statuses %s; phone log entries %,d (deduplicated resends %,d); drained in %s%n",
            s.acceptedIds, s.statuses, s.phoneEntries, s.phoneDeduplicated, s.drainMs < 0 ? "NOT drained" : s.drainMs + " ms"));
      }
      if (!s.restartReadyMs.isEmpty() || !s.startReadyMs.isEmpty()) {
        b.append(String.format("   starts ready in %s ms; restarts %s ready in %s ms%n", s.startReadyMs, s.restartKinds,
            s.restartReadyMs));
      }
      for (Windows.Stat w : s.windows) {
        b.append(String.format("   window %-12s %-9s %8d ms: max %4d / limit %s (windows ending ≤ 1 window after a restart: %d)%n",
            w.instance(), w.window(), w.lengthMs(), w.maxObserved(), w.limit() == 0 ? "∞" : w.limit(),
            w.maxAroundRestarts()));
      }
      s.metrics.forEach((k, v) -> b.append("   ").append(k).append(": ").append(v).append('\n'));
      s.notes.forEach(n -> b.append("   note: ").append(n).append('\n'));
      s.violations.forEach((k, list) -> {
        if (!list.isEmpty()) {
          b.append("   VIOLATION ").append(k).append(" (").append(s.violationCounts.getOrDefault(k, list.size())).append("):\n");
          list.stream().limit(10).forEach(v -> b.append("     - ").append(v).append('\n'));
        }
      });
    }
    return b.toString();
  }
}
