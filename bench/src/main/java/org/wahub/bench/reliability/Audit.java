package org.wahub.bench.reliability;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The end-of-scenario bookkeeping: waits for the backlog to drain, then reconciles three
 * histories — the clients' {@link Ledger} (what was acknowledged), the hub's messages (what it says
 * happened) and the simulated phone's durable send log (what really went out) — and checks the
 * rolling windows on the phone's log.
 */
final class Audit {

  static final Set<String> TERMINAL_OK = Set.of("sent", "delivered", "read", "failed", "cancelled", "expired", "in_doubt");
  static final Set<String> SENT = Set.of("sent", "delivered", "read");

  /** What the reconciliation found. */
  static final class Result {
    boolean drained;
    long drainMillis;
    int acceptedIds;
    final List<String> lost = new ArrayList<>();
    final List<String> unreportedDuplicates = new ArrayList<>();
    final List<String> reportedDuplicates = new ArrayList<>();
    final List<String> contradictions = new ArrayList<>(); // phone sent it, hub says failed/cancelled/expired
    final List<String> remappedKeys = new ArrayList<>();
    final List<String> unknownRows = new ArrayList<>();
    final List<String> unknownSends = new ArrayList<>();
    final Map<String, Integer> statuses = new TreeMap<>();
    int inDoubt;
    int inDoubtOnPhone;
    int phoneEntries;
    int phoneDeduplicated;
    final List<Windows.Stat> windows = new ArrayList<>();
    final List<String> inDoubtIds = new ArrayList<>();
  }

  private Audit() {
  }

  /** Polls the instances' queue depth until every one is 0 (queued + sending), or the deadline passes. */
  static long drain(Api api, String key, List<InstanceSpec> instances, Duration deadline, Log log) throws Exception {
    long t0 = System.nanoTime();
    long lastReport = t0;
    while (true) {
      int pending = 0;
      StringBuilder detail = new StringBuilder();
      for (InstanceSpec s : instances) {
        JsonObject st = api.status(key, s.id());
        int depth = st.getJsonObject("queue").getInteger("depth", 0);
        pending += depth;
        if (depth > 0) {
          detail.append(' ').append(s.id()).append('=').append(depth).append('(').append(st.getString("state")).append('/')
              .append(st.getString("waitingFor")).append(')');
        }
      }
      long elapsed = System.nanoTime() - t0;
      if (pending == 0) {
        return elapsed / 1_000_000;
      }
      if (elapsed > deadline.toNanos()) {
        log.line("drain deadline passed with %d pending:%s", pending, detail);
        return -1;
      }
      if (System.nanoTime() - lastReport > 10_000_000_000L) {
        lastReport = System.nanoTime();
        log.line("draining: %d pending:%s", pending, detail);
      }
      Thread.sleep(500);
    }
  }

  /** Where the "phone" side of an instance comes from: its send log in the simulator's entry shape. */
  interface Phone {
    List<JsonObject> log(InstanceSpec instance) throws Exception;
  }

  static Result reconcile(Api api, String key, List<InstanceSpec> instances, Ledger ledger, double timeScale,
                          List<Long> restartsMicros) throws Exception {
    return reconcile(api, key, instances, ledger, timeScale, restartsMicros, s -> api.simulatorLog(key, s.id()));
  }

