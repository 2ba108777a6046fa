package org.wahub.hub.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ReconnectPolicyTest {

  @Test
  void defaultsAreTheContracts() {
    ReconnectPolicy p = ReconnectPolicy.defaults();
    assertThat(p.delays()).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(3),
        Duration.ofMinutes(4), Duration.ofMinutes(5));
    assertThat(p.maxRestartsPerWindow()).isEqualTo(4);
    assertThat(p.restartWindow()).isEqualTo(Duration.ofMinutes(10));
    assertThat(p.maxAttempts()).isEqualTo(5);
    assertThat(p.softTimeout()).isEqualTo(Duration.ofSeconds(180));
    assertThat(p.hardTimeout()).isEqualTo(Duration.ofSeconds(180));
  }

  @Test
  void theLastDelayRepeatsBeyondTheList() {
    ReconnectPolicy p = ReconnectPolicy.defaults();
    assertThat(p.delayBefore(1)).isEqualTo(Duration.ofMinutes(1));
    assertThat(p.delayBefore(5)).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.delayBefore(6)).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.delayBefore(100)).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.typeOf(1)).isEqualTo(RestartType.SOFT);
    assertThat(p.typeOf(2)).isEqualTo(RestartType.HARD);
  }

  @Test
  void rejectsNonsense() {
    Duration m = Duration.ofMinutes(1);
    List<Executable> bad = List.of(
        () -> new ReconnectPolicy(List.of(), 4, m, 5, m, m),
        () -> new ReconnectPolicy(List.of(Duration.ofSeconds(-1)), 4, m, 5, m, m),
        () -> new ReconnectPolicy(List.of(m), 0, m, 5, m, m),
        () -> new ReconnectPolicy(List.of(m), 4, Duration.ZERO, 5, m, m),
        () -> new ReconnectPolicy(List.of(m), 4, m, 0, m, m),
        () -> new ReconnectPolicy(List.of(m), 4, m, 5, Duration.ZERO, m),
        () -> new ReconnectPolicy(List.of(m), 4, m, 5, m, Duration.ZERO),
        () -> ReconnectPolicy.defaults().delayBefore(0));
    for (Executable e : bad) {
      assertThrows(IllegalArgumentException.class, e);
    }
  }
}
