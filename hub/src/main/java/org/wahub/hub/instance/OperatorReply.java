package org.wahub.hub.instance;

import java.time.Instant;
import java.util.Objects;

/** The instance's answer to an operator's command (restart, stop, start). HTTP codes live in the routes. */
public sealed interface OperatorReply {

  /** Done at once; the instance is now in {@code state}. */
  record Done(InstanceState state) implements OperatorReply {
  }

  /** Accepted and running in the background (a restart, a start). */
  record Accepted(InstanceState state) implements OperatorReply {
  }

  /** Refused, and why; {@code retryAt} is set when waiting helps. */
  record Refused(Refusal refusal, String detail, Instant retryAt) implements OperatorReply {
    public Refused {
      Objects.requireNonNull(refusal, "refusal");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** The reasons an operator command is refused. */
  enum Refusal {
    INSTANCE_STOPPED("instance_stopped"),
    RESTART_IN_PROGRESS("restart_in_progress"),
    RESTART_WINDOW_EXHAUSTED("restart_window_exhausted"),
    INSTANCE_NOT_STOPPED("instance_not_stopped");

    private final String code;

    Refusal(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }
}
