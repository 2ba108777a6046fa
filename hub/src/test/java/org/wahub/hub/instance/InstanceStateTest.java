package org.wahub.hub.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.wahub.hub.instance.InstanceState.*;

import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wahub.hub.IllegalTransitionException;
import org.wahub.hub.testing.TransitionTable;

class InstanceStateTest {

  /** The contract's table: a row per from-state, an x where the move is allowed. */
  private static final List<InstanceState> COLUMNS =
      List.of(STARTING, NEEDS_QR, READY, DISCONNECTED, RESTARTING, AUTH_FAILURE, FAILED, STOPPED);
  private static final String[] TABLE = {
      //            STA QR  RDY DIS RST AUT FLD STP
      "STARTING     .   x   x   x   .   x   x   x",
      "NEEDS_QR     x   .   x   .   x   x   .   x",
      "READY        .   x   .   x   x   x   .   x",
      "DISCONNECTED .   x   x   .   x   x   x   x",
      "RESTARTING   .   x   x   x   .   x   x   x",
      "AUTH_FAILURE x   .   .   .   x   .   .   x",
      "FAILED       x   .   .   .   x   .   .   x",
      "STOPPED      x   .   .   .   .   .   .   .",
  };

  static Stream<Arguments> allPairs() {
    return TransitionTable.pairs(InstanceState.class, COLUMNS, TABLE);
  }

  @Test
  void theTableCoversAll64Pairs() {
    assertThat(allPairs().count()).isEqualTo(64);
    assertThat(EnumSet.copyOf(COLUMNS)).isEqualTo(EnumSet.allOf(InstanceState.class));
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @MethodSource("allPairs")
  void transitionsFollowTheTable(InstanceState from, InstanceState to, boolean allowed) {
    assertThat(from.canTransitionTo(to)).isEqualTo(allowed);
    assertThat(from.allowedTransitions().contains(to)).isEqualTo(allowed);
    if (allowed) {
      assertThat(from.transitionTo(to)).isEqualTo(to);
    } else {
      assertThatThrownBy(() -> from.transitionTo(to))
          .isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
            assertThat(e.from()).isEqualTo(from.name());
            assertThat(e.to()).isEqualTo(to.name());
          });
    }
  }

  @Test
  void nullIsNeverATarget() {
    assertThat(READY.canTransitionTo(null)).isFalse();
    assertThatThrownBy(() -> READY.transitionTo(null)).isInstanceOf(IllegalTransitionException.class);
  }

  @Test
  void onlyReadySends() {
    for (InstanceState s : InstanceState.values()) {
      assertThat(s.canSend()).as(s.name()).isEqualTo(s == READY);
    }
  }

  @Test
  void hardStopsAreNeedsQrAndAuthFailure() {
    for (InstanceState s : InstanceState.values()) {
      assertThat(s.isHardStop()).as(s.name()).isEqualTo(s == NEEDS_QR || s == AUTH_FAILURE);
    }
  }

  @Test
  void theWireValueIsTheNameAndParsesBack() {
    for (InstanceState s : InstanceState.values()) {
      assertThat(s.wire()).isEqualTo(s.name());
      assertThat(InstanceState.parse(s.wire())).contains(s);
    }
    assertThat(InstanceState.parse("ready")).isEmpty();
    assertThat(InstanceState.parse("")).isEmpty();
    assertThat(InstanceState.parse(null)).isEmpty();
  }
}
