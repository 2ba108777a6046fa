package org.wahub.bench.reliability;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How hard and how long a run pushes. {@link #ci()} fits a few minutes on 2 cores (run by
 * {@code mvn -B verify}); {@link #longMode()} is the soak (≥ 20 kill cycles). Every field can be
 * overridden on the command line ({@code --name value}).
 */
public final class Settings {

  public static final List<String> ALL = List.of("kill9", "pg-down", "sigterm", "bad-input", "waha-drop", "webhook-kill9");

  public String mode = "ci";
  public Path jar = Path.of("verticles/target/wa-hub.jar");
  public Path out = Path.of("bench/out");
  public long seed = System.currentTimeMillis() % 1_000_000;
  public Set<String> scenarios = new LinkedHashSet<>(ALL);
  /** HUB_TIME_SCALE: 60 turns a limiter minute into 1 s (hour 60 s, day 24 min). */
  public double timeScale = 60;
  public String hubXmx = "512m";

  // scenario 1/2/4: kill -9 during drain
  public int killCycles = 3;
  public int killMinMs = 4000;
  public int killMaxMs = 7000;
  public int killClients = 8;
  public double killRate = 20;
  public int afterLastRestartMs = 3000;
  public int drainDeadlineSeconds = 150;

  // scenario 3: PostgreSQL down and back
  public int pgCycles = 1;
  public int pgUpMs = 4000;
  public int pgDownMs = 6000;
  public int pgClients = 6;
  public double pgRate = 12;
  /** An answer slower than this while the database is down counts as a hang. */
  public int outageMaxAnswerMs = 10_000;

  // scenario 7: graceful shutdown
  public int termCycles = 2;

  // scenario 6: bad input
  public int fuzzCases = 10_000;
  public int fuzzConcurrency = 16;
  public int fuzzTimeoutMs = 10_000;

  // issue 15: the waha provider against a WAHA that drops the answer after hand-off
  public double wahaDropRate = 0.08;
  public int wahaSeconds = 10;
  public int wahaKills = 1;
  public double wahaRate = 12;

  // issue 14: kill -9 while webhooks are being delivered
  public int webhookSeconds = 12;
  public int webhookKills = 2;
  public double webhookRate = 20;

  public static Settings ci() {
    return new Settings();
  }

  public static Settings longMode() {
    Settings s = new Settings();
    s.mode = "long";
    s.killCycles = 20;
    s.killMinMs = 5000;
    s.killMaxMs = 15000;
    s.killRate = 20;
    s.drainDeadlineSeconds = 420;
    s.pgCycles = 4;
    s.pgUpMs = 8000;
    s.pgDownMs = 12000;
    s.termCycles = 6;
    s.fuzzCases = 50_000;
    s.wahaSeconds = 90;
    s.wahaKills = 6;
    s.webhookSeconds = 90;
    s.webhookKills = 8;
    return s;
  }

  /** {@code --mode ci|long} first, then any field as {@code --fieldName value}. */
  public static Settings parse(String[] args) {
    Settings s = ci();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--mode")) {
        s = args[i + 1].equals("long") ? longMode() : ci();
      }
    }
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      String name = args[i].substring(2);
      String value = args[++i];
      s.set(name, value);
    }
    return s;
  }

  void set(String name, String value) {
    switch (name) {
      case "mode" -> mode = value;
      case "jar" -> jar = Path.of(value);
      case "out" -> out = Path.of(value);
      case "seed" -> seed = Long.parseLong(value);
      case "scenarios" -> {
        scenarios = new LinkedHashSet<>(List.of(value.split(",")));
        for (String sc : scenarios) {
          if (!ALL.contains(sc)) {
            throw new IllegalArgumentException("unknown scenario " + sc + "; known: " + ALL);
          }
        }
      }
      case "timeScale" -> timeScale = Double.parseDouble(value);
      case "hubXmx" -> hubXmx = value;
      case "killCycles" -> killCycles = Integer.parseInt(value);
      case "killMinMs" -> killMinMs = Integer.parseInt(value);
      case "killMaxMs" -> killMaxMs = Integer.parseInt(value);
      case "killClients" -> killClients = Integer.parseInt(value);
      case "killRate" -> killRate = Double.parseDouble(value);
      case "afterLastRestartMs" -> afterLastRestartMs = Integer.parseInt(value);
      case "drainDeadlineSeconds" -> drainDeadlineSeconds = Integer.parseInt(value);
      case "pgCycles" -> pgCycles = Integer.parseInt(value);
      case "pgUpMs" -> pgUpMs = Integer.parseInt(value);
      case "pgDownMs" -> pgDownMs = Integer.parseInt(value);
      case "pgClients" -> pgClients = Integer.parseInt(value);
      case "pgRate" -> pgRate = Double.parseDouble(value);
      case "outageMaxAnswerMs" -> outageMaxAnswerMs = Integer.parseInt(value);
      case "termCycles" -> termCycles = Integer.parseInt(value);
      case "fuzzCases" -> fuzzCases = Integer.parseInt(value);
      case "fuzzConcurrency" -> fuzzConcurrency = Integer.parseInt(value);
      case "fuzzTimeoutMs" -> fuzzTimeoutMs = Integer.parseInt(value);
      case "wahaDropRate" -> wahaDropRate = Double.parseDouble(value);
      case "wahaSeconds" -> wahaSeconds = Integer.parseInt(value);
      case "wahaKills" -> wahaKills = Integer.parseInt(value);
      case "wahaRate" -> wahaRate = Double.parseDouble(value);
      case "webhookSeconds" -> webhookSeconds = Integer.parseInt(value);
      case "webhookKills" -> webhookKills = Integer.parseInt(value);
      case "webhookRate" -> webhookRate = Double.parseDouble(value);
      default -> throw new IllegalArgumentException("unknown option --" + name);
    }
  }

  @Override
  public String toString() {
    return "mode=" + mode + " seed=" + seed + " scenarios=" + scenarios + " timeScale=" + timeScale + " killCycles=" + killCycles
        + " pgCycles=" + pgCycles + " termCycles=" + termCycles + " fuzzCases=" + fuzzCases + " jar=" + jar + " out=" + out;
  }
}
