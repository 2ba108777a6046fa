package org.wahub.bench.reliability;

import org.wahub.bench.HubProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Scenario 3: the hub runs against an external PostgreSQL that the harness stops and starts again
 * while clients keep posting. While it is down, requests must fail fast with 503 (no hang),
 * /health/ready must say 503, and no 202 may be given for a row that is not there later; once it
 * is back the hub must recover by itself (ready 200), sending must resume and nothing is lost.
 */
final class PostgresOutage implements Scenario {

  @Override
  public String name() {
    return "pg-down";
  }

  @Override
  public String title() {
    return "external PostgreSQL stopped and started again under load";
  }

  /** One readiness probe: when (epoch ms), what, how long it took. */
  private record Probe(long atMs, int status, long millis) {
  }

  @Override
  public void run(Context ctx, ScenarioResult r) throws Exception {
    Settings s = ctx.settings;
    Log log = ctx.log.scenario(name());
    int pgPort = HubProcess.freePort();
    try (ExternalPostgres pg = ctx.closeLater(new ExternalPostgres(ctx.runDir.resolve(name()).resolve("external-pg"), pgPort))) {
      pg.start();
      log.line("external PostgreSQL up on port %d", pgPort);
      HubProcess hub = ctx.startHub(name(), Map.of("HUB_DB_URL", pg.url()), r, log);
      Api api = new Api(hub.base());
      String key = api.createTenant(HubProcess.ADMIN_KEY, "rel-pg-" + s.seed);
      List<InstanceSpec> specs = List.of(
          InstanceSpec.of("pg-dd", true, 20, 0.0, 10, 100_000, 1_000_000, 20, 0, s.seed + 11),
          InstanceSpec.of("pg-nd", false, 20, 0.0, 10, 100_000, 1_000_000, 20, 0, s.seed + 12));
      ctx.createInstances(api, key, specs);

      List<Probe> probes = new ArrayList<>();
      AtomicBoolean probing = new AtomicBoolean(true);
      Thread prober = new Thread(() -> {
        while (probing.get()) {
          long t0 = System.nanoTime();
          long at = System.currentTimeMillis();
          int st = api.ready();
          synchronized (probes) {
            probes.add(new Probe(at, st, (System.nanoTime() - t0) / 1_000_000));
          }
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "ready-prober");
      prober.setDaemon(true);
      prober.start();

      Ledger ledger = new Ledger();
      List<long[]> outages = new ArrayList<>(); // {downAtMs, upAtMs}
      List<Long> recoveries = new ArrayList<>();
      List<String> stopKinds = new ArrayList<>();
      try (Posters posters = new Posters(hub.httpPort(), key, List.of(new Posters.Target("pg-dd", 1),
          new Posters.Target("pg-nd", 1)), s.pgClients, s.pgRate, "pg-" + s.seed, ledger, s.seed, 20_000)) {
        posters.start();
        for (int cycle = 1; cycle <= s.pgCycles; cycle++) {
          Thread.sleep(s.pgUpMs);
          boolean immediate = cycle % 2 == 0;
          long downAt = System.currentTimeMillis();
          if (immediate) {
            pg.stopImmediate();
          } else {
            pg.stopFast();
          }
          stopKinds.add(immediate ? "immediate (SIGQUIT)" : "fast (pg_ctl stop -m fast)");
          log.line("cycle %d/%d: PostgreSQL stopped (%s) in %d ms", cycle, s.pgCycles, stopKinds.get(stopKinds.size() - 1),
              System.currentTimeMillis() - downAt);
          Thread.sleep(s.pgDownMs);
          long restartAt = System.currentTimeMillis();
          pg.start();
          long upAt = System.currentTimeMillis();
          // "down" ends when the harness begins to start it again (the server accepts connections before start() returns)
          outages.add(new long[] {downAt, restartAt});
          // the hub must find its way back by itself
          long recovered = -1;
          while (System.currentTimeMillis() - upAt < 60_000) {
            if (api.ready() == 200) {
              recovered = System.currentTimeMillis() - upAt;
              break;
            }
            Thread.sleep(100);
          }
          recoveries.add(recovered);
          if (recovered < 0) {
            r.violation(ScenarioResult.OUTAGE_RECOVERY, "cycle " + cycle + ": /health/ready not 200 within 60 s after "
                + "PostgreSQL came back");
          }
          log.line("cycle %d/%d: PostgreSQL back after %d ms down (start took %d ms); hub ready %d ms later", cycle,
              s.pgCycles, upAt - downAt, upAt - restartAt, recovered);
        }
        Thread.sleep(Math.max(3000, s.pgUpMs));
        posters.stopPosting();
        if (!posters.awaitSettled(Duration.ofSeconds(60))) {
          r.violation(ScenarioResult.HANG, "clients without a definitive answer 60 s after posting stopped: "
              + ledger.unsettledKeys() + " keys");
        }
        r.metrics.put("keys issued", posters.keysIssued());
      } finally {
        probing.set(false);
        prober.interrupt();
        prober.join(5000);
      }
      r.takeClientCounts(ledger);
      ledger.anomalies().forEach(a -> r.notes.add("client: " + a));
      analyseOutages(r, ledger, probes, outages, s);
      r.metrics.put("stops", stopKinds);
      r.metrics.put("recoveryMs", recoveries.stream().mapToLong(Long::longValue).max().orElse(-1));
      r.metrics.put("recoveries (ms after PostgreSQL was back)", recoveries);

      log.line("draining");
      long drained = Audit.drain(api, key, specs, Duration.ofSeconds(s.drainDeadlineSeconds), log);
      r.drainMs = drained;
      if (drained < 0) {
        r.violation(ScenarioResult.NOT_DRAINED, "backlog not drained within " + s.drainDeadlineSeconds + " s");
      }
      Audit.Result audit = Audit.reconcile(api, key, specs, ledger, s.timeScale, List.of());
      r.takeAudit(audit);
      List<String> replay = Audit.replay(api, key, ledger);
      r.replays = ledger.entries.size();
      r.violations(ScenarioResult.KEY_REMAPPED, replay);
      // rows in the database that no client holds an id for: a 503 whose row was committed after all
      long rows = Context.count(pg.jdbcUrl(), "SELECT count(*) FROM messages WHERE instance_id IN ('pg-dd', 'pg-nd')");
      r.metrics.put("rows in the database / ids acknowledged", rows + " / " + audit.acceptedIds);
      r.metrics.put("hub log: ERROR lines", hub.logLines("\"level\":\"ERROR\"").size());
      log.line("audit: %d ids, lost %d, dup unreported %d, in doubt %d, replay mismatches %d", audit.acceptedIds,
          audit.lost.size(), audit.unreportedDuplicates.size(), audit.inDoubt, replay.size());
      hub.stop();
    }
  }

  private static void analyseOutages(ScenarioResult r, Ledger ledger, List<Probe> probes, List<long[]> outages, Settings s) {
    List<Long> latencies = new ArrayList<>();
    Map<Integer, Integer> statuses = new TreeMap<>();
    int accepted = 0;
    int ready503 = 0;
    int ready200 = 0;
    for (Ledger.Sample x : ledger.samples()) {
      for (long[] o : outages) {
        // requests that started while the server was down (the first second is the hub noticing)
        if (x.startMs() >= o[0] && x.startMs() < o[1]) {
          latencies.add(x.latencyMs());
          statuses.merge(x.status(), 1, Integer::sum);
          if (x.status() == 202) {
            accepted++;
          }
          if (x.latencyMs() > s.outageMaxAnswerMs) {
            r.violation(ScenarioResult.OUTAGE_SLOW, "key " + x.key() + " answered " + x.status() + " after " + x.latencyMs()
                + " ms while the database was down");
          }
          if (x.status() == Ledger.TIMED_OUT) {
            r.violation(ScenarioResult.HANG, "key " + x.key() + ": no answer within the client timeout while the database was down");
          }
        }
      }
    }
    synchronized (probes) {
      for (Probe p : probes) {
        for (long[] o : outages) {
          if (p.atMs() >= o[0] + 2000 && p.atMs() < o[1]) {
            if (p.status() == 503) {
              ready503++;
            } else if (p.status() == 200) {
              ready200++;
              r.violation(ScenarioResult.OUTAGE_READY, "/health/ready answered 200 " + (p.atMs() - o[0])
                  + " ms after PostgreSQL went down");
            }
            if (p.millis() > s.outageMaxAnswerMs) {
              r.violation(ScenarioResult.OUTAGE_SLOW, "/health/ready took " + p.millis() + " ms while the database was down");
            }
          }
        }
      }
    }
    List<Long> sorted = latencies.stream().sorted().toList();
    r.metrics.put("requests started while down, by status (-1 no answer, -2 timeout)", statuses);
    r.metrics.put("202 for requests started while down (their rows are checked like any other)", accepted);
    r.metrics.put("outageAnswerMaxMs", sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1));
    r.metrics.put("outageAnswerP99Ms", Report.percentile(sorted, 99));
    r.metrics.put("outageAnswerP50Ms", Report.percentile(sorted, 50));
    r.metrics.put("outageReady503", ready503 + " of " + (ready503 + ready200) + " probes (≥ 2 s into the outage)");
  }
}
