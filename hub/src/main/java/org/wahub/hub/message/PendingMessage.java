package org.wahub.hub.message;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link ChatOrder} needs to know about one queued or sending message.
 *
 * @param orderAt       the per-chat FIFO key: {@code sendAt} if set, else the accept time
 * @param seq           the accept sequence, breaking ties of {@code orderAt}
 * @param nextAttemptAt nullable; a retry is not due before it
 * @param sendAt        nullable; not due before it
 * @param expiresAt     nullable; at or after it the message must be expired instead of sent
 */
public record PendingMessage(String id, String chatId, Instant orderAt, long seq, int attempts,
    Instant nextAttemptAt, Instant sendAt, Instant expiresAt, MessageStatus status) {

  public PendingMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(chatId, "chatId");
    Objects.requireNonNull(orderAt, "orderAt");
    Objects.requireNonNull(status, "status");
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must be >= 0, was " + attempts);
    }
  }

  /** A QUEUED message that is neither waiting for a retry nor scheduled later than {@code now}. */
  public boolean isDueAt(Instant now) {
    return status == MessageStatus.QUEUED
        && (nextAttemptAt == null || !nextAttemptAt.isAfter(now))
        && (sendAt == null || !sendAt.isAfter(now));
  }

  /** A QUEUED message whose {@code expiresAt} has come. A SENDING one is in flight: never. */
  public boolean isExpiredAt(Instant now) {
    return status == MessageStatus.QUEUED && expiresAt != null && !expiresAt.isAfter(now);
  }

  public PendingMessage withStatus(MessageStatus newStatus) {
    return new PendingMessage(id, chatId, orderAt, seq, attempts, nextAttemptAt, sendAt, expiresAt, newStatus);
  }
}
