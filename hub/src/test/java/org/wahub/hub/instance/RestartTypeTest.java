package org.wahub.hub.instance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RestartTypeTest {

  @Test
  void parsesExactlyLowercaseSoftAndHard() {
    assertThat(RestartType.parse("soft")).contains(RestartType.SOFT);
    assertThat(RestartType.parse("hard")).contains(RestartType.HARD);
    for (String bad : new String[] {"SOFT", "Hard", " soft", "", "medium", null}) {
      assertThat(RestartType.parse(bad)).as(String.valueOf(bad)).isEmpty();
    }
    assertThat(RestartType.SOFT.wire()).isEqualTo("soft");
    assertThat(RestartType.HARD.wire()).isEqualTo("hard");
  }
}
