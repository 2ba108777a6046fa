package org.wahub.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of processes from /proc (Linux): user + system, including reaped children (so
 * PostgreSQL backends that already exited are counted through the postmaster).
 */
public final class CpuClock {

  private static final double TICKS_PER_SECOND = 100.0; // CLK_TCK on Linux x86-64

  private CpuClock() {
  }

  /** Seconds of CPU used by {@code pid} and its reaped children, or 0 if it is gone. */
  public static double seconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
      return ticks / TICKS_PER_SECOND;
    } catch (Exception e) {
      return 0;
    }
  }

  /** A process tree's CPU: the root (with reaped children) plus its live descendants. */
  public static double treeSeconds(long pid) {
    double total = seconds(pid);
    total += ProcessHandle.of(pid).map(h -> h.descendants().mapToDouble(d -> seconds(d.pid())).sum()).orElse(0.0);
    return total;
  }

  /** This JVM's own CPU time. */
  public static double selfSeconds() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() / 1e9;
  }
}
