package org.wahub.hub.instance;

import java.time.Instant;
import java.util.Objects;

/**
 * The reconnect ladder's answer: what the instance's verticle should do next about its lost
 * session. Arm at most one timer for it; when the timer fires, ask
 * {@link ReconnectLadder#nextStep} again rather than acting on the stale decision (a manual
 * restart may have used the window in between).
 */
public sealed interface LadderDecision permits LadderDecision.RestartAt, LadderDecision.WaitUntil,
    LadderDecision.GiveUp, LadderDecision.HardStop, LadderDecision.Idle {

  /**
   * Start restart {@code attempt} of {@code type} at {@code at}. When {@code at} is not after
   * the {@code now} of the call that returned it, the restart is due: start it and report
   * {@link ReconnectLadder#onRestartStarted}.
   */
  record RestartAt(Instant at, RestartType type, int attempt) implements LadderDecision {
    public RestartAt {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(type, "type");
    }

    public boolean isDue(Instant now) {
      return !at.isAfter(now);
    }
  }

  /**
   * Nothing to do before {@code until}; then call {@link ReconnectLadder#nextStep}. Returned
   * when the restart window is exhausted ({@code until} = when its oldest counted restart ages
   * out) and while a started restart still has time before its timeout ({@code until} = the
   * timeout; asked then, the ladder counts the restart as failed).
   */
  record WaitUntil(Instant until, int attempt) implements LadderDecision {
    public WaitUntil {
      Objects.requireNonNull(until, "until");
    }
  }

  /** {@code attempts} consecutive attempts failed: move the instance to FAILED. */
  record GiveUp(int attempts) implements LadderDecision {
  }

  /** NEEDS_QR or AUTH_FAILURE: a human must act; no automatic restart. */
  record HardStop(InstanceState reason) implements LadderDecision {
    public HardStop {
      if (reason == null || !reason.isHardStop()) {
        throw new IllegalArgumentException("not a hard stop: " + reason);
      }
    }
  }

  /** No reconnect episode is under way (the session is fine): nothing to do. */
  record Idle() implements LadderDecision {
  }
}
