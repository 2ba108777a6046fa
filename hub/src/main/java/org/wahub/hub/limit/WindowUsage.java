package org.wahub.hub.limit;

import java.time.Duration;

/**
 * How many attempts one window currently counts, for the status endpoint and metrics.
 * {@code used} may exceed {@code limit} right after a limit was lowered.
 */
public record WindowUsage(String name, Duration length, int used, int limit) {

  /** True when one more attempt now would exceed this window. */
  public boolean isFull() {
    return used >= limit;
  }
}
