package org.wahub.hub.health;

import java.util.Objects;

/**
 * One check behind the overall status: its value, the threshold it is compared with, its own
 * status and, when it is not healthy, a sentence for the operator saying what is wrong.
 */
public record HealthCheck(String name, long value, long threshold, HealthStatus status, String message) {

  public HealthCheck {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
  }
}