  static Result reconcile(Api api, String key, List<InstanceSpec> instances, Ledger ledger, double timeScale,
                          List<Long> restartsMicros, Phone phoneSide) throws Exception {
    Result r = new Result();
    Set<String> accepted = ledger.acceptedIds();
    r.acceptedIds = accepted.size();
    r.remappedKeys.addAll(ledger.remappedKeys());

    Map<String, JsonObject> hub = new HashMap<>();
    Map<String, InstanceSpec> specOf = new HashMap<>();
    Map<String, List<JsonObject>> phoneByMessage = new HashMap<>();
    for (InstanceSpec s : instances) {
      Map<String, JsonObject> msgs = api.messages(key, s.id());
      hub.putAll(msgs);
      msgs.keySet().forEach(id -> specOf.put(id, s));
      List<JsonObject> log = phoneSide.log(s);
      r.phoneEntries += log.size();
      long[] micros = new long[log.size()];
      for (int i = 0; i < log.size(); i++) {
        JsonObject e = log.get(i);
        Instant at = Instant.parse(e.getString("at"));
        micros[i] = at.getEpochSecond() * 1_000_000L + at.getNano() / 1000;
        phoneByMessage.computeIfAbsent(e.getString("messageId"), k -> new ArrayList<>()).add(e);
        if ("deduplicated".equals(e.getString("outcome"))) {
          r.phoneDeduplicated++;
        }
      }
      java.util.Arrays.sort(micros);
      r.windows.addAll(Windows.check(s, micros, timeScale, restartsMicros));
    }

    for (String id : accepted) {
      JsonObject m = hub.get(id);
      if (m == null) {
        // not in the lists: ask for it directly before calling it lost
        m = api.message(key, id);
        if (m == null) {
          r.lost.add(id + ": acknowledged with 2xx but the hub does not know it (404)");
          continue;
        }
        hub.put(id, m);
      }
      String status = m.getString("status");
      r.statuses.merge(status, 1, Integer::sum);
      List<JsonObject> phone = phoneByMessage.getOrDefault(id, List.of());
      long sentOnPhone = phone.stream().filter(e -> "sent".equals(e.getString("outcome"))).count();
      boolean onPhone = phone.stream().anyMatch(e -> "sent".equals(e.getString("outcome"))
          || "deduplicated".equals(e.getString("outcome")));
      if (!TERMINAL_OK.contains(status)) {
        r.lost.add(id + ": still " + status + " after the drain (attempts " + m.getInteger("attempts") + ", lastError "
            + m.getValue("lastError") + ")");
      } else if (SENT.contains(status) && !onPhone) {
        r.lost.add(id + ": hub says " + status + " but the phone never recorded it");
      } else if ("failed".equals(status) && m.getValue("lastError") == null) {
        r.lost.add(id + ": failed without a reason");
      }
      if ("in_doubt".equals(status)) {
        r.inDoubt++;
        r.inDoubtIds.add(id);
        if (onPhone) {
          r.inDoubtOnPhone++;
        }
      }
      if (onPhone && Set.of("failed", "cancelled", "expired", "queued").contains(status)) {
        r.contradictions.add(id + ": the phone sent it, the hub says " + status + " (" + m.getValue("lastError") + ")");
      }
      if (sentOnPhone > 1) {
        JsonObject full = api.message(key, id);
        boolean reported = full != null && wasInDoubtBeforeLastSend(full, phone);
        String line = id + " (" + specOf.getOrDefault(id, instances.get(0)).id() + "): sent " + sentOnPhone
            + " times; phone " + brief(phone) + "; hub " + (full == null ? "?" : historyBrief(full));
        (reported ? r.reportedDuplicates : r.unreportedDuplicates).add(line);
      }
    }
    for (Map.Entry<String, JsonObject> e : hub.entrySet()) {
      if (!accepted.contains(e.getKey())) {
        r.unknownRows.add(e.getKey() + " key=" + e.getValue().getString("idempotencyKey") + " status="
            + e.getValue().getString("status"));
      }
    }
    for (String id : phoneByMessage.keySet()) {
      if (!accepted.contains(id)) {
        r.unknownSends.add(id + " " + brief(phoneByMessage.get(id)));
      }
    }
    return r;
  }

  /** True if the hub's history shows the message reported in_doubt before the phone's last 'sent'. */
  private static boolean wasInDoubtBeforeLastSend(JsonObject message, List<JsonObject> phone) {
    Instant lastSent = phone.stream().filter(e -> "sent".equals(e.getString("outcome")))
        .map(e -> Instant.parse(e.getString("at"))).max(Instant::compareTo).orElse(Instant.MAX);
    JsonArray history = message.getJsonArray("history", new JsonArray());
    for (Object o : history) {
      JsonObject h = (JsonObject) o;
      if ("in_doubt".equals(h.getString("to")) && h.getString("at") != null && Instant.parse(h.getString("at")).isBefore(lastSent)) {
        return true;
      }
    }
    return false;
  }

  static String brief(List<JsonObject> phone) {
    StringBuilder b = new StringBuilder("[");
    for (JsonObject e : phone) {
      if (b.length() > 1) {
        b.append(", ");
      }
      b.append(e.getString("outcome")).append('#').append(e.getInteger("attempt")).append('@').append(e.getString("at"));
    }
    return b.append(']').toString();
  }

  static String historyBrief(JsonObject message) {
    StringBuilder b = new StringBuilder(message.getString("status") + " [");
    for (Object o : message.getJsonArray("history", new JsonArray())) {
      JsonObject h = (JsonObject) o;
      b.append(h.getString("event")).append(':').append(h.getString("from")).append("→").append(h.getString("to"))
          .append('#').append(h.getInteger("attempt")).append('@').append(h.getString("at"));
      if (h.getString("detail") != null) {
        b.append(" (").append(h.getString("detail")).append(')');
      }
      b.append("; ");
    }
    return b.append(']').toString();
  }

  /**
   * Replays every acknowledged key with its original body: the hub must answer with the same id
   * (200 for a finished message, 202 + Idempotent-Replayed while pending), never a new message.
   */
  static List<String> replay(Api api, String key, Ledger ledger) throws Exception {
    List<String> bad = new ArrayList<>();
    for (Ledger.Entry e : ledger.entries.values()) {
      String expected;
      synchronized (e) {
        if (e.ids.size() != 1) {
          continue;
        }
        expected = e.ids.iterator().next();
      }
      Api.Res res = null;
      for (int i = 0; i < 10; i++) {
        res = api.call("POST", "/instances/" + e.instance + "/messages", key, e.body, Map.of("Idempotency-Key", e.key),
            Duration.ofSeconds(15));
        if (res.status() != 503) {
          break;
        }
        Thread.sleep(300);
      }
      String id = res.status() == 200 || res.status() == 202 ? res.json().getString("id") : null;
      boolean replayedHeader = res.status() == 200 || "true".equals(res.header("Idempotent-Replayed"));
      if (!expected.equals(id) || !replayedHeader) {
        bad.add(e.key + ": first " + expected + ", replay → " + res.status() + " id=" + id + " replayed=" + replayedHeader);
      }
    }
    return bad;
  }
}
