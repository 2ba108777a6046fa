package org.wahub.bench.reliability;

import io.vertx.core.json.JsonObject;
import org.wahub.bench.HubProcess;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario 6: ≥ 10,000 malformed requests (see {@link Fuzz}) from concurrent raw-socket clients.
 * Every answer must be a 4xx — {@code application/problem+json} when it comes from the hub's router;
 * a request line or header block too large (or too broken) for the HTTP codec is refused by Netty
 * before the application and is counted apart as "rejected by the HTTP layer" — never a 5xx,
 * never a hang, and afterwards the database holds no row from them (counted with JDBC before and
 * after), and nothing of tenant A changed through tenant B's key or vice versa.
 */
final class BadInput implements Scenario {

  @Override
  public String name() {
    return "bad-input";
  }

  @Override
  public String title() {
    return "malformed requests: only 4xx problem+json (or HTTP-layer 4xx), no 5xx, no hang, no row";
  }

  @Override
  public void run(Context ctx, ScenarioResult r) throws Exception {
    Settings s = ctx.settings;
    Log log = ctx.log.scenario(name());
    HubProcess hub = ctx.startHub(name(), Map.of("HUB_LOG_LEVEL", "WARN"), r, log);
    Api api = new Api(hub.base());

    // tenant A (the fuzzer's own), tenant B (the neighbour), a revoked key of A
    JsonObject tenantA = api.ok("POST", "/tenants", HubProcess.ADMIN_KEY, new JsonObject().put("name", "rel-fuzz-a-" + s.seed));
    String keyA = tenantA.getJsonObject("key").getString("token");
    String keyB = api.createTenant(HubProcess.ADMIN_KEY, "rel-fuzz-b-" + s.seed);
    JsonObject extra = api.ok("POST", "/tenants/" + tenantA.getString("id") + "/keys", HubProcess.ADMIN_KEY,
        new JsonObject().put("label", "to be revoked"));
    String revoked = extra.getString("token", extra.getJsonObject("key", new JsonObject()).getString("token"));
    String revokedId = extra.getString("id", extra.getJsonObject("key", new JsonObject()).getString("id"));
    api.ok("DELETE", "/tenants/" + tenantA.getString("id") + "/keys/" + revokedId, HubProcess.ADMIN_KEY, null);

    // paused instances (nothing is ever sent), each with a big queue
    InstanceSpec a = InstanceSpec.of("fuzz-a", false, 5, 0, 6, 60, 300, 500, 0, 1).withStartState("NEEDS_QR");
    InstanceSpec dup = InstanceSpec.of("fuzz-dup", false, 5, 0, 6, 60, 300, 500, 0, 2).withStartState("NEEDS_QR");
    InstanceSpec b = InstanceSpec.of("fuzz-b", false, 5, 0, 6, 60, 300, 500, 0, 3).withStartState("NEEDS_QR");
    ctx.createInstances(api, keyA, List.of(a, dup));
    ctx.createInstances(api, keyB, List.of(b));
    String msgA = api.ok("POST", "/instances/fuzz-a/messages", keyA, new JsonObject().put("to", "+4915112345678")
        .put("text", "anchor A")).getString("id");
    String msgB = api.ok("POST", "/instances/fuzz-b/messages", keyB, new JsonObject().put("to", "+4915112345678")
        .put("text", "anchor B")).getString("id");
    String nameA = api.ok("GET", "/instances/fuzz-a", keyA, null).encode();
    String nameB = api.ok("GET", "/instances/fuzz-b", keyB, null).encode();
    Map<String, Long> rowsBefore = rowsByInstance(hub);

    Fuzz fuzz = new Fuzz(new Random(s.seed), new Fuzz.Target(keyA, keyB, revoked, HubProcess.ADMIN_KEY, "fuzz-a", "fuzz-dup",
        "fuzz-b", msgA, msgB), Long.toString(s.seed));
    List<Fuzz.Case> cases = fuzz.generate(s.fuzzCases);
    long malformed = cases.stream().filter(c -> c.expect() != Fuzz.Expect.CONTROL).count();
    long controls = cases.size() - malformed;
    log.line("%,d cases (%,d malformed incl. duplicates, %,d valid-boundary controls), %d concurrent raw connections",
        cases.size(), malformed, controls, s.fuzzConcurrency);

    Map<String, Integer> byStatus = new TreeMap<>();
    Map<String, Integer> byCategory = new TreeMap<>();
    Map<String, Integer> httpLayer = new TreeMap<>();
    AtomicInteger app4xx = new AtomicInteger();
    AtomicInteger layer4xx = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger utf8Accepted = new AtomicInteger();
    AtomicInteger dupAccepted = new AtomicInteger();
    AtomicInteger controlsAccepted = new AtomicInteger();
    AtomicInteger fivexx = new AtomicInteger();
    AtomicInteger hangs = new AtomicInteger();
    AtomicInteger next = new AtomicInteger();
    List<String> acceptedIds = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, String> dupIds = new java.util.concurrent.ConcurrentSkipListMap<>();
    long[] maxMillis = {0};
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(s.fuzzConcurrency);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < s.fuzzConcurrency; w++) {
        workers.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < cases.size()) {
            Fuzz.Case c = cases.get(i);
            RawHttp.Response res = RawHttp.exchange(hub.httpPort(), c.request(), s.fuzzTimeoutMs);
            String label = c.category() + "/" + c.name();
            synchronized (byStatus) {
              byStatus.merge(Integer.toString(res.status()), 1, Integer::sum);
              byCategory.merge(c.category(), 1, Integer::sum);
              maxMillis[0] = Math.max(maxMillis[0], res.millis());
            }
            if (res.status() == -2) {
              hangs.incrementAndGet();
              synchronized (r) {
                r.violation(ScenarioResult.HANG, label + ": no answer within " + s.fuzzTimeoutMs + " ms");
              }
              continue;
            }
            if (res.status() == -1) {
              closed.incrementAndGet();
              synchronized (httpLayer) {
                httpLayer.merge("closed without answer", 1, Integer::sum);
              }
              if (!c.mayCloseWithoutAnswer()) {
                synchronized (r) {
                  r.violation(ScenarioResult.FUZZ_NO_ANSWER, label + ": connection closed without an answer (" + res.error() + ")");
                }
              }
              continue;
            }
            int st = res.status();
            boolean fromApp = res.header("X-Request-Id") != null;
            String type = res.header("Content-Type");
            if (st >= 500) {
              fivexx.incrementAndGet();
              synchronized (r) {
                r.violation(ScenarioResult.FUZZ_5XX, label + ": " + st + " " + res.bodyText(300));
              }
              continue;
            }
            if (c.expect() == Fuzz.Expect.CONTROL) {
              if (st == 202) {
                controlsAccepted.incrementAndGet();
              } else {
                synchronized (r) {
                  r.violation(ScenarioResult.FUZZ_CONTROL, label + ": the valid side of a boundary got " + st + " "
                      + res.bodyText(300));
                }
              }
              continue;
            }
            if (st < 400) {
              if (c.expect() == Fuzz.Expect.DUPLICATE) {
                dupAccepted.incrementAndGet();
                try {
                  dupIds.putIfAbsent(c.name(), new JsonObject(new String(res.body(), java.nio.charset.StandardCharsets.UTF_8))
                      .getString("id"));
                } catch (RuntimeException notJson) {
                  // the violation below has the body
                }
                synchronized (r) {
                  r.violation(ScenarioResult.FUZZ_DUPLICATE_MEMBERS, label + ": " + st + " " + res.bodyText(200));
                }
              } else {
                (c.category().equals("invalid_utf8") ? utf8Accepted : accepted).incrementAndGet();
                try {
                  acceptedIds.add(new JsonObject(new String(res.body(), java.nio.charset.StandardCharsets.UTF_8)).getString("id")
                      + " ← " + label);
                } catch (RuntimeException notJson) {
                  // the violation below has the body
                }
                synchronized (r) {
                  r.violation(c.category().equals("invalid_utf8") ? ScenarioResult.FUZZ_INVALID_UTF8 : ScenarioResult.FUZZ_ACCEPTED,
                      label + ": " + st + " " + res.bodyText(200));
                }
              }
              continue;
            }
            if (fromApp) {
              app4xx.incrementAndGet();
              if (type == null || !type.startsWith("application/problem+json")) {
                synchronized (r) {
                  r.violation(ScenarioResult.FUZZ_NOT_PROBLEM, label + ": " + st + " with Content-Type " + type);
                }
              }
            } else {
              layer4xx.incrementAndGet();
              synchronized (httpLayer) {
                httpLayer.merge(st + " " + c.category(), 1, Integer::sum);
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : workers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    log.line("%,d requests in %,d ms: app 4xx %,d, HTTP-layer 4xx %,d, closed %,d, 5xx %,d, hangs %,d, malformed accepted %,d "
            + "(+ invalid UTF-8 %,d), duplicates accepted %,d, controls accepted %,d/%,d", cases.size(), millis, app4xx.get(),
        layer4xx.get(), closed.get(), fivexx.get(), hangs.get(), accepted.get(), utf8Accepted.get(), dupAccepted.get(),
        controlsAccepted.get(), controls);

    // evidence: what the hub stored for malformed requests it accepted
    for (String a2 : acceptedIds.subList(0, Math.min(8, acceptedIds.size()))) {
      String id = a2.substring(0, a2.indexOf(' '));
      JsonObject m = api.message(keyA, id);
      r.notes.add("accepted malformed " + a2 + " stored as " + (m == null ? "?" : m.getValue("content") + " to " + m.getString("to")));
    }
    for (Map.Entry<String, String> d : dupIds.entrySet()) {
      JsonObject m = api.message(keyA, d.getValue());
      r.notes.add("accepted duplicate (" + d.getKey() + ") " + d.getValue() + " stored as " + (m == null ? "?"
          : m.getValue("content") + " to " + m.getString("to") + " key " + m.getString("idempotencyKey")));
    }
    // afterwards: no rows from them, nothing changed across tenants, the hub still healthy
    Map<String, Long> rowsAfter = rowsByInstance(hub);
    long deltaA = rowsAfter.getOrDefault("fuzz-a", 0L) - rowsBefore.getOrDefault("fuzz-a", 0L);
    long deltaDup = rowsAfter.getOrDefault("fuzz-dup", 0L) - rowsBefore.getOrDefault("fuzz-dup", 0L);
    long deltaB = rowsAfter.getOrDefault("fuzz-b", 0L) - rowsBefore.getOrDefault("fuzz-b", 0L);
    long deltaAll = rowsAfter.values().stream().mapToLong(Long::longValue).sum()
        - rowsBefore.values().stream().mapToLong(Long::longValue).sum();
    // every row written must be explained by a 2xx answer (each case has its own key): a refused request writes nothing
    long explained = controlsAccepted.get() + accepted.get() + utf8Accepted.get() + dupAccepted.get();
    if (deltaAll != explained || deltaB != 0) {
      r.violation(ScenarioResult.FUZZ_ROWS, "rows written: all instances +" + deltaAll + " but only " + explained
          + " requests were accepted (fuzz-a +" + deltaA + ", fuzz-dup +" + deltaDup + ", fuzz-b +" + deltaB + ")");
    }
    checkUnchanged(r, api, keyA, "fuzz-a", msgA, nameA);
    checkUnchanged(r, api, keyB, "fuzz-b", msgB, nameB);
    int readyAfter = api.ready();
    Api.Res probe = api.call("POST", "/instances/fuzz-a/messages", keyA, new JsonObject().put("to", "+4915112345678")
        .put("text", "still alive " + s.seed));
    if (readyAfter != 200 || probe.status() != 202) {
      r.violation(ScenarioResult.HARNESS, "after the fuzz the hub is not healthy: ready " + readyAfter + ", valid post " + probe);
    }

    r.requests = cases.size() + 1;
    r.server5xx = fivexx.get();
    r.timedOut = hangs.get();
    r.metrics.put("malformed", malformed);
    r.metrics.put("controls", controls);
    r.metrics.put("app4xx", app4xx.get());
    r.metrics.put("httpLayer4xx", layer4xx.get());
    r.metrics.put("closedNoAnswer", closed.get());
    r.metrics.put("malformedAccepted", accepted.get());
    r.metrics.put("invalidUtf8Accepted", utf8Accepted.get());
    r.metrics.put("duplicatesAccepted", dupAccepted.get());
    r.metrics.put("controlsAccepted", controlsAccepted.get());
    r.metrics.put("rowsWritten", "+" + deltaAll + " = " + controlsAccepted.get() + " controls + " + (deltaAll - controlsAccepted.get())
        + " from accepted bad requests (fuzz-a +" + deltaA + ", fuzz-dup +" + deltaDup + ", fuzz-b +" + deltaB + ")");
    // the hub's own account of its 500s: one line per distinct exception
    Map<String, Integer> internal = new TreeMap<>();
    for (String l : hub.logLines("code=internal")) {
      int at = l.indexOf("\"stack_trace\":\"");
      String first = at < 0 ? "(no stack trace)" : l.substring(at + 15, Math.min(l.length(), at + 15 + 160)).split("\\\\n")[0];
      int p = l.indexOf("path=");
      String path = p < 0 ? "" : l.substring(p, Math.min(l.length(), l.indexOf(' ', p) < 0 ? l.length() : l.indexOf(' ', p)));
      internal.merge(first + " (e.g. " + path + ")", 1, Integer::sum);
    }
    Map<String, Integer> byException = new TreeMap<>();
    internal.forEach((k, v) -> byException.merge(k.substring(0, k.indexOf(" (e.g.")), v, Integer::sum));
    r.metrics.put("hub log: 'request failed … code=internal' by exception", byException);
    internal.keySet().stream().collect(java.util.stream.Collectors.toMap(k -> k.substring(0, k.indexOf(" (e.g.")), k -> k,
        (x, y) -> x, TreeMap::new)).values().forEach(k -> r.notes.add("hub log 500: " + k));
    r.metrics.put("answers by status (-1 closed, -2 timeout)", byStatus);
    r.metrics.put("cases by category", byCategory);
    r.metrics.put("rejected by the HTTP layer (Netty codec, before the app; no problem+json)", httpLayer);
    r.metrics.put("slowest answer ms", maxMillis[0]);
    r.metrics.put("duration ms", millis);
    r.metrics.put("hub log: ERROR lines", hub.logLines("\"level\":\"ERROR\"").size());
    hub.stop();
  }

  private static Map<String, Long> rowsByInstance(HubProcess hub) throws Exception {
    Map<String, Long> out = new HashMap<>();
    for (String row : Context.strings(hub.jdbcUrl(), "SELECT instance_id, count(*) AS n FROM messages GROUP BY instance_id")) {
      String[] parts = row.split(" ");
      out.put(parts[0].substring("instance_id=".length()), Long.parseLong(parts[1].substring("n=".length())));
    }
    return out;
  }

  private static void checkUnchanged(ScenarioResult r, Api api, String key, String instance, String anchor, String before)
      throws Exception {
    Api.Res inst = api.call("GET", "/instances/" + instance, key, (JsonObject) null);
    if (inst.status() != 200) {
      r.violation(ScenarioResult.FUZZ_CROSS_TENANT, instance + " is gone: " + inst);
      return;
    }
    JsonObject now = inst.json();
    JsonObject was = new JsonObject(before);
    for (String field : List.of("name", "desiredState", "limits", "provider", "pacing", "maxQueueSize")) {
      if (!java.util.Objects.equals(now.getValue(field), was.getValue(field))) {
        r.violation(ScenarioResult.FUZZ_CROSS_TENANT, instance + "." + field + " changed: " + was.getValue(field) + " → "
            + now.getValue(field));
      }
    }
    JsonObject status = api.ok("GET", "/instances/" + instance + "/status", key, null);
    if (!"NEEDS_QR".equals(status.getString("state"))) {
      r.violation(ScenarioResult.FUZZ_CROSS_TENANT, instance + " state is " + status.getString("state") + " (was NEEDS_QR)");
    }
    JsonObject m = api.message(key, anchor);
    if (m == null || !"queued".equals(m.getString("status"))) {
      r.violation(ScenarioResult.FUZZ_CROSS_TENANT, "anchor message " + anchor + " of " + instance + " is now "
          + (m == null ? "gone" : m.getString("status")));
    }
  }
}
