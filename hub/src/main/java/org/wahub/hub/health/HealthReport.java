package org.wahub.hub.health;

import java.util.List;
import java.util.Objects;

/** The overall status (the worst of the checks) and every check, in a fixed order. */
public record HealthReport(HealthStatus status, List<HealthCheck> checks) {

  public HealthReport {
    Objects.requireNonNull(status, "status");
    checks = List.copyOf(checks);
  }

  public HealthCheck check(String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no check " + name));
  }
}
