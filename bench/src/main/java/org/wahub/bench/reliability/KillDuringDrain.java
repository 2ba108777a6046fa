package org.wahub.bench.reliability;

import org.wahub.bench.HubProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenarios 1, 2 and 4: concurrent clients keep posting (unique Idempotency-Keys, every answer
 * recorded) while the hub is killed at random moments — SIGKILL from outside, or the simulator's
 * {@code crash_after_send} with {@code halt}, which halts the JVM right after the phone recorded a
 * send (a true in-doubt case) — and restarted. Clients without an answer retry the same key.
 * After the last restart the backlog drains and the three histories are reconciled: nothing lost,
 * no send twice unless reported in_doubt first (or absorbed by a deduplicating provider), one id
 * per key, and no window exceeded in any interval, also across the restarts.
 */
final class KillDuringDrain implements Scenario {

  @Override
  public String name() {
    return "kill9";
  }

  @Override
  public String title() {
    return "kill -9 (SIGKILL and crash-after-send halt) during drain; one key one id; windows across restarts";
  }

  @Override
  public void run(Context ctx, ScenarioResult r) throws Exception {
    Settings s = ctx.settings;
    Log log = ctx.log.scenario(name());
    HubProcess hub = ctx.startHub(name(), Map.of(), r, log);
    Api api = new Api(hub.base());
    String key = api.createTenant(HubProcess.ADMIN_KEY, "rel-kill9-" + s.seed);
    long seed = s.seed;
    // two windows are made to bind: the minute (1 s at scale 60) on k9-dd/k9-nd, whose posting
    // rate exceeds their limit, and the hour (60 s) on the two *-hour instances, so a restart
    // happens while the limiter is full and must be rebuilt from the history to stay within it
    // (long mode: a larger hour budget, so that the backlog of a soak still drains in minutes)
    int perHour = s.mode.equals("long") ? 120 : 40;
    List<InstanceSpec> specs = List.of(
        InstanceSpec.of("k9-dd", true, 20, 0.05, 6, 100_000, 1_000_000, 20, 20, seed + 1),
        InstanceSpec.of("k9-nd", false, 20, 0.05, 6, 100_000, 1_000_000, 20, 20, seed + 2),
        InstanceSpec.of("k9-dd-hour", true, 10, 0.05, 20, perHour, 1_000_000, 10, 0, seed + 3),
        InstanceSpec.of("k9-nd-hour", false, 10, 0.0, 20, perHour, 1_000_000, 10, 0, seed + 4));
    ctx.createInstances(api, key, specs);
    List<Posters.Target> targets = List.of(new Posters.Target("k9-dd", 40), new Posters.Target("k9-nd", 40),
        new Posters.Target("k9-dd-hour", 16), new Posters.Target("k9-nd-hour", 16));

    Ledger ledger = new Ledger();
    List<Long> restarts = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    List<Integer> exitCodes = new ArrayList<>();
    int fallbacks = 0;
    try (Posters posters = new Posters(hub.httpPort(), key, targets, s.killClients, s.killRate, "k9-" + seed, ledger, seed, 10_000)) {
      posters.start();
      for (int cycle = 1; cycle <= s.killCycles; cycle++) {
        Thread.sleep(s.killMinMs + ctx.random.nextInt(Math.max(1, s.killMaxMs - s.killMinMs)));
        // CI: SIGKILL, halt on the non-deduplicating instance, halt on the deduplicating one, …; long: at random,
        // and sometimes a second SIGKILL while the restarted hub is still starting up (recovery interrupted)
        int kind = s.mode.equals("long") ? ctx.random.nextInt(4) : (cycle - 1) % 3;
        String how;
        if (kind == 0) {
          how = "SIGKILL";
          hub.kill();
        } else if (kind == 3) {
          hub.kill();
          Thread starter = new Thread(() -> {
            try {
              hub.start();
            } catch (Exception expected) {
              // killed while starting
            }
          }, "interrupted-start");
          starter.start();
          int after = 300 + ctx.random.nextInt(2700);
          Thread.sleep(after);
          hub.kill();
          starter.join(60_000);
          how = "SIGKILL, then SIGKILL " + after + " ms into the restart";
        } else {
          String victim = kind == 1 ? "k9-nd" : "k9-dd";
          how = "crash_after_send halt on " + victim;
          api.simulate(key, victim, Context.simulateCrash());
          if (!hub.awaitExit(Duration.ofSeconds(10))) {
            how += " (no send within 10 s: SIGKILL instead)";
            fallbacks++;
            hub.kill();
          }
        }
        exitCodes.add(hub.exitCode());
        kinds.add(how);
        long t = hub.start().toMillis();
        r.restartReadyMs.add(t);
        r.restartKinds.add(how);
        restarts.add(Context.nowMicros());
        log.line("cycle %d/%d: %s (exit %s) → ready again in %d ms; so far %,d requests, %,d × 202, %,d without answer",
            cycle, s.killCycles, how, exitCodes.get(exitCodes.size() - 1), t,
            ledger.requests.get(), ledger.answered202.get(), ledger.noAnswer.get());
      }
      Thread.sleep(s.afterLastRestartMs);
      posters.stopPosting();
      if (!posters.awaitSettled(Duration.ofSeconds(60))) {
        r.violation(ScenarioResult.HANG, "clients still without a definitive answer 60 s after posting stopped: "
            + ledger.unsettledKeys() + " keys");
      }
      r.metrics.put("keys issued", posters.keysIssued());
    }
    r.takeClientCounts(ledger);
    r.metrics.put("kills", kinds);
    r.metrics.put("exit codes", exitCodes);
    r.metrics.put("crash halts that found no send (SIGKILL used)", fallbacks);
    r.metrics.put("keys answered after a lost answer/503 (ambiguous, resolved by retry)", ledger.ambiguousKeysResolved());
    ledger.anomalies().forEach(a -> r.notes.add("client: " + a));
    if (ledger.timedOut.get() > 0) {
      r.violation(ScenarioResult.HANG, ledger.timedOut.get() + " requests without an answer within 10 s while the hub was up");
    }
    ledger.anomalies().stream().filter(a -> a.contains("second fresh 202")).forEach(a -> r.violation(ScenarioResult.KEY_REMAPPED, a));

    log.line("posting stopped: %,d keys, %,d requests; draining", ledger.entries.size(), ledger.requests.get());
    long drained = Audit.drain(api, key, specs, Duration.ofSeconds(s.drainDeadlineSeconds), log);
    r.drainMs = drained;
    if (drained < 0) {
      r.violation(ScenarioResult.NOT_DRAINED, "backlog not drained within " + s.drainDeadlineSeconds + " s");
    }
    Audit.Result audit = Audit.reconcile(api, key, specs, ledger, s.timeScale, restarts);
    r.takeAudit(audit);
    r.metrics.put("in_doubt ids", audit.inDoubtIds);
    List<String> replay = Audit.replay(api, key, ledger);
    r.replays = ledger.entries.size();
    r.violations(ScenarioResult.KEY_REMAPPED, replay);
    r.metrics.put("hub log: orphaned sends rescued at start", hub.logLines("rescued interrupted sends").size());
    r.metrics.put("hub log: simulated crashes", hub.logLines("simulated crash after hand-off").size());
    r.metrics.put("hub log: ERROR lines", hub.logLines("\"level\":\"ERROR\"").size());
    log.line("audit: %d ids, lost %d, dup unreported %d, in doubt %d, replay mismatches %d", audit.acceptedIds,
        audit.lost.size(), audit.unreportedDuplicates.size(), audit.inDoubt, replay.size());
    hub.stop();
  }
}
