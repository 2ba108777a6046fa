package org.wahub.bench.reliability;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reliability proof harness (Jepsen-style bookkeeping against the real {@code wa-hub.jar}):
 * kill -9 during drain with key continuity and the window invariant across crashes (scenarios
 * 1, 2, 4), PostgreSQL down and back (3), bad input (6) and graceful shutdown (7), and the waha provider against a WAHA that drops answers after hand-off,
 * and kill -9 while webhooks are delivered. Scenario 5
 * (lease fencing) needs the package-private delivery store and lives in
 * {@code verticles/src/test/java/org/wahub/delivery/LeaseFencingTest.java}.
 *
 * <pre>
 *   java -cp bench/target/wa-hub-bench.jar org.wahub.bench.reliability.Harness --mode ci|long
 *        [--seed 42] [--scenarios kill9,pg-down,sigterm,bad-input] [--jar verticles/target/wa-hub.jar]
 *        [--out bench/out] [--killCycles 20] … (every field of {@link Settings})
 * </pre>
 * Prints one summary table at the end (and writes it with the details under the run directory);
 * exits 1 when an invariant was violated.
 */
public final class Harness {

  // strong references: java.util.logging forgets the level of a logger that was garbage-collected
  private static final java.util.logging.Logger VERTX_LOG = java.util.logging.Logger.getLogger("io.vertx");
  private static final java.util.logging.Logger NETTY_LOG = java.util.logging.Logger.getLogger("io.netty");

  private Harness() {
  }

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.parse(args);
    Report report = run(settings, System.out);
    System.exit(report.scenarios.stream().allMatch(s -> s.violations.values().stream().allMatch(List::isEmpty)) ? 0 : 1);
  }

  private static void deleteTree(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException ignored) {
      // best effort
    }
  }

  /** Runs the selected scenarios, one after the other, each with its own hub process(es). */
  public static Report run(Settings settings, PrintStream out) throws Exception {
    // a killed hub resets the load clients' connections: that is the point, not news for the console
    VERTX_LOG.setLevel(java.util.logging.Level.OFF);
    NETTY_LOG.setLevel(java.util.logging.Level.OFF);
    if (!Files.isRegularFile(settings.jar)) {
      throw new IllegalStateException("no hub jar at " + settings.jar.toAbsolutePath()
          + ": build it first (mvn -B -q -DskipTests package)");
    }
    Path runDir = settings.out.resolve("reliability-" + settings.mode + "-"
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + settings.seed);
    Files.createDirectories(runDir);
    Log log = new Log(runDir.resolve("harness.log"), out, "harness");
    log.line("%s; run directory %s", settings, runDir.toAbsolutePath());
    Report report = new Report(settings.mode, settings.seed);
    Map<String, Scenario> all = new LinkedHashMap<>();
    for (Scenario sc : List.of(new KillDuringDrain(), new PostgresOutage(), new GracefulShutdown(), new BadInput(), new WahaHandOffDrop(), new WebhookKill())) {
      all.put(sc.name(), sc);
    }
    long t0 = System.nanoTime();
    for (String name : settings.scenarios) {
      Scenario sc = all.get(name);
      ScenarioResult result = new ScenarioResult(sc.name(), sc.title());
      report.scenarios.add(result);
      Context ctx = new Context(settings, runDir, log);
      long s0 = System.nanoTime();
      log.line("=== %s: %s", sc.name(), sc.title());
      try {
        sc.run(ctx, result);
      } catch (Exception | AssertionError e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        result.violation(ScenarioResult.HARNESS, e.toString());
        log.line("scenario %s failed: %s", sc.name(), w);
      } finally {
        ctx.cleanup();
        if (result.violationCounts.isEmpty()) {
          // nothing to investigate: keep the logs, drop the databases (~50 MB each)
          deleteTree(runDir.resolve(sc.name()).resolve("pg"));
          deleteTree(runDir.resolve(sc.name()).resolve("external-pg"));
        }
        result.millis = (System.nanoTime() - s0) / 1_000_000;
        log.line("=== %s done in %d s", sc.name(), result.millis / 1000);
      }
    }
    report.millis = (System.nanoTime() - t0) / 1_000_000;
    String table = report.table();
    String details = report.details();
    Files.writeString(runDir.resolve("summary.txt"), table + details, StandardCharsets.UTF_8);
    Files.writeString(runDir.resolve("violations.txt"), report.allViolations(), StandardCharsets.UTF_8);
    out.println(details);
    out.println(table);
    out.println("(details and hub logs under " + runDir.toAbsolutePath() + ")");
    out.flush();
    return report;
  }
}
