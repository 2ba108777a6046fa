package org.wahub.hub.instance;

import java.util.Optional;

/**
 * How hard a restart hits the session. SOFT reconnects the existing session (cheap, keeps the
 * pairing); HARD tears the session down and opens a new one (slower, clears stuck clients).
 * The wire value is the lowercase name, as in {@code POST /instances/:id/restart {"type":"soft"}}.
 */
public enum RestartType {
  SOFT,
  HARD;

  public String wire() {
    return this == SOFT ? "soft" : "hard";
  }

  /** Exactly "soft" or "hard"; anything else (including other cases) is empty. */
  public static Optional<RestartType> parse(String wire) {
    if ("soft".equals(wire)) {
      return Optional.of(SOFT);
    }
    if ("hard".equals(wire)) {
      return Optional.of(HARD);
    }
    return Optional.empty();
  }
}
