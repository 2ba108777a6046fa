package org.wahub.hub.instance;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.wahub.hub.limit.RollingWindowLimiter;
import org.wahub.hub.limit.Window;

/**
 * Decides when and how to restart a lost session: attempt 1 is a soft restart after
 * {@code delays[0]}, attempts 2.. are hard restarts after {@code delays[n-1]} (the last delay
 * repeats), every started restart (automatic or manual) counts against
 * {@code maxRestartsPerWindow} per {@code restartWindow} (an exact sliding window, like the send
 * limiter), and after {@code maxAttempts} consecutive failed attempts without a READY in between
 * the ladder gives up. NEEDS_QR and AUTH_FAILURE stop it until a human acts.
 *
 * <h2>Protocol for the caller</h2>
 * <ol>
 * <li>Report events: {@link #onDisconnect}, {@link #onRestartFailed}, {@link #onReady},
 * {@link #onHardStop}; each failure-like event returns the next step.</li>
 * <li>For a {@link LadderDecision.RestartAt} or {@link LadderDecision.WaitUntil}, arm one timer;
 * when it fires call {@link #nextStep}. Start a restart only on a <em>due</em> {@code RestartAt}
 * and report it with {@link #onRestartStarted}. This re-check is what keeps the window safe when
 * a manual restart used it meanwhile.</li>
 * <li>Manual restarts go through {@link #manualRestart}, which records the start itself; do not
 * report them again with {@code onRestartStarted}.</li>
 * </ol>
 *
 * <h2>Attempts</h2>
 * The attempt number of a scheduled or running restart is the number of consecutive failed
 * attempts since the last READY plus one; a manual restart takes the place of the scheduled
 * attempt and does not reset the count (only READY does). A started restart that neither
 * reaches READY nor fails within its timeout ({@code softTimeout}/{@code hardTimeout}) counts as
 * failed when the ladder is next asked after the timeout; a disconnect reported while a restart
 * runs is part of that restart, not a new failure.
 *
 * <p>Not thread-safe: one ladder belongs to one instance's verticle.
 */
public final class ReconnectLadder {

  private enum Phase { IDLE, SCHEDULED, RUNNING, GAVE_UP, HARD_STOPPED }

  private final ReconnectPolicy policy;
  private final RollingWindowLimiter restarts;

  private Phase phase = Phase.IDLE;
  /** Consecutive failed attempts since the last READY. */
  private int failures;
  /** SCHEDULED: the earliest start the delay allows. */
  private Instant dueAt;
  /** SCHEDULED: the start time announced by the last decision. */
  private Instant plannedAt;
  /** RUNNING: the restart under way. */
  private RestartType runningType;
  private Instant runningSince;
  /** HARD_STOPPED: why. */
  private InstanceState hardStopReason;

  public ReconnectLadder(ReconnectPolicy policy) {
    this(policy, List.of());
  }

