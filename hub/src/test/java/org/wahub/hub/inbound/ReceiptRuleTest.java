package org.wahub.hub.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.wahub.hub.message.MessageStatus;

class ReceiptRuleTest {

  @Test
  void readNeverGoesBackToDelivered() {
    assertThat(ReceiptRule.decide(MessageStatus.READ, ReceiptStatus.DELIVERED)).isInstanceOf(ReceiptRule.Late.class);
  }

  @Test
  void readAfterSentSkipsDelivered() {
    assertThat(ReceiptRule.decide(MessageStatus.SENT, ReceiptStatus.READ))
        .isEqualTo(new ReceiptRule.Apply(MessageStatus.SENT, MessageStatus.READ));
  }

  @Test
  void aLateFailureAfterDeliveryIsRecordedNotApplied() {
    ReceiptRule.Decision d = ReceiptRule.decide(MessageStatus.DELIVERED, ReceiptStatus.FAILED);
    assertThat(d).isInstanceOf(ReceiptRule.Late.class);
    assertThat(((ReceiptRule.Late) d).reason()).contains("failed receipt after delivered");
  }

  @Test
  void aFailureOfASentMessageFailsIt() {
    assertThat(ReceiptRule.decide(MessageStatus.SENT, ReceiptStatus.FAILED))
        .isEqualTo(new ReceiptRule.Apply(MessageStatus.SENT, MessageStatus.FAILED));
  }

  @Test
  void aReceiptProvesAnInDoubtMessageWentOut() {
    assertThat(ReceiptRule.decide(MessageStatus.IN_DOUBT, ReceiptStatus.SENT))
        .isEqualTo(new ReceiptRule.Apply(MessageStatus.IN_DOUBT, MessageStatus.SENT));
    assertThat(ReceiptRule.decide(MessageStatus.IN_DOUBT, ReceiptStatus.DELIVERED))
        .isEqualTo(new ReceiptRule.Apply(MessageStatus.IN_DOUBT, MessageStatus.DELIVERED));
  }

  @Test
  void theSameStatusAgainIsRedundant() {
    assertThat(ReceiptRule.decide(MessageStatus.SENT, ReceiptStatus.SENT)).isInstanceOf(ReceiptRule.Redundant.class);
    assertThat(ReceiptRule.decide(MessageStatus.READ, ReceiptStatus.READ)).isInstanceOf(ReceiptRule.Redundant.class);
  }
}
