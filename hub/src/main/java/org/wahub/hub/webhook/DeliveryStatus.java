package org.wahub.hub.webhook;

import java.util.Locale;
import java.util.Optional;

/**
 * The status of one delivery of one event to one endpoint. The SQL/JSON value is the lowercase
 * name. PENDING and SENDING are open; the others are ended (retention may prune them).
 */
public enum DeliveryStatus {

  /**
   * Waiting for its first attempt or a retry ({@code attempts > 0}, future {@code nextAttemptAt}).
   * It is claimed only when due, when its endpoint's breaker lets it, and when no earlier event of
   * the same message is still open for that endpoint. In: the fan-out, a failed attempt with
   * attempts left, a lease that ran out (crash), a shutdown releasing it, a replay. Out: a claim
   * (SENDING), the endpoint being disabled (CANCELLED).
   */
  PENDING,

  /**
   * Claimed under a lease; the request is on its way. In: the claim. Out: the endpoint's answer
   * (SUCCEEDED, PENDING for a retry, FAILED when exhausted, CANCELLED on 410), or back to PENDING
   * when the lease runs out or the hub stops.
   */
  SENDING,

  /** The endpoint answered 2xx. In: the completion. Out: a replay (PENDING). */
  SUCCEEDED,

  /** Every attempt failed (exhausted): the list of failed deliveries. Out: a replay (PENDING). */
  FAILED,

  /**
   * Never delivered because its endpoint was disabled (410 Gone, or by its owner) while it waited.
   * Out: a replay (PENDING) once the endpoint is enabled again.
   */
  CANCELLED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isOpen() {
    return this == PENDING || this == SENDING;
  }

  /** A replay moves an ended delivery back to PENDING. */
  public boolean isReplayable() {
    return !isOpen();
  }

  public static Optional<DeliveryStatus> parse(String wire) {
    if (wire == null) {
      return Optional.empty();
    }
    for (DeliveryStatus s : values()) {
      if (s.wire().equals(wire)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
