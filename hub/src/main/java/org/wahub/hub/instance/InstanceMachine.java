package org.wahub.hub.instance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The life of one instance's session as a pure state machine: provider reports, ladder timers,
 * restart outcomes and operator commands go in; {@link InstanceCommand}s for the glue come out.
 * It owns the {@link InstanceState}, the {@link ReconnectLadder} and the restart episode (which
 * restart a late outcome belongs to).
 *
 * <p>Rules (DESIGN §5): a lost session climbs the ladder (soft, then hard restarts with growing
 * delays, at most so many per window, FAILED after too many failures); NEEDS_QR and AUTH_FAILURE
 * are hard stops — no automatic restart until the session recovers or a human acts; an operator's
 * stop wins over everything the session says until the operator starts it again; a session that
 * fails to start enters the ladder like a lost one.
 *
 * <p>Not thread-safe: one machine belongs to one instance's actor.
 */
public final class InstanceMachine {

  private final String id;
  private final ReconnectLadder ladder;
  private InstanceState state = InstanceState.STARTING;
  private Instant stateSince;
  private String lastError;
  private boolean restartRunning;
  private int episode;

  public InstanceMachine(String id, ReconnectPolicy policy, Collection<Instant> pastRestarts, Instant now) {
    this.id = Objects.requireNonNull(id, "id");
    this.ladder = ReconnectLadder.rebuild(policy, pastRestarts);
    this.stateSince = Objects.requireNonNull(now, "now");
  }

  /** A step that also answers an operator. */
  public record Step(OperatorReply reply, List<InstanceCommand> commands) {
    public Step {
      Objects.requireNonNull(reply, "reply");
      commands = List.copyOf(commands);
    }
  }

  // ------------------------------------------------------------------ inputs

  /** The actor started: open the session, or stay stopped if an operator stopped it before. */
  public List<InstanceCommand> boot(Instant now, boolean desiredRunning) {
    List<InstanceCommand> out = new ArrayList<>();
    if (!desiredRunning) {
      moveTo(InstanceState.STOPPED, "stopped by an operator", "state", now, out);
    } else {
      out.add(new InstanceCommand.StartSession());
    }
    return out;
  }

  /** The provider reports a state of its own (paired, dropped, logged out, QR needed …). */
  public List<InstanceCommand> onProviderState(Instant now, InstanceState next, String reason) {
    List<InstanceCommand> out = new ArrayList<>();
    if (next == null || next == state || state == InstanceState.STOPPED) {
      return out; // an operator stopped it: the session's chatter restarts nothing
    }
    if (!state.canTransitionTo(next)) {
      // e.g. READY reported while FAILED: only an operator leaves FAILED, and the ladder must not
      // be reset (or started) by a report the state machine refuses
      out.add(new InstanceCommand.Ignored(state, next, reason));
      return out;
    }
    switch (next) {
      case READY -> {
        endRestart();
        moveTo(InstanceState.READY, null, "state", now, out);
        ladder.onReady(now);
        out.add(new InstanceCommand.CancelLadderTimer());
      }
      case DISCONNECTED -> {
        if (restartRunning) {
          return out; // part of the restart under way, which reports its own outcome
        }
        moveTo(InstanceState.DISCONNECTED, reason, "disconnected", now, out);
        follow(ladder.onDisconnect(now), now, out);
      }
      case NEEDS_QR, AUTH_FAILURE -> {
        endRestart();
        moveTo(next, reason, "state", now, out);
        out.add(new InstanceCommand.CancelLadderTimer());
        ladder.onHardStop(next);
      }
      default -> moveTo(next, reason, "state", now, out);
    }
    return out;
  }

  /** The provider refused the account during a send: the same as the session reporting AUTH_FAILURE. */
  public List<InstanceCommand> onAccountProblem(Instant now, String reason) {
    return onProviderState(now, InstanceState.AUTH_FAILURE, reason);
  }

  /** Opening the session failed: treat it as a lost session, so the ladder (not a redeploy loop) retries. */
  public List<InstanceCommand> onSessionStartFailed(Instant now, String reason) {
    List<InstanceCommand> out = new ArrayList<>();
    if (state == InstanceState.STOPPED || restartRunning || state.isHardStop() || state == InstanceState.FAILED) {
      return out;
    }
    moveTo(InstanceState.DISCONNECTED, "session start failed: " + reason, "disconnected", now, out);
    follow(ladder.onDisconnect(now), now, out);
    return out;
  }

  /** The ladder timer fired: a planned restart is due, a window wait ended, or a restart timed out. */
  public List<InstanceCommand> onLadderTimer(Instant now) {
    List<InstanceCommand> out = new ArrayList<>();
    if (state == InstanceState.STOPPED) {
      return out;
    }
    LadderDecision step = ladder.nextStep(now);
    if (restartRunning) {
      if (step instanceof LadderDecision.WaitUntil wait) {
        out.add(new InstanceCommand.ArmLadderTimer(wait.until()));
        return out;
      }
      // past its timeout the ladder has counted the running restart as failed
      endRestart();
      moveTo(InstanceState.DISCONNECTED, "restart timed out", "state", now, out);
      follow(step, now, out);
      return out;
    }
    if (step instanceof LadderDecision.RestartAt due && due.isDue(now)) {
      ladder.onRestartStarted(now, due.type());
      runRestart(due.type(), false, now, out);
      return out;
    }
    follow(step, now, out);
    return out;
  }

