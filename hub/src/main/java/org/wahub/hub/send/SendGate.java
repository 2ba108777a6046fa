package org.wahub.hub.send;

import org.wahub.hub.breaker.CircuitBreaker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.limit.Pacer;
import org.wahub.hub.limit.RollingWindowLimiter;
import org.wahub.hub.message.ChatOrder;
import org.wahub.hub.message.PendingMessage;

/**
 * Decides when one instance may send and which message: the session state, the rolling windows,
 * the pacer, the circuit breaker and a provider's instance-wide throttle gate the instance
 * ({@link #check}); per-chat FIFO ({@link ChatOrder}) and a provider's per-recipient spacing pick
 * the message ({@link #pick}). Every attempt is reported with {@link #recordAttempt} when the
 * provider answered, every answer with {@link #onAnswer}.
 *
 * <p>Invariant (property-tested): a caller that sends only after an {@link GateDecision.Open} from
 * {@link #check} and a message from {@link #pick} never sends while the state is not READY, never
 * exceeds any window in any interval, never sends to one recipient closer than the spacing.
 *
 * <p>Not thread-safe: one gate belongs to one instance's actor.
 */
public final class SendGate {

  private final RollingWindowLimiter limiter;
  private final Pacer pacer;
  private final CircuitBreaker breaker;
  private final Duration recipientSpacing;
  private final Map<String, Instant> lastByChat = new HashMap<>();
  private Instant pausedUntil;

  public SendGate(RollingWindowLimiter limiter, Pacer pacer, CircuitBreaker breaker, Duration recipientSpacing) {
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.pacer = Objects.requireNonNull(pacer, "pacer");
    this.breaker = Objects.requireNonNull(breaker, "breaker");
    this.recipientSpacing = recipientSpacing == null ? Duration.ZERO : recipientSpacing;
  }

  /** Whether the instance may send now; the earliest reason wins in this order: state, throttle, windows, pacing, breaker. */
  public GateDecision check(Instant now, InstanceState state) {
    Objects.requireNonNull(now, "now");
    if (!state.canSend()) {
      return new GateDecision.Closed(WaitReason.STATE);
    }
    if (pausedUntil != null && pausedUntil.isAfter(now)) {
      return new GateDecision.WaitUntil(pausedUntil, WaitReason.PROVIDER_RATE_LIMIT);
    }
    Instant limitAt = limiter.nextAllowedAt(now);
    if (limitAt.isAfter(now)) {
      return new GateDecision.WaitUntil(limitAt, WaitReason.RATE_LIMIT);
    }
    Instant paceAt = pacer.nextAllowedAt(now);
    if (paceAt.isAfter(now)) {
      return new GateDecision.WaitUntil(paceAt, WaitReason.PACING);
    }
    if (breaker.state(now) == CircuitBreaker.State.OPEN) {
      // no claim, so no counted attempt, while the provider is known to fail
      return new GateDecision.WaitUntil(breaker.halfOpenAt().orElseThrow(), WaitReason.CIRCUIT_OPEN);
    }
    return new GateDecision.Open();
  }

  /**
   * Picks among the heads of the instance's chats. A chat whose recipient was attempted less than
   * the spacing ago is not due before the spacing has passed (its head waits like a scheduled one).
   */
  public ChatOrder.Pick pick(List<PendingMessage> heads, Instant now) {
    if (recipientSpacing.isZero() || lastByChat.isEmpty()) {
      return ChatOrder.next(heads, now);
    }
    List<PendingMessage> spaced = new ArrayList<>(heads.size());
    for (PendingMessage m : heads) {
      Instant last = lastByChat.get(m.chatId());
      Instant allowed = last == null ? null : last.plus(recipientSpacing);
      if (allowed != null && allowed.isAfter(now)
          && (m.nextAttemptAt() == null || m.nextAttemptAt().isBefore(allowed))) {
        m = new PendingMessage(m.id(), m.chatId(), m.orderAt(), m.seq(), m.attempts(), allowed, m.sendAt(),
            m.expiresAt(), m.status());
      }
      spaced.add(m);
    }
    return ChatOrder.next(spaced, now);
  }

  /**
   * An attempt was made at {@code at} (stamped when the provider answered: never earlier than
   * WhatsApp saw it, so the windows hold on the phone's side too).
   */
  public void recordAttempt(Instant at, String chatId) {
    limiter.record(at);
    pacer.recordSend(at);
    if (!recipientSpacing.isZero() && chatId != null) {
      lastByChat.put(chatId, at);
      Instant horizon = at.minus(recipientSpacing);
      for (Iterator<Instant> it = lastByChat.values().iterator(); it.hasNext(); ) {
        if (!it.next().isAfter(horizon)) {
          it.remove(); // bounded by the chats attempted within one spacing
        }
      }
    }
  }

  /** Feeds the breaker and an instance-wide throttle from what the attempt resolver concluded. */
  public void onAnswer(Resolved resolved, Instant now) {
    if (resolved.providerFault()) {
      breaker.onFailure(now);
    } else if (resolved.providerAnswered()) {
      breaker.onSuccess();
    }
    resolved.pauseUntil().ifPresent(until -> {
      if (pausedUntil == null || until.isAfter(pausedUntil)) {
        pausedUntil = until;
      }
    });
  }

  /** The earliest time the windows and the pacer allow the next send (the status's nextAllowedSendAt). */
  public Instant nextAllowedSendAt(Instant now) {
    Instant a = limiter.nextAllowedAt(now);
    Instant b = pacer.nextAllowedAt(now);
    Instant next = a.isAfter(b) ? a : b;
    if (pausedUntil != null && pausedUntil.isAfter(next)) {
      next = pausedUntil;
    }
    return next;
  }

  public RollingWindowLimiter limiter() {
    return limiter;
  }

  public CircuitBreaker.State breakerState(Instant now) {
    return breaker.state(now);
  }

  public Optional<Instant> pausedUntil(Instant now) {
    return pausedUntil != null && pausedUntil.isAfter(now) ? Optional.of(pausedUntil) : Optional.empty();
  }
}
