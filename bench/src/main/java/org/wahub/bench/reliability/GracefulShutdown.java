package org.wahub.bench.reliability;

import io.vertx.core.json.JsonObject;
import org.wahub.bench.HubProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scenario 7: SIGTERM while sends are in flight (simulator latency 300 ms). The hub must finish
 * the in-flight sends (or release their leases) before it exits, so that after the restart no
 * message is in_doubt or rescued as interrupted because of the shutdown, and the drain continues.
 */
final class GracefulShutdown implements Scenario {

  private static final List<String> INSTANCES = List.of("term-dd", "term-nd");

  @Override
  public String name() {
    return "sigterm";
  }

  @Override
  public String title() {
    return "SIGTERM with sends in flight: finish or release, nothing in doubt, drain continues";
  }

  @Override
  public void run(Context ctx, ScenarioResult r) throws Exception {
    Settings s = ctx.settings;
    Log log = ctx.log.scenario(name());
    HubProcess hub = ctx.startHub(name(), Map.of(), r, log);
    Api api = new Api(hub.base());
    String key = api.createTenant(HubProcess.ADMIN_KEY, "rel-term-" + s.seed);
    List<InstanceSpec> specs = List.of(
        InstanceSpec.of("term-dd", true, 300, 0.0, 600, 100_000, 1_000_000, 0, 0, s.seed + 21),
        InstanceSpec.of("term-nd", false, 300, 0.0, 600, 100_000, 1_000_000, 0, 0, s.seed + 22));
    ctx.createInstances(api, key, specs);

    Ledger ledger = new Ledger();
    List<Long> restarts = new ArrayList<>();
    List<Long> shutdowns = new ArrayList<>();
    List<Integer> exitCodes = new ArrayList<>();
    List<String> inFlightAtTerm = new ArrayList<>();
    String in = "('term-dd', 'term-nd')";
    try (Posters posters = new Posters(hub.httpPort(), key, List.of(new Posters.Target("term-dd", 1),
        new Posters.Target("term-nd", 1)), 4, 10, "term-" + s.seed, ledger, s.seed, 10_000)) {
      posters.start();
      Thread.sleep(2500); // a backlog: with 300 ms per send, posting at 10/s outruns 2 × ~3 sends/s
      for (int cycle = 1; cycle <= s.termCycles; cycle++) {
        Thread.sleep(1500 + ctx.random.nextInt(2500));
        // SIGTERM the moment an instance reports a send in flight
        String flying = awaitSendInFlight(api, key, Duration.ofSeconds(5));
        inFlightAtTerm.add(flying == null ? "none seen" : flying);
        Duration took = hub.terminate(Duration.ofSeconds(60));
        exitCodes.add(hub.exitCode());
        if (took == null) {
          r.violation(ScenarioResult.SHUTDOWN_UNCLEAN, "cycle " + cycle + ": the hub did not exit within 60 s of SIGTERM");
          shutdowns.add(60_000L);
        } else {
          shutdowns.add(took.toMillis());
        }
        long t = hub.start().toMillis();
        r.restartReadyMs.add(t);
        r.restartKinds.add("SIGTERM");
        restarts.add(Context.nowMicros());
        for (String id : INSTANCES) {
          Context.awaitState(api, key, id, "READY", Duration.ofSeconds(30));
        }
        // the start-up rescue has run by now: anything it found in 'sending' was left behind by the shutdown
        List<String> interrupted = Context.strings(hub.jdbcUrl(), "SELECT message_id, to_status, at FROM message_events "
            + "WHERE instance_id IN " + in + " AND kind = 'interrupted' ORDER BY id");
        List<String> doubt = Context.strings(hub.jdbcUrl(), "SELECT id, last_error_code FROM messages WHERE instance_id IN "
            + in + " AND status = 'in_doubt'");
        for (String x : interrupted) {
          r.violation(ScenarioResult.SHUTDOWN_IN_DOUBT, "after SIGTERM cycle " + cycle + ": rescued as interrupted: " + x);
        }
        for (String x : doubt) {
          r.violation(ScenarioResult.SHUTDOWN_IN_DOUBT, "after SIGTERM cycle " + cycle + ": in_doubt: " + x);
        }
        log.line("cycle %d/%d: SIGTERM with %s in flight → exited %s in %s ms → ready again in %d ms; interrupted %d, in_doubt %d",
            cycle, s.termCycles, inFlightAtTerm.get(inFlightAtTerm.size() - 1), exitCodes.get(exitCodes.size() - 1),
            shutdowns.get(shutdowns.size() - 1), t, interrupted.size(), doubt.size());
      }
      Thread.sleep(2000);
      posters.stopPosting();
      if (!posters.awaitSettled(Duration.ofSeconds(60))) {
        r.violation(ScenarioResult.HANG, "clients without a definitive answer 60 s after posting stopped: "
            + ledger.unsettledKeys() + " keys");
      }
      r.metrics.put("keys issued", posters.keysIssued());
    }
    r.takeClientCounts(ledger);
    ledger.anomalies().forEach(a -> r.notes.add("client: " + a));
    r.metrics.put("shutdownMaxMs", shutdowns.stream().mapToLong(Long::longValue).max().orElse(-1));
    r.metrics.put("shutdown durations ms", shutdowns);
    r.metrics.put("exit codes", exitCodes);
    r.metrics.put("send in flight at SIGTERM", inFlightAtTerm);
    List<String> notRecorded = hub.logLines("send outcome not recorded before shutdown");
    notRecorded.forEach(l -> r.violation(ScenarioResult.SHUTDOWN_UNCLEAN, "hub log: " + l));
    List<String> shutdownWarnings = hub.logLines("shutdown did not finish cleanly");
    shutdownWarnings.forEach(l -> r.violation(ScenarioResult.SHUTDOWN_UNCLEAN, "hub log: " + l));

    log.line("draining");
    long drained = Audit.drain(api, key, specs, Duration.ofSeconds(s.drainDeadlineSeconds), log);
    r.drainMs = drained;
    if (drained < 0) {
      r.violation(ScenarioResult.NOT_DRAINED, "backlog not drained within " + s.drainDeadlineSeconds + " s");
    }
    Audit.Result audit = Audit.reconcile(api, key, specs, ledger, s.timeScale, restarts);
    r.takeAudit(audit);
    if (audit.inDoubt > 0) {
      r.violation(ScenarioResult.SHUTDOWN_IN_DOUBT, audit.inDoubt + " messages in_doubt at the end (no crash in this scenario): "
          + audit.inDoubtIds);
    }
    long interrupted = Context.count(hub.jdbcUrl(), "SELECT count(*) FROM message_events WHERE instance_id IN " + in
        + " AND kind = 'interrupted'");
    long released = Context.count(hub.jdbcUrl(), "SELECT count(*) FROM message_events WHERE instance_id IN " + in
        + " AND kind = 'released'");
    r.metrics.put("interruptedAfterTerm", interrupted + " interrupted, " + audit.inDoubt + " in_doubt");
    r.metrics.put("leases released unsent at shutdown", released);
    List<String> replay = Audit.replay(api, key, ledger);
    r.replays = ledger.entries.size();
    r.violations(ScenarioResult.KEY_REMAPPED, replay);
    r.metrics.put("hub log: ERROR lines", hub.logLines("\"level\":\"ERROR\"").size());
    log.line("audit: %d ids, lost %d, dup unreported %d, in doubt %d, interrupted %d, released %d", audit.acceptedIds,
        audit.lost.size(), audit.unreportedDuplicates.size(), audit.inDoubt, interrupted, released);
    hub.stop();
  }

  /** Polls the instances' status until one reports a send in flight; its id, or null. */
  private static String awaitSendInFlight(Api api, String key, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      for (String id : INSTANCES) {
        Api.Res res = api.call("GET", "/instances/" + id + "/status", key, (JsonObject) null);
        if (res.status() == 200 && "send_in_flight".equals(res.json().getString("waitingFor"))) {
          return id;
        }
      }
      Thread.sleep(20);
    }
    return null;
  }
}
