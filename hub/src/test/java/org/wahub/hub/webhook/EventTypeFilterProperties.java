package org.wahub.hub.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class EventTypeFilterProperties {

  static final Set<String> KNOWN = Set.of("message.queued", "message.sent", "message.delivered", "message.read",
      "message.failed", "message.received", "poll.vote", "instance.state_changed", "instance.needs_qr");
  static final Set<String> EXPLICIT = Set.of("message.queued");

  /** An exact type matches itself and nothing else. */
  @Property(tries = 200)
  void exactTypesMatchThemselvesOnly(@ForAll("known") String type, @ForAll("known") String other) {
    EventTypeFilter f = parse(List.of(type));
    assertThat(f.matches(type)).isTrue();
    assertThat(f.matches(other)).isEqualTo(type.equals(other));
  }

  /** A category wildcard matches its category, except the types that must be asked for by name. */
  @Property(tries = 200)
  void wildcardsMatchTheirCategoryButNotExplicitOnlyTypes(@ForAll("known") String type) {
    String category = type.substring(0, type.indexOf('.'));
    EventTypeFilter f = parse(List.of(category + ".*"));
    assertThat(f.matches(type)).isEqualTo(!EXPLICIT.contains(type));
    EventTypeFilter all = parse(List.of("*"));
    assertThat(all.matches(type)).isEqualTo(!EXPLICIT.contains(type));
    EventTypeFilter named = parse(List.of("*", "message.queued"));
    assertThat(named.matches(type)).isTrue();
  }

  /** Anything not a known type, a category of known types or "*" is refused, with its index. */
  @Property(tries = 300)
  void unknownPatternsAreRefused(@ForAll("junk") String junk) {
    EventTypeFilter.Parsed p = EventTypeFilter.parse(List.of("message.sent", junk), KNOWN, EXPLICIT);
    boolean valid = KNOWN.contains(junk) || junk.equals("*")
        || (junk.endsWith(".*") && junk.length() > 2 && !junk.substring(0, junk.length() - 1).contains("*")
            && KNOWN.stream().anyMatch(t -> t.startsWith(junk.substring(0, junk.length() - 1))));
    assertThat(p.problems().isEmpty()).isEqualTo(valid);
    if (!valid) {
      assertThat(p.filter()).isNull();
      assertThat(p.problems()).allSatisfy(e -> assertThat(e.index()).isEqualTo(1));
    }
  }

  @Test
  void validatesTheList() {
    assertThat(EventTypeFilter.parse(List.of(), KNOWN, EXPLICIT).problems()).extracting(EventTypeFilter.Problem::code)
        .containsExactly("too_short");
    assertThat(EventTypeFilter.parse(List.of("message.sent", 5, "webhook.test", "mess*"), KNOWN, EXPLICIT).problems())
        .extracting(EventTypeFilter.Problem::index, EventTypeFilter.Problem::code)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "invalid_type"),
            org.assertj.core.groups.Tuple.tuple(2, "unknown_event_type"),
            org.assertj.core.groups.Tuple.tuple(3, "unknown_event_type"));
    assertThat(parse(List.of("poll.vote", "poll.vote", "message.*")).patterns()).containsExactly("poll.vote", "message.*");
    assertThat(parse(List.of("message.*")).matches("poll.vote")).isFalse();
    assertThat(parse(List.of("message.*")).matches("messages.x")).isFalse();
  }

  private static EventTypeFilter parse(List<String> patterns) {
    EventTypeFilter.Parsed p = EventTypeFilter.parse(patterns, KNOWN, EXPLICIT);
    assertThat(p.problems()).isEmpty();
    return p.filter();
  }

  @Provide
  Arbitrary<String> known() {
    return Arbitraries.of(KNOWN);
  }

  @Provide
  Arbitrary<String> junk() {
    return Arbitraries.oneOf(Arbitraries.of(KNOWN), Arbitraries.of("*", "message.*", "poll.*", "nope.*", ".*", "**",
        "message.sent.*", "Message.sent", "message.sent ", "webhook.test", "m*"),
        Arbitraries.strings().withChars("abcdefgmes.*_").ofMinLength(1).ofMaxLength(14));
  }
}
