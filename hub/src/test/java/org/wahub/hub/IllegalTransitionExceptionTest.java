package org.wahub.hub;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.message.MessageStatus;

class IllegalTransitionExceptionTest {

  @Test
  void carriesTheMachineAndBothStateNames() {
    IllegalTransitionException e = new IllegalTransitionException(MessageStatus.READ, MessageStatus.QUEUED);
    assertThat(e.from()).isEqualTo("READ");
    assertThat(e.to()).isEqualTo("QUEUED");
    assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("MessageStatus: illegal transition READ -> QUEUED");
  }

  @Test
  void isWhatTheStateMachinesThrow() {
    try {
      InstanceState.STOPPED.transitionTo(InstanceState.READY);
    } catch (IllegalTransitionException e) {
      assertThat(e).hasMessage("InstanceState: illegal transition STOPPED -> READY");
      return;
    }
    throw new AssertionError("expected an IllegalTransitionException");
  }
}
