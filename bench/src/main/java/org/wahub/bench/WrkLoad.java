package org.wahub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The closed loop driven by {@code wrk} (C, epoll, a Lua script per request) instead of a JVM
 * client: on a 2-core box the load generator shares the CPU with the hub and PostgreSQL, and wrk
 * needs about a third of the CPU per request that a Vert.x client does, so more of the machine
 * measures the hub. Every request carries its own Idempotency-Key and a different recipient; the
 * script counts answers by status, and its CPU (user + system, exact, from the wrapping shell's
 * reaped-children counters) is reported with the result.
 */
final class WrkLoad {

  record Result(long accepted, long other, long errors, double seconds, double cpuSeconds, String latencyLine) {
  }

  /** Both scripts end by summing the threads' counters into one line the bench parses. */
  private static final String DONE = """
      function done(summary, latency, requests)
        local a, o = 0, 0
        for _, t in ipairs(threads) do a = a + t:get("accepted"); o = o + t:get("other") end
        io.write(string.format("WRK accepted=%d other=%d errors=%d seconds=%f\\n", a, o,
          summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
          summary.duration / 1e6))
      end
      """;

  private static final String SCRIPT = """
      -- one key and one recipient per request; counts answers by status across threads
      -- (the script also runs in each thread's own Lua state: a top-level local named like the
      -- thread's id would shadow the value setup() gives it, and every thread would send the same keys)
      local threads = {}
      function setup(thread)
        thread:set("thread_id", #threads)
        table.insert(threads, thread)
      end
      function init(args)
        token, tag, instances = args[1], args[2], tonumber(args[3])
        n, accepted, other = 0, 0, 0
        auth = "Bearer " .. token
      end
      function request()
        n = n + 1
        local to = string.format("+49151%08d", (thread_id * 7919 + n * 104729) % 100000000)
        return wrk.format("POST", "/instances/bench-" .. (n % instances) .. "/messages",
          {["Authorization"] = auth, ["Content-Type"] = "application/json",
           ["Idempotency-Key"] = tag .. ":" .. thread_id .. ":" .. n},
          '{"to":"' .. to .. '","text":"Order ' .. n .. ' confirmed, thank you"}')
      end
      function response(status, headers, body)
        if status == 202 then accepted = accepted + 1 else other = other + 1 end
      end
      """ + DONE;

  private static final String LIVENESS_SCRIPT = """
      local threads = {}
      function setup(thread)
        table.insert(threads, thread)
      end
      function init(args)
        accepted, other = 0, 0
      end
      function request()
        return wrk.format("GET", "/health/live")
      end
      function response(status, headers, body)
        if status == 200 then accepted = accepted + 1 else other = other + 1 end
      end
      """ + DONE;
  private static final Pattern RESULT = Pattern.compile(
      "WRK accepted=(\\d+) other=(\\d+) errors=(\\d+) seconds=([0-9.]+)");
  private static final Pattern CPU = Pattern.compile("WRK_CPU_TICKS (\\d+) (\\d+)");

  private WrkLoad() {
  }

  /** wrk's path, if it is installed. */
  static Optional<String> find() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir, "wrk");
      if (Files.isExecutable(p)) {
        return Optional.of(p.toString());
      }
    }
    return Optional.empty();
  }

  static Result run(String wrk, int port, String token, String tag, int instances, int clients, int seconds)
      throws Exception {
    return exec(wrk, port, SCRIPT, clients, seconds, token, tag, Integer.toString(instances));
  }

  /**
   * The HTTP floor: the same connections and threads asking {@code GET /health/live}, which the hub
   * answers without touching the database. What the hub and wrk spend per request here is spent by
   * every request before the intake does any work of its own.
   */
  static Result liveness(String wrk, int port, int clients, int seconds) throws Exception {
    return exec(wrk, port, LIVENESS_SCRIPT, clients, seconds);
  }

  private static Result exec(String wrk, int port, String lua, int clients, int seconds, String... args)
      throws Exception {
    Path script = Files.createTempFile("wahub-intake", ".lua");
    try {
      Files.writeString(script, lua);
      List<String> cmd = new ArrayList<>(List.of("bash", "-c",
          // the shell's cutime/cstime (fields 16, 17) are exactly wrk's CPU once it is reaped
          "\"$@\"; st=$?; echo \"WRK_CPU_TICKS $(cut -d' ' -f16,17 /proc/$$/stat)\"; exit $st", "wrk",
          wrk, "-t", "2", "-c", Integer.toString(clients), "-d", seconds + "s", "--timeout", "30s",
          "-s", script.toString(), "http://127.0.0.1:" + port, "--"));
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("wrk failed:\n" + out);
      }
      Matcher r = RESULT.matcher(out);
      Matcher c = CPU.matcher(out);
      if (!r.find() || !c.find()) {
        throw new IllegalStateException("wrk output not understood:\n" + out);
      }
      String latency = out.lines().filter(l -> l.strip().startsWith("Latency")).findFirst().orElse("").strip();
      return new Result(Long.parseLong(r.group(1)), Long.parseLong(r.group(2)), Long.parseLong(r.group(3)),
          Double.parseDouble(r.group(4)), (Long.parseLong(c.group(1)) + Long.parseLong(c.group(2))) / 100.0, latency);
    } finally {
      Files.deleteIfExists(script);
    }
  }
}
