package org.wahub.hub.instance;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.wahub.hub.IllegalTransitionException;

/**
 * The state of one instance. The wire value (JSON, SQL) is the constant's name, e.g.
 * {@code "READY"}. Self-transitions are not transitions: re-reporting the current state is
 * the caller's no-op, not a move.
 */
public enum InstanceState {

  /**
   * A provider session is being opened. In: the supervisor deploys the instance, an operator
   * starts a stopped one, or an operator restarts one that needs a fresh session. Out: the
   * provider reports READY, NEEDS_QR, AUTH_FAILURE or a disconnect; FAILED when the start
   * itself fails for good; STOPPED by an operator.
   */
  STARTING,

  /**
   * The session must be paired by scanning a QR code. A hard stop: no sends, no automatic
   * restart, the QR is served at {@code GET /instances/:id/qr}. In: the provider. Out: READY
   * when the phone scans, an operator's restart or start, AUTH_FAILURE from the provider,
   * STOPPED by an operator.
   */
  NEEDS_QR,

  /**
   * Connected and authenticated; the only state in which the send loop runs. In: the provider.
   * Out: the provider (DISCONNECTED, NEEDS_QR, AUTH_FAILURE), an operator (RESTARTING, STOPPED).
   */
  READY,

  /**
   * The session dropped. In: the provider. Out: the reconnect ladder starts a restart
   * (RESTARTING) or gives up (FAILED); the session may also recover by itself (READY) or the
   * provider reports NEEDS_QR/AUTH_FAILURE; STOPPED by an operator.
   */
  DISCONNECTED,

  /**
   * A soft or hard restart runs. In: the reconnect ladder or an operator. Out: the provider
   * (READY, NEEDS_QR, AUTH_FAILURE), the ladder when the restart failed or timed out
   * (DISCONNECTED, then the next rung) or when it gives up (FAILED); STOPPED by an operator.
   */
  RESTARTING,

  /**
   * The provider rejected the credentials. A hard stop like NEEDS_QR. In: the provider. Out:
   * only an operator (restart, start, stop).
   */
  AUTH_FAILURE,

  /**
   * The reconnect ladder is exhausted; manual action is needed. In: the ladder (or a start that
   * failed for good). Out: only an operator (restart, start, stop).
   */
  FAILED,

  /** Paused by an operator: no session, no sends. In: an operator. Out: an operator's start. */
  STOPPED;

  private static final Map<InstanceState, Set<InstanceState>> ALLOWED = new EnumMap<>(InstanceState.class);

  static {
    allow(STARTING, READY, NEEDS_QR, AUTH_FAILURE, DISCONNECTED, FAILED, STOPPED);
    allow(NEEDS_QR, READY, STARTING, RESTARTING, AUTH_FAILURE, STOPPED);
    allow(READY, DISCONNECTED, NEEDS_QR, AUTH_FAILURE, RESTARTING, STOPPED);
    allow(DISCONNECTED, RESTARTING, READY, NEEDS_QR, AUTH_FAILURE, FAILED, STOPPED);
    allow(RESTARTING, READY, DISCONNECTED, NEEDS_QR, AUTH_FAILURE, FAILED, STOPPED);
    allow(AUTH_FAILURE, RESTARTING, STARTING, STOPPED);
    allow(FAILED, RESTARTING, STARTING, STOPPED);
    allow(STOPPED, STARTING);
  }

  private static void allow(InstanceState from, InstanceState first, InstanceState... rest) {
    ALLOWED.put(from, Collections.unmodifiableSet(EnumSet.of(first, rest)));
  }

  public boolean canTransitionTo(InstanceState next) {
    return next != null && ALLOWED.get(this).contains(next);
  }

  /** Returns {@code next} if the move is allowed, else throws. */
  public InstanceState transitionTo(InstanceState next) {
    if (!canTransitionTo(next)) {
      throw new IllegalTransitionException(this, next);
    }
    return next;
  }

  /** The states this one may move to. */
  public Set<InstanceState> allowedTransitions() {
    return ALLOWED.get(this);
  }

  /** Only a READY instance sends. */
  public boolean canSend() {
    return this == READY;
  }

  /** NEEDS_QR and AUTH_FAILURE need a human: no sends and no automatic restarts. */
  public boolean isHardStop() {
    return this == NEEDS_QR || this == AUTH_FAILURE;
  }

  /** The JSON/SQL value: the constant's name. */
  public String wire() {
    return name();
  }

  /** The state for a wire value (exact, case-sensitive), empty for anything else. */
  public static Optional<InstanceState> parse(String wire) {
    if (wire == null) {
      return Optional.empty();
    }
    for (InstanceState s : values()) {
      if (s.name().equals(wire)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
