package org.wahub.hub.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatOrderTest {

  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

  private static PendingMessage queued(String id, String chat, int orderSec, long seq) {
    return new PendingMessage(id, chat, NOW.plusSeconds(orderSec), seq, 0, null, null, null, MessageStatus.QUEUED);
  }

  private static PendingMessage retryWaiting(String id, String chat, int orderSec, long seq, Instant nextAttemptAt) {
    return new PendingMessage(id, chat, NOW.plusSeconds(orderSec), seq, 1, nextAttemptAt, null, null, MessageStatus.QUEUED);
  }

  @Test
  void picksTheOldestDueHeadAcrossChats() {
    ChatOrder.Pick pick = ChatOrder.next(List.of(
        queued("b1", "B", -5, 2), queued("a1", "A", -10, 1), queued("a2", "A", -20, 3)), NOW);
    // chat A's head is a2 (orderAt -20 s); it beats B's head b1 (-5 s)
    assertThat(pick.due()).map(PendingMessage::id).contains("a2");
    assertThat(pick.expired()).isEmpty();
    assertThat(pick.nextWakeAt()).isEmpty();
  }

  @Test
  void sequenceBreaksTiesOfOrderAt() {
    ChatOrder.Pick pick = ChatOrder.next(List.of(queued("x", "A", 0, 9), queued("y", "A", 0, 4)), NOW);
    assertThat(pick.due()).map(PendingMessage::id).contains("y");
  }

  @Test
  void aRetryWaitingHeadHoldsBackOnlyItsOwnChat() {
    Instant retryAt = NOW.plusSeconds(20);
    ChatOrder.Pick pick = ChatOrder.next(List.of(
        retryWaiting("a1", "A", -30, 1, retryAt), queued("a2", "A", -29, 2), queued("b1", "B", -1, 3)), NOW);
    assertThat(pick.due()).map(PendingMessage::id).contains("b1");
    assertThat(pick.nextWakeAt()).contains(retryAt);
  }

  @Test
  void aSendingHeadBlocksItsChatWithoutAWakeTime() {
    PendingMessage sending = queued("a1", "A", -30, 1).withStatus(MessageStatus.SENDING);
    ChatOrder.Pick pick = ChatOrder.next(List.of(sending, queued("a2", "A", -29, 2)), NOW);
    assertThat(pick.due()).isEmpty();
    assertThat(pick.nextWakeAt()).isEmpty();
    assertThat(pick.expired()).isEmpty();
  }

  @Test
  void aScheduledHeadIsNotDueBeforeItsSendAt() {
    Instant sendAt = NOW.plusSeconds(60);
    PendingMessage scheduled = new PendingMessage("a1", "A", sendAt, 1, 0, null, sendAt, null, MessageStatus.QUEUED);
    ChatOrder.Pick pick = ChatOrder.next(List.of(scheduled), NOW);
    assertThat(pick.due()).isEmpty();
    assertThat(pick.nextWakeAt()).contains(sendAt);
    assertThat(ChatOrder.next(List.of(scheduled), sendAt).due()).contains(scheduled);
  }

  @Test
  void aHeadWaitingForBothRetryAndScheduleWakesAtTheLaterOfTheTwo() {
    PendingMessage m = new PendingMessage("a1", "A", NOW, 1, 1, NOW.plusSeconds(5), NOW.plusSeconds(9), null,
        MessageStatus.QUEUED);
    assertThat(ChatOrder.next(List.of(m), NOW).nextWakeAt()).contains(NOW.plusSeconds(9));
  }

  @Test
  void anExpiredHeadIsReportedAndNoLongerHoldsItsChat() {
    PendingMessage expired = new PendingMessage("a1", "A", NOW.minusSeconds(30), 1, 2, null, null, NOW,
        MessageStatus.QUEUED);
    ChatOrder.Pick pick = ChatOrder.next(List.of(expired, queued("a2", "A", -20, 2)), NOW);
    assertThat(pick.expired()).containsExactly(expired);
    assertThat(pick.due()).map(PendingMessage::id).contains("a2");
  }

  @Test
  void aBlockedHeadThatWillExpireWakesAtItsExpiry() {
    PendingMessage m = new PendingMessage("a1", "A", NOW, 1, 1, NOW.plusSeconds(60), null, NOW.plusSeconds(10),
        MessageStatus.QUEUED);
    assertThat(ChatOrder.next(List.of(m), NOW).nextWakeAt()).contains(NOW.plusSeconds(10));
  }

  @Test
  void aSendingMessagePastItsExpiryIsInFlightNotExpired() {
    PendingMessage m = new PendingMessage("a1", "A", NOW, 1, 1, null, null, NOW.minusSeconds(1),
        MessageStatus.SENDING);
    ChatOrder.Pick pick = ChatOrder.next(List.of(m, queued("a2", "A", 1, 2)), NOW);
    assertThat(pick.expired()).isEmpty();
    assertThat(pick.due()).isEmpty();
  }

  @Test
  void terminalMessagesAreIgnored() {
    PendingMessage failed = queued("a1", "A", -30, 1).withStatus(MessageStatus.FAILED);
    PendingMessage inDoubt = queued("a0", "A", -40, 0).withStatus(MessageStatus.IN_DOUBT);
    ChatOrder.Pick pick = ChatOrder.next(List.of(failed, inDoubt, queued("a2", "A", -20, 2)), NOW);
    assertThat(pick.due()).map(PendingMessage::id).contains("a2");
  }

  @Test
  void anEmptyQueueHasNothingToDo() {
    ChatOrder.Pick pick = ChatOrder.next(List.of(), NOW);
    assertThat(pick.due()).isEmpty();
    assertThat(pick.expired()).isEmpty();
    assertThat(pick.nextWakeAt()).isEmpty();
  }
}
