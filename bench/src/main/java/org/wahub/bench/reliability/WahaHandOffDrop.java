package org.wahub.bench.reliability;

import io.vertx.core.json.JsonObject;
import org.wahub.bench.HubProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Issue 15's harness case: two instances on the real {@code waha} provider, against a WAHA fake
 * ({@link WahaPhone}) that records every send and then, for a seeded share of them, drops the
 * connection before answering — while clients keep posting and the hub is SIGKILLed mid-drain.
 * WAHA does not deduplicate, so besides the audit every scenario gets (nothing lost, one key one id,
 * windows kept), here a message may reach the phone at most once, even after being reported
 * {@code in_doubt}, and every send whose answer was dropped must end {@code in_doubt}: the hub may
 * neither call it sent (it never heard so) nor failed (WhatsApp has it) nor send it again.
 */
final class WahaHandOffDrop implements Scenario {

  @Override
  public String name() {
    return "waha-drop";
  }

  @Override
  public String title() {
    return "waha provider: WAHA drops the connection after hand-off, and kill -9; in_doubt, never twice, nothing lost";
  }

  @Override
  public void run(Context ctx, ScenarioResult r) throws Exception {
    Settings s = ctx.settings;
    Log log = ctx.log.scenario(name());
    WahaPhone waha = ctx.closeLater(new WahaPhone(s.seed, s.wahaDropRate));
    int wahaPort = waha.start();
    log.line("WAHA fake on port %d, dropping %.0f %% of the answers after hand-off", wahaPort, s.wahaDropRate * 100);
    // the outbound guard refuses loopback unless the operator allows it: allow exactly the fake
    HubProcess hub = ctx.startHub(name(), Map.of("HUB_OUTBOUND_ALLOW", "127.0.0.1/32", "HUB_OUTBOUND_ALLOW_ONLY", "true"), r, log);
    Api api = new Api(hub.base());
    String key = api.createTenant(HubProcess.ADMIN_KEY, "rel-waha-" + s.seed);
    Map<String, String> sessionOf = new HashMap<>();
    List<InstanceSpec> specs = new ArrayList<>();
    for (String id : List.of("waha-1", "waha-2")) {
      String session = "s" + id.substring(id.length() - 1);
      sessionOf.put(id, session);
      specs.add(InstanceSpec.of(id, false, 0, 0, 20, 100_000, 1_000_000, 20, 20, s.seed).withProvider(new JsonObject()
          .put("type", "waha").put("baseUrl", "http://127.0.0.1:" + wahaPort).put("apiKey", WahaPhone.API_KEY)
          .put("session", session)));
    }
    ctx.createInstances(api, key, specs);

    Ledger ledger = new Ledger();
    List<Long> restarts;
    try (Posters posters = new Posters(hub.httpPort(), key, List.of(new Posters.Target("waha-1", 1), new Posters.Target("waha-2", 1)),
        s.killClients, s.wahaRate, "waha-" + s.seed, ledger, s.seed, 10_000)) {
      posters.start();
      long cycleMs = Math.max(1000, s.wahaSeconds * 1000L / (s.wahaKills + 1));
      restarts = Context.killCycles(hub, s.wahaKills, cycleMs, r, log, () -> String.format("%,d sends on the phone, %,d answers dropped",
          waha.sends().size(), waha.sends().stream().filter(WahaPhone.Send::dropped).count()));
      posters.stopPosting();
      if (!posters.awaitSettled(Duration.ofSeconds(60))) {
        r.violation(ScenarioResult.HANG, "clients still without a definitive answer 60 s after posting stopped: "
            + ledger.unsettledKeys() + " keys");
      }
    }
    r.takeClientCounts(ledger);
    ledger.anomalies().forEach(a -> r.notes.add("client: " + a));
    ledger.anomalies().stream().filter(a -> a.contains("second fresh 202")).forEach(a -> r.violation(ScenarioResult.KEY_REMAPPED, a));

    long drained = Audit.drain(api, key, specs, Duration.ofSeconds(s.drainDeadlineSeconds), log);
    r.drainMs = drained;
    if (drained < 0) {
      r.violation(ScenarioResult.NOT_DRAINED, "backlog not drained within " + s.drainDeadlineSeconds + " s");
    }
    Audit.Result audit = Audit.reconcile(api, key, specs, ledger, s.timeScale, restarts,
        spec -> waha.log(sessionOf.get(spec.id()), ledger));
    r.takeAudit(audit);
    // WAHA never deduplicates: a second send is a duplicate on the customer's phone, reported or not
    r.violations(ScenarioResult.DUPLICATED, audit.reportedDuplicates.stream().map(d -> "sent again after in_doubt: " + d).toList());

    int dropped = 0;
    Set<String> droppedIds = new java.util.HashSet<>();
    for (InstanceSpec spec : specs) {
      for (JsonObject e : waha.log(sessionOf.get(spec.id()), ledger)) {
        if (e.getBoolean("dropped")) {
          dropped++;
          droppedIds.add(e.getString("messageId"));
        }
      }
    }
    int checked = 0;
    for (String id : droppedIds) {
      JsonObject m = api.message(key, id);
      checked++;
      if (m == null || !"in_doubt".equals(m.getString("status"))) {
        r.violation(ScenarioResult.CONTRADICTION, id + ": WAHA took it and dropped the answer, the hub says "
            + (m == null ? "nothing (404)" : Audit.historyBrief(m)));
      }
    }
    if (checked == 0) {
      r.violation(ScenarioResult.HARNESS, "no answer was dropped after hand-off: the in-doubt rule was not exercised");
    }
    waha.unexpected().forEach(u -> r.violation(ScenarioResult.HARNESS, "the hub called WAHA where the fake has no route: " + u));
    r.metrics.put("sends on the phone", waha.sends().size());
    r.metrics.put("answers dropped after hand-off", dropped);
    r.metrics.put("dropped sends checked in_doubt", checked);
    r.metrics.put("in_doubt ids", audit.inDoubtIds);
    List<String> replay = Audit.replay(api, key, ledger);
    r.replays = ledger.entries.size();
    r.violations(ScenarioResult.KEY_REMAPPED, replay);
    r.metrics.put("hub log: ERROR lines", hub.logLines("\"level\":\"ERROR\"").size());
    log.line("audit: %d ids, lost %d, sent twice %d, in doubt %d (%d answers dropped, all checked), replay mismatches %d",
        audit.acceptedIds, audit.lost.size(), audit.unreportedDuplicates.size() + audit.reportedDuplicates.size(), audit.inDoubt,
        dropped, replay.size());
    hub.stop();
  }
}
