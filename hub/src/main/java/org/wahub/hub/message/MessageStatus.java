package org.wahub.hub.message;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.wahub.hub.IllegalTransitionException;

/**
 * The status of one accepted message. The SQL/JSON value is the lowercase name
 * ({@code queued}, {@code in_doubt}). QUEUED and SENDING are the pending statuses: they count
 * against the queue cap and hold their chat's order; every other status is terminal for the
 * delivery loop (receipts may still move a sent message along).
 */
public enum MessageStatus {

  /**
   * Accepted and waiting; also a message waiting for a retry ({@code attempts > 0}, future
   * {@code nextAttemptAt}). In: intake, the send loop scheduling a retry or releasing a lease,
   * an operator retrying a failed or in-doubt message. Out: the send loop claims it (SENDING),
   * an operator cancels it, the loop expires it, or it fails before any attempt.
   */
  QUEUED,

  /**
   * Claimed under a lease and handed to the provider. In: the send loop's claim. Out: the
   * provider's result (SENT, FAILED, back to QUEUED for a retry), the lease sweeper after a
   * crash or timeout (IN_DOUBT, or QUEUED when the provider deduplicates by message id), or
   * EXPIRED when the claim is released after {@code expiresAt}.
   */
  SENDING,

  /**
   * The provider accepted it. In: the send loop; a late receipt for an in-doubt message. Out:
   * receipts (DELIVERED, READ) or an asynchronous provider error (FAILED).
   */
  SENT,

  /** The recipient's phone has it. In: a delivery receipt. Out: a read receipt. */
  DELIVERED,

  /** Read by the recipient. In: a read receipt. Final. */
  READ,

  /**
   * The dead-letter list: a permanent error, exhausted attempts, or an asynchronous provider
   * error after SENT. In: the send loop, receipts. Out: an operator's retry (QUEUED) or cancel.
   */
  FAILED,

  /** Withdrawn by an operator or the API before it was sent. Final. */
  CANCELLED,

  /** Not sent before its {@code expiresAt}. In: the send loop or the sweeper. Final. */
  EXPIRED,

  /**
   * The hub cannot know whether the provider sent it (crash or timeout after hand-off). In: the
   * lease sweeper and crash recovery. Out: an operator's retry (QUEUED) or cancel, or a late
   * receipt that proves it went out (SENT, DELIVERED, READ).
   */
  IN_DOUBT;

  private static final Map<MessageStatus, Set<MessageStatus>> ALLOWED = new EnumMap<>(MessageStatus.class);

  static {
    allow(QUEUED, SENDING, CANCELLED, EXPIRED, FAILED);
    allow(SENDING, SENT, QUEUED, FAILED, IN_DOUBT, EXPIRED);
    allow(SENT, DELIVERED, READ, FAILED);
    allow(DELIVERED, READ);
    allow(READ);
    allow(FAILED, QUEUED, CANCELLED);
    allow(CANCELLED);
    allow(EXPIRED);
    allow(IN_DOUBT, QUEUED, CANCELLED, SENT, DELIVERED, READ);
  }

  private static void allow(MessageStatus from, MessageStatus... to) {
    EnumSet<MessageStatus> set = EnumSet.noneOf(MessageStatus.class);
    Collections.addAll(set, to);
    ALLOWED.put(from, Collections.unmodifiableSet(set));
  }

  private final String wire = name().toLowerCase(Locale.ROOT);

  /** The SQL/JSON value: the lowercase name. */
  public String wire() {
    return wire;
  }

  /** The status for a wire value (exact lowercase), empty for anything else. */
  public static Optional<MessageStatus> parse(String wire) {
    if (wire == null) {
      return Optional.empty();
    }
    for (MessageStatus s : values()) {
      if (s.wire.equals(wire)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Everything except QUEUED and SENDING. */
  public boolean isTerminal() {
    return this != QUEUED && this != SENDING;
  }

  /** QUEUED or SENDING: counts against the queue cap and holds its chat's order. */
  public boolean isPending() {
    return !isTerminal();
  }

  public boolean canTransitionTo(MessageStatus next) {
    return next != null && ALLOWED.get(this).contains(next);
  }

  /** Returns {@code next} if the move is allowed, else throws. */
  public MessageStatus transitionTo(MessageStatus next) {
    if (!canTransitionTo(next)) {
      throw new IllegalTransitionException(this, next);
    }
    return next;
  }

  public Set<MessageStatus> allowedTransitions() {
    return ALLOWED.get(this);
  }
}