  private ReconnectLadder(ReconnectPolicy policy, Collection<Instant> pastRestarts) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.restarts = RollingWindowLimiter.rebuild(
        List.of(new Window("restarts", policy.restartWindow(), policy.maxRestartsPerWindow())), pastRestarts);
  }

  /**
   * A ladder after a process restart: the restarts of the recent past still count against the
   * window, so crashing the hub cannot reset the restart budget. The attempt count starts over.
   */
  public static ReconnectLadder rebuild(ReconnectPolicy policy, Collection<Instant> pastRestartTimes) {
    return new ReconnectLadder(policy, pastRestartTimes);
  }

  /** The session dropped. Starts a reconnect episode unless one is already under way. */
  public LadderDecision onDisconnect(Instant now) {
    Objects.requireNonNull(now, "now");
    if (phase == Phase.IDLE) {
      return schedule(now);
    }
    return nextStep(now);
  }

  /**
   * The running restart failed (the provider said so, or it timed out on the caller's side).
   * Counts one failed attempt and returns the next rung or {@link LadderDecision.GiveUp}.
   * Reported while a restart is merely scheduled, it is a stale report and changes nothing.
   */
  public LadderDecision onRestartFailed(Instant now) {
    Objects.requireNonNull(now, "now");
    return switch (phase) {
      case IDLE, RUNNING -> fail(now);
      case SCHEDULED, GAVE_UP, HARD_STOPPED -> nextStep(now);
    };
  }

  /**
   * A restart was started at {@code now} (the caller acted on a due {@link LadderDecision.RestartAt}).
   * It counts against the window whatever the ladder's phase: the window records what happened.
   */
  public void onRestartStarted(Instant now, RestartType type) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(type, "type");
    restarts.record(now);
    phase = Phase.RUNNING;
    runningType = type;
    runningSince = now;
    plannedAt = null;
    dueAt = null;
    hardStopReason = null;
  }

  /** The session is READY: the episode ends and the attempt count resets; the window does not. */
  public void onReady(Instant now) {
    Objects.requireNonNull(now, "now");
    phase = Phase.IDLE;
    failures = 0;
    dueAt = null;
    plannedAt = null;
    runningType = null;
    runningSince = null;
    hardStopReason = null;
  }

  /** NEEDS_QR or AUTH_FAILURE: cancel any planned restart; none happens until a human acts. */
  public LadderDecision onHardStop(InstanceState why) {
    if (why == null || !why.isHardStop()) {
      throw new IllegalArgumentException("not a hard-stop state: " + why);
    }
    phase = Phase.HARD_STOPPED;
    hardStopReason = why;
    dueAt = null;
    plannedAt = null;
    runningType = null;
    runningSince = null;
    return new LadderDecision.HardStop(why);
  }

  /** Re-evaluates the current step at {@code now}; see the class comment. */
  public LadderDecision nextStep(Instant now) {
    Objects.requireNonNull(now, "now");
    switch (phase) {
      case IDLE:
        return new LadderDecision.Idle();
      case GAVE_UP:
        return new LadderDecision.GiveUp(failures);
      case HARD_STOPPED:
        return new LadderDecision.HardStop(hardStopReason);
      case RUNNING: {
        Instant deadline = runningSince.plus(policy.timeoutOf(runningType));
        if (now.isBefore(deadline)) {
          return new LadderDecision.WaitUntil(deadline, failures + 1);
        }
        // measured from the timeout, not from when we noticed it, so delays keep their spacing
        return fail(deadline, now);
      }
      case SCHEDULED:
      default: {
        int attempt = failures + 1;
        Instant candidate = dueAt.isAfter(now) ? dueAt : now;
        Instant windowAllows = restarts.nextAllowedAt(candidate);
        plannedAt = windowAllows;
        if (windowAllows.equals(candidate)) {
          return new LadderDecision.RestartAt(candidate, policy.typeOf(attempt), attempt);
        }
        return new LadderDecision.WaitUntil(windowAllows, attempt);
      }
    }
  }

  /**
   * An operator asks for a restart. Allowed in every state, but only if the restart window has
   * room at {@code now}; then the start is recorded here (do not also call
   * {@link #onRestartStarted}) and it replaces any scheduled attempt. The attempt count is not
   * reset: a manual restart that fails is a failed attempt like any other.
   */
  public ManualRestartDecision manualRestart(Instant now, RestartType type) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(type, "type");
    Instant allowed = restarts.nextAllowedAt(now);
    if (!allowed.equals(now)) {
      return new ManualRestartDecision.Exhausted(allowed);
    }
    onRestartStarted(now, type);
    return new ManualRestartDecision.Allowed();
  }

  /**
   * The attempt the ladder is on: 0 when no episode is under way, the number of the scheduled
   * or running attempt during one, the number of failed attempts after giving up or a hard stop.
   */
  public int attempt() {
    return switch (phase) {
      case IDLE -> 0;
      case SCHEDULED, RUNNING -> failures + 1;
      case GAVE_UP, HARD_STOPPED -> failures;
    };
  }

  /** Restarts started in {@code (now - restartWindow, now]}. */
  public int restartsInWindow(Instant now) {
    return restarts.usage(now).get(0).used();
  }

  /** When the scheduled attempt is planned to start, as of the last decision; empty otherwise. */
  public Optional<Instant> nextAttemptAt() {
    return phase == Phase.SCHEDULED ? Optional.ofNullable(plannedAt) : Optional.empty();
  }

  /** Whether a started restart has not yet ended (ready, failed or timed out). */
  public boolean isRestartRunning() {
    return phase == Phase.RUNNING;
  }

  /** When the running restart counts as failed; empty when none runs. */
  public Optional<Instant> runningDeadline() {
    return phase == Phase.RUNNING
        ? Optional.of(runningSince.plus(policy.timeoutOf(runningType)))
        : Optional.empty();
  }

  public boolean hasGivenUp() {
    return phase == Phase.GAVE_UP;
  }

  public Optional<InstanceState> hardStopReason() {
    return Optional.ofNullable(hardStopReason);
  }

  public ReconnectPolicy policy() {
    return policy;
  }

  private LadderDecision fail(Instant now) {
    return fail(now, now);
  }

  private LadderDecision fail(Instant failedAt, Instant now) {
    failures++;
    runningType = null;
    runningSince = null;
    if (failures >= policy.maxAttempts()) {
      phase = Phase.GAVE_UP;
      dueAt = null;
      plannedAt = null;
      return new LadderDecision.GiveUp(failures);
    }
    return schedule(failedAt, now);
  }

  private LadderDecision schedule(Instant now) {
    return schedule(now, now);
  }

  private LadderDecision schedule(Instant from, Instant now) {
    phase = Phase.SCHEDULED;
    dueAt = from.plus(policy.delayBefore(failures + 1));
    return nextStep(now);
  }

  @Override
  public String toString() {
    return "ReconnectLadder[" + phase + ", attempt " + attempt() + "]";
  }
}
