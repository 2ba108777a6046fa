package org.wahub.hub.health;

import java.util.Locale;

/**
 * Overall and per-check status, in order of severity: a later constant is always worse. The
 * wire value is the lower-case name ({@code "healthy"}, …).
 */
public enum HealthStatus {
  /** Nothing above its threshold. */
  HEALTHY,
  /** Working, but slower or less available than it should be; it usually recovers by itself. */
  DEGRADED,
  /** Something needs an operator (dead letters, an instance waiting for a QR scan, a failing webhook). */
  WARNING,
  /** Delivery is stuck or impossible: act now. */
  CRITICAL;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The more severe of the two. */
  public HealthStatus worst(HealthStatus other) {
    return other.compareTo(this) > 0 ? other : this;
  }
}
