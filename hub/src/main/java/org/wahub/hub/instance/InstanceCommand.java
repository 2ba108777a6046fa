package org.wahub.hub.instance;

import java.time.Instant;
import java.util.Objects;

/**
 * What the {@link InstanceMachine} asks its glue to carry out, in list order. The glue executes
 * commands and reports what happened back as inputs; it decides nothing itself.
 */
public sealed interface InstanceCommand {

  /**
   * The state changed: persist it with its audit row and emit the domain event. {@code kind} is
   * the audit kind ({@code state}, {@code disconnected}); {@code reason} may be null.
   */
  record ChangeState(InstanceState from, InstanceState to, Instant at, String reason, String kind)
      implements InstanceCommand {
    public ChangeState {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(kind, "kind");
    }
  }

  /** A provider report or request that the state machine does not allow: log it, change nothing. */
  record Ignored(InstanceState from, InstanceState to, String why) implements InstanceCommand {
  }

  /** Arm the one ladder timer for {@code at} (replacing an armed one); fire {@link InstanceMachine#onLadderTimer}. */
  record ArmLadderTimer(Instant at) implements InstanceCommand {
    public ArmLadderTimer {
      Objects.requireNonNull(at, "at");
    }
  }

  /** Cancel the ladder timer, if armed. */
  record CancelLadderTimer() implements InstanceCommand {
  }

  /** Open the provider session; report failure with {@link InstanceMachine#onSessionStartFailed}. */
  record StartSession() implements InstanceCommand {
  }

  /** Close the provider session. */
  record StopSession() implements InstanceCommand {
  }

  /**
   * Restart the session; report the outcome with {@link InstanceMachine#onRestartFinished} and
   * this {@code episode} (a restart that timed out or was superseded reports a stale episode).
   * The start is recorded durably ({@code instance_events} kind {@code restart}) so the restart
   * window survives a crash.
   */
  record RestartSession(RestartType type, int episode, boolean manual, Instant at) implements InstanceCommand {
    public RestartSession {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(at, "at");
    }
  }

  /** Persist what the operator wants the instance to be after a hub restart. */
  record SetDesired(boolean running) implements InstanceCommand {
  }

  /** Look at the queue again (the state may now allow sending). */
  record WakeSendLoop() implements InstanceCommand {
  }
}
