package org.wahub.hub.send;

/** Why an instance is not sending right now: what the status endpoint shows as {@code waitingFor}. */
public enum WaitReason {
  /** The session is not READY. */
  STATE("state"),
  /** A rolling window is full. */
  RATE_LIMIT("rate_limit"),
  /** The pacer's gap since the last send has not passed. */
  PACING("pacing"),
  /** The provider faulted repeatedly; waiting for the half-open trial. */
  CIRCUIT_OPEN("circuit_open"),
  /** The provider throttled the whole instance and said until when. */
  PROVIDER_RATE_LIMIT("provider_rate_limit"),
  /** Messages exist but none is due yet (scheduled, retry backoff, recipient spacing). */
  NEXT_DUE("next_due"),
  /** Nothing is pending. */
  NOTHING("nothing"),
  /** A send is with the provider. */
  SEND_IN_FLIGHT("send_in_flight"),
  /** The database did not answer; trying again shortly. */
  DATABASE("database");

  private final String wire;

  WaitReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
