package org.wahub.hub.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.wahub.hub.message.MessageStatus.*;

import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wahub.hub.IllegalTransitionException;
import org.wahub.hub.testing.TransitionTable;

class MessageStatusTest {

  private static final List<MessageStatus> COLUMNS =
      List.of(QUEUED, SENDING, SENT, DELIVERED, READ, FAILED, CANCELLED, EXPIRED, IN_DOUBT);
  private static final String[] TABLE = {
      //          QUE SND SNT DLV RD  FLD CNC EXP DBT
      "QUEUED     .   x   .   .   .   x   x   x   .",
      "SENDING    x   .   x   .   .   x   .   x   x",
      "SENT       .   .   .   x   x   x   .   .   .",
      "DELIVERED  .   .   .   .   x   .   .   .   .",
      "READ       .   .   .   .   .   .   .   .   .",
      "FAILED     x   .   .   .   .   .   x   .   .",
      "CANCELLED  .   .   .   .   .   .   .   .   .",
      "EXPIRED    .   .   .   .   .   .   .   .   .",
      "IN_DOUBT   x   .   x   x   x   .   x   .   .",
  };

  static Stream<Arguments> allPairs() {
    return TransitionTable.pairs(MessageStatus.class, COLUMNS, TABLE);
  }

  @Test
  void theTableCoversAll81Pairs() {
    assertThat(allPairs().count()).isEqualTo(81);
    assertThat(EnumSet.copyOf(COLUMNS)).isEqualTo(EnumSet.allOf(MessageStatus.class));
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @MethodSource("allPairs")
  void transitionsFollowTheTable(MessageStatus from, MessageStatus to, boolean allowed) {
    assertThat(from.canTransitionTo(to)).isEqualTo(allowed);
    assertThat(from.allowedTransitions().contains(to)).isEqualTo(allowed);
    if (allowed) {
      assertThat(from.transitionTo(to)).isEqualTo(to);
    } else {
      assertThatThrownBy(() -> from.transitionTo(to))
          .isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
            assertThat(e.from()).isEqualTo(from.name());
            assertThat(e.to()).isEqualTo(to.name());
            assertThat(e).hasMessageContaining("MessageStatus");
          });
    }
  }

  @Test
  void onlyQueuedAndSendingArePending() {
    for (MessageStatus s : MessageStatus.values()) {
      boolean pending = s == QUEUED || s == SENDING;
      assertThat(s.isTerminal()).as(s.name()).isEqualTo(!pending);
      assertThat(s.isPending()).as(s.name()).isEqualTo(pending);
    }
  }

  @Test
  void theWireValueIsTheLowercaseNameAndParsesBack() {
    assertThat(IN_DOUBT.wire()).isEqualTo("in_doubt");
    assertThat(QUEUED.wire()).isEqualTo("queued");
    for (MessageStatus s : MessageStatus.values()) {
      assertThat(MessageStatus.parse(s.wire())).contains(s);
    }
    assertThat(MessageStatus.parse("QUEUED")).isEmpty();
    assertThat(MessageStatus.parse("in-doubt")).isEmpty();
    assertThat(MessageStatus.parse(null)).isEmpty();
  }
}