  /** A restart ended; {@code episode} says which (a stale one changes nothing). */
  public List<InstanceCommand> onRestartFinished(Instant now, int episode, boolean succeeded, String reason) {
    List<InstanceCommand> out = new ArrayList<>();
    if (!restartRunning || episode != this.episode) {
      return out; // timed out meanwhile, or superseded
    }
    if (succeeded) {
      return onProviderState(now, InstanceState.READY, null);
    }
    endRestart();
    if (state.isHardStop() || state == InstanceState.STOPPED) {
      return out;
    }
    moveTo(InstanceState.DISCONNECTED, "restart failed: " + reason, "state", now, out);
    follow(ladder.onRestartFailed(now), now, out);
    return out;
  }

  /** An operator asks for a restart. */
  public Step manualRestart(Instant now, RestartType type) {
    Objects.requireNonNull(type, "type");
    List<InstanceCommand> out = new ArrayList<>();
    if (state == InstanceState.STOPPED) {
      return refuse(OperatorReply.Refusal.INSTANCE_STOPPED,
          "the instance is stopped; POST /instances/" + id + "/start first", null);
    }
    if (restartRunning) {
      return refuse(OperatorReply.Refusal.RESTART_IN_PROGRESS, "a restart is already running", null);
    }
    if (ladder.manualRestart(now, type) instanceof ManualRestartDecision.Exhausted exhausted) {
      return refuse(OperatorReply.Refusal.RESTART_WINDOW_EXHAUSTED, "at most "
          + ladder.policy().maxRestartsPerWindow() + " restarts per window; the next is allowed at "
          + exhausted.retryAt(), exhausted.retryAt());
    }
    runRestart(type, true, now, out);
    return new Step(new OperatorReply.Accepted(state), out);
  }

  /** An operator pauses the instance: no session, no sends, until started again (also after a hub restart). */
  public Step operatorStop(Instant now) {
    List<InstanceCommand> out = new ArrayList<>();
    if (state == InstanceState.STOPPED) {
      return new Step(new OperatorReply.Done(state), out);
    }
    out.add(new InstanceCommand.CancelLadderTimer());
    endRestart();
    moveTo(InstanceState.STOPPED, "stopped by an operator", "state", now, out);
    out.add(new InstanceCommand.SetDesired(false));
    out.add(new InstanceCommand.StopSession());
    return new Step(new OperatorReply.Done(state), out);
  }

  /** An operator starts a stopped instance. */
  public Step operatorStart(Instant now) {
    List<InstanceCommand> out = new ArrayList<>();
    if (state != InstanceState.STOPPED) {
      return refuse(OperatorReply.Refusal.INSTANCE_NOT_STOPPED, "the instance is " + state + "; use restart instead", null);
    }
    moveTo(InstanceState.STARTING, "started by an operator", "state", now, out);
    out.add(new InstanceCommand.SetDesired(true));
    out.add(new InstanceCommand.StartSession());
    return new Step(new OperatorReply.Accepted(state), out);
  }

  // ------------------------------------------------------------------ views

  public InstanceState state() {
    return state;
  }

  public Instant stateSince() {
    return stateSince;
  }

  public String lastError() {
    return lastError;
  }

  /** Remembers the last send error for the status view (it does not change the state). */
  public void noteError(String error) {
    lastError = error;
  }

  public boolean restartRunning() {
    return restartRunning;
  }

  public ReconnectLadder ladder() {
    return ladder;
  }

  // ------------------------------------------------------------------ internals

  private Step refuse(OperatorReply.Refusal refusal, String detail, Instant retryAt) {
    return new Step(new OperatorReply.Refused(refusal, detail, retryAt), List.of());
  }

  private void endRestart() {
    if (restartRunning) {
      restartRunning = false;
      episode++; // a late outcome of the restart is stale from now on
    }
  }

  private void runRestart(RestartType type, boolean manual, Instant now, List<InstanceCommand> out) {
    restartRunning = true;
    episode++;
    String how = (manual ? "manual " : "automatic ") + type.wire() + " restart";
    moveTo(InstanceState.RESTARTING, how, "state", now, out);
    out.add(new InstanceCommand.RestartSession(type, episode, manual, now));
    out.add(new InstanceCommand.ArmLadderTimer(now.plus(ladder.policy().timeoutOf(type))));
  }

  private void follow(LadderDecision decision, Instant now, List<InstanceCommand> out) {
    if (decision instanceof LadderDecision.RestartAt at) {
      out.add(new InstanceCommand.ArmLadderTimer(at.at()));
    } else if (decision instanceof LadderDecision.WaitUntil wait) {
      out.add(new InstanceCommand.ArmLadderTimer(wait.until()));
    } else {
      out.add(new InstanceCommand.CancelLadderTimer());
      if (decision instanceof LadderDecision.GiveUp giveUp) {
        moveTo(InstanceState.FAILED, "reconnect ladder exhausted after " + giveUp.attempts()
            + " failed attempts; restart it by hand (POST /instances/" + id + "/restart)", "state", now, out);
      }
    }
  }

  private void moveTo(InstanceState next, String reason, String kind, Instant now, List<InstanceCommand> out) {
    if (next == state) {
      return;
    }
    if (!state.canTransitionTo(next)) {
      out.add(new InstanceCommand.Ignored(state, next, reason));
      return;
    }
    InstanceState previous = state;
    state = next;
    stateSince = now;
    if (reason != null) {
      lastError = reason;
    }
    out.add(new InstanceCommand.ChangeState(previous, next, now, reason, kind));
    out.add(new InstanceCommand.WakeSendLoop());
  }
}
