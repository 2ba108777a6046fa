package org.wahub.bench.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one scenario measured, and every invariant violation it found (by invariant name). */
public final class ScenarioResult {

  // invariant names: the JUnit test asserts on these
  public static final String LOST = "lost";
  public static final String DUPLICATED = "duplicated_unreported";
  public static final String CONTRADICTION = "status_contradicts_phone";
  public static final String KEY_REMAPPED = "key_remapped";
  public static final String WINDOW = "window_exceeded";
  public static final String SERVER_5XX = "5xx";
  public static final String HANG = "hang";
  public static final String UNEXPECTED_4XX = "valid_request_refused";
  public static final String NOT_DRAINED = "not_drained";
  public static final String UNACCOUNTED = "unaccounted_rows_or_sends";
  public static final String OUTAGE_SLOW = "outage_slow_answer";
  public static final String OUTAGE_READY = "outage_ready_while_down";
  public static final String OUTAGE_RECOVERY = "outage_no_recovery";
  public static final String SHUTDOWN_IN_DOUBT = "shutdown_left_in_doubt";
  public static final String SHUTDOWN_UNCLEAN = "shutdown_unclean";
  public static final String FUZZ_ACCEPTED = "fuzz_malformed_accepted";
  public static final String FUZZ_INVALID_UTF8 = "fuzz_invalid_utf8_accepted";
  public static final String FUZZ_5XX = "fuzz_5xx";
  public static final String FUZZ_DUPLICATE_MEMBERS = "fuzz_duplicate_names_accepted";
  public static final String FUZZ_NOT_PROBLEM = "fuzz_app_answer_not_problem_json";
  public static final String FUZZ_NO_ANSWER = "fuzz_closed_without_answer";
  public static final String FUZZ_ROWS = "fuzz_rows_written";
  public static final String FUZZ_CONTROL = "fuzz_valid_boundary_rejected";
  public static final String FUZZ_CROSS_TENANT = "fuzz_cross_tenant_effect";
  public static final String HARNESS = "harness_error";

  public final String name;
  public final String title;
  // client-side counts
  public long requests;
  public long answered202;
  public long answered200;
  public long noAnswer;
  public long timedOut;
  public long unavailable503;
  public long queueFull429;
  public long other4xx;
  public long server5xx;
  public long replays;
  // reconciliation
  public int acceptedIds;
  public int lost;
  public int duplicatedUnreported;
  public int duplicatedReported;
  public int inDoubt;
  public int inDoubtOnPhone;
  public int phoneEntries;
  public int phoneDeduplicated;
  public long drainMs = -1;
  public final Map<String, Integer> statuses = new LinkedHashMap<>();
  public final List<Windows.Stat> windows = new ArrayList<>();
  // process lifecycle
  public final List<Long> startReadyMs = new ArrayList<>();
  public final List<Long> restartReadyMs = new ArrayList<>();
  public final List<String> restartKinds = new ArrayList<>();
  // scenario-specific figures, printed in the details
  public final Map<String, Object> metrics = new LinkedHashMap<>();
  public final Map<String, List<String>> violations = new LinkedHashMap<>();
  /** How many violations of each invariant were found (the lists keep the first 50). */
  public final Map<String, Integer> violationCounts = new LinkedHashMap<>();
  public final List<String> notes = new ArrayList<>();
  public long millis;

  ScenarioResult(String name, String title) {
    this.name = name;
    this.title = title;
  }

  void violation(String invariant, String detail) {
    violationCounts.merge(invariant, 1, Integer::sum);
    List<String> list = violations.computeIfAbsent(invariant, k -> new ArrayList<>());
    if (list.size() < 50) {
      list.add(detail);
    } else if (list.size() == 50) {
      list.add("… (more)");
    }
  }

  void violations(String invariant, List<String> details) {
    details.forEach(d -> violation(invariant, d));
  }

  public List<String> violations(String invariant) {
    return violations.getOrDefault(invariant, List.of());
  }

  void takeClientCounts(Ledger l) {
    requests += l.requests.get();
    answered202 += l.answered202.get();
    answered200 += l.answered200.get();
    noAnswer += l.noAnswer.get();
    timedOut += l.timedOut.get();
    unavailable503 += l.unavailable503.get();
    queueFull429 += l.queueFull429.get();
    other4xx += l.other4xx.get();
    server5xx += l.server5xx.get();
    for (Ledger.Entry e : l.entries.values()) {
      synchronized (e) {
        if (e.other4xx > 0) {
          violation(UNEXPECTED_4XX, e.key + " (" + e.instance + "): a valid request was refused: " + e.lastProblem);
        }
        if (e.server5xx > 0) {
          violation(SERVER_5XX, e.key + " (" + e.instance + "): " + e.server5xx + " × 5xx, last: " + e.lastProblem);
        }
      }
    }
  }

  void takeAudit(Audit.Result r) {
    acceptedIds = r.acceptedIds;
    lost = r.lost.size();
    duplicatedUnreported = r.unreportedDuplicates.size();
    duplicatedReported = r.reportedDuplicates.size();
    inDoubt = r.inDoubt;
    inDoubtOnPhone = r.inDoubtOnPhone;
    phoneEntries = r.phoneEntries;
    phoneDeduplicated = r.phoneDeduplicated;
    statuses.putAll(r.statuses);
    windows.addAll(r.windows);
    violations(LOST, r.lost);
    violations(DUPLICATED, r.unreportedDuplicates);
    violations(CONTRADICTION, r.contradictions);
    violations(KEY_REMAPPED, r.remappedKeys);
    List<String> unaccounted = new ArrayList<>();
    r.unknownRows.forEach(s -> unaccounted.add("row nobody was given: " + s));
    r.unknownSends.forEach(s -> unaccounted.add("phone sent a message nobody was given: " + s));
    violations(UNACCOUNTED, unaccounted);
    for (Windows.Stat w : r.windows) {
      if (w.exceeded()) {
        violation(WINDOW, w.instance() + " " + w.window() + " (" + w.lengthMs() + " ms): " + w.maxObserved() + " attempts > limit "
            + w.limit() + ", window ending " + w.worstAt());
      }
    }
    if (!r.reportedDuplicates.isEmpty()) {
      notes.add("duplicates after in_doubt (reported): " + r.reportedDuplicates);
    }
  }
}
