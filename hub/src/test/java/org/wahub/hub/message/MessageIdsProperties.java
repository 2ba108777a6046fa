package org.wahub.hub.message;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageIdsProperties {

  @Property(tries = 1000)
  void isAVersion7VariantRfcUuidCarryingItsMillisecond(@ForAll @LongRange(min = 0, max = (1L << 48) - 1) long millis,
                                                       @ForAll long a, @ForAll long b) {
    UUID id = MessageIds.of(millis, a, b);
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(MessageIds.unixMillis(id)).isEqualTo(millis);
    assertThat(UUID.fromString(id.toString())).isEqualTo(id);
  }

  @Property(tries = 1000)
  void laterMillisecondsSortLaterAsPostgresComparesUuids(@ForAll @LongRange(min = 0, max = (1L << 47)) long t1,
                                                         @ForAll @LongRange(min = 1, max = 1L << 40) long dt,
                                                         @ForAll long a1, @ForAll long b1, @ForAll long a2, @ForAll long b2) {
    // PostgreSQL orders uuid by its 16 bytes unsigned, i.e. by the string form
    String earlier = MessageIds.of(t1, a1, b1).toString();
    String later = MessageIds.of(t1 + dt, a2, b2).toString();
    assertThat(later.compareTo(earlier)).isPositive();
  }

  @Test
  void readsTheClockAndDoesNotRepeat() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-24T12:00:00Z"), ZoneOffset.UTC);
    MessageIds ids = new MessageIds(clock, new Random(7));
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      UUID id = ids.next();
      assertThat(MessageIds.unixMillis(id)).isEqualTo(clock.millis());
      assertThat(seen.add(id)).isTrue();
    }
  }

  @Test
  void refusesWhatCannotBeEncoded() {
    assertThatThrownBy(() -> MessageIds.of(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessageIds.of(1L << 48, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessageIds.unixMillis(UUID.randomUUID())).isInstanceOf(IllegalArgumentException.class);
  }
}
