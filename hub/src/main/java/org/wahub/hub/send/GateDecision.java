package org.wahub.hub.send;

import java.time.Instant;
import java.util.Objects;

/** The send gate's answer for the instance as a whole. */
public sealed interface GateDecision permits GateDecision.Open, GateDecision.WaitUntil, GateDecision.Closed {

  /** The instance may send one message now. */
  record Open() implements GateDecision {
  }

  /** Not before {@code until}, because of {@code reason}: arm one timer for it. */
  record WaitUntil(Instant until, WaitReason reason) implements GateDecision {
    public WaitUntil {
      Objects.requireNonNull(until, "until");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Not until something happens (the session becomes READY): no timer. */
  record Closed(WaitReason reason) implements GateDecision {
    public Closed {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
