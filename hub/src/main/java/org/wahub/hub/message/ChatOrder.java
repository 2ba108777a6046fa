package org.wahub.hub.message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Picks the next message an instance may send while keeping each chat FIFO.
 *
 * <p>Per chat the pending messages (QUEUED, SENDING) are ordered by {@code (orderAt, seq)}.
 * Only a chat's head is a candidate. A head that is SENDING, waits for a retry or is scheduled
 * later holds back its own chat and no other. A QUEUED head whose {@code expiresAt} has come is
 * reported as expired (the caller expires it) and the next message becomes the head; a SENDING
 * head is in flight and is never reported expired here. Messages in other statuses are ignored.
 *
 * <p>Among due heads the one with the smallest {@code (orderAt, seq)} wins (ties broken by id
 * so the answer never depends on list order). {@code nextWakeAt} is the earliest future instant
 * at which a currently blocked QUEUED head changes: it becomes due, or it expires (which
 * unblocks its chat). SENDING heads produce no wake time: their completion wakes the loop.
 */
public final class ChatOrder {

  /** The FIFO order of one chat's queue. */
  public static final Comparator<PendingMessage> QUEUE_ORDER = Comparator
      .comparing(PendingMessage::orderAt)
      .thenComparingLong(PendingMessage::seq)
      .thenComparing(PendingMessage::id);

  /**
   * @param due        the message to send now, if any
   * @param expired    QUEUED heads whose time ran out, in queue order per chat
   * @param nextWakeAt when to look again if nothing else happens
   */
  public record Pick(Optional<PendingMessage> due, List<PendingMessage> expired, Optional<Instant> nextWakeAt) {
    public Pick {
      Objects.requireNonNull(due, "due");
      expired = List.copyOf(expired);
      Objects.requireNonNull(nextWakeAt, "nextWakeAt");
    }
  }

  private ChatOrder() {
  }

  public static Pick next(List<PendingMessage> pending, Instant now) {
    Objects.requireNonNull(now, "now");
    Map<String, List<PendingMessage>> byChat = new HashMap<>();
    for (PendingMessage m : pending) {
      if (m.status().isPending()) {
        byChat.computeIfAbsent(m.chatId(), k -> new ArrayList<>()).add(m);
      }
    }
    PendingMessage best = null;
    Instant wake = null;
    List<PendingMessage> expired = new ArrayList<>();
    for (List<PendingMessage> chat : byChat.values()) {
      chat.sort(QUEUE_ORDER);
      for (PendingMessage m : chat) {
        if (m.isExpiredAt(now)) {
          expired.add(m);
          continue;
        }
        if (m.isDueAt(now)) {
          if (best == null || QUEUE_ORDER.compare(m, best) < 0) {
            best = m;
          }
        } else if (m.status() == MessageStatus.QUEUED) {
          wake = earliest(wake, changesAt(m));
        }
        break;
      }
    }
    expired.sort(QUEUE_ORDER);
    return new Pick(Optional.ofNullable(best), expired, Optional.ofNullable(wake));
  }

  /** When a blocked QUEUED head becomes due or expires, whichever comes first. */
  private static Instant changesAt(PendingMessage m) {
    Instant due = m.nextAttemptAt();
    if (m.sendAt() != null && (due == null || m.sendAt().isAfter(due))) {
      due = m.sendAt();
    }
    return earliest(due, m.expiresAt());
  }

  private static Instant earliest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.isBefore(b) ? a : b;
  }
}
