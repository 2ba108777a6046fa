package org.wahub.hub.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Poll votes in virtual time: each vote carries the provider's timestamp (a fake clock from T0, in
 * whole seconds like WAHA's, so ties happen), arrival is any shuffle of them, and some arrivals are
 * {@code VoteFailed} (the provider could not read the vote).
 */
class PollTallyProperties {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final List<String> OPTIONS = List.of("Yes", "No", "Maybe");

  /** One arrival: a vote (options) or a failed vote (options null). */
  record Arrival(String voter, List<String> options, Instant at) {
    boolean failed() {
      return options == null;
    }
  }

  @Provide
  Arbitrary<List<Arrival>> arrivals() {
    Arbitrary<List<String>> selection = Arbitraries.of("Yes", "No", "Maybe", "Other").set().ofMaxSize(3)
        .map(ArrayList::new);
    Arbitrary<Arrival> one = Combinators.combine(Arbitraries.of("a", "b", "c", "d"),
        Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, selection), net.jqwik.api.Tuple.of(1, Arbitraries.just(null))),
        Arbitraries.integers().between(0, 120)).as((v, o, s) -> new Arrival(v, o, T0.plus(Duration.ofSeconds(s))));
    return one.list().ofMaxSize(20);
  }

  /** Plays arrivals against a ballot box, the way the store does (one ballot per voter). */
  private static Map<String, Ballot> play(List<Arrival> arrivals) {
    Map<String, Ballot> box = new HashMap<>();
    for (Arrival a : arrivals) {
      if (a.failed()) {
        continue; // recorded, never a ballot
      }
      if (PollTally.replaces(box.get(a.voter()), a.at())) {
        box.put(a.voter(), new Ballot(a.voter(), a.options(), a.at()));
      }
    }
    return box;
  }

  @Property(tries = 2000)
  void eachVoterCountsOnceWithTheirNewestVote(@ForAll("arrivals") List<Arrival> arrivals) {
    Map<String, Ballot> box = play(arrivals);
    for (Map.Entry<String, Ballot> e : box.entrySet()) {
      Instant newest = arrivals.stream().filter(a -> a.voter().equals(e.getKey()) && !a.failed())
          .map(Arrival::at).max(Instant::compareTo).orElseThrow();
      assertThat(e.getValue().votedAt()).isEqualTo(newest);
    }
    List<PollTally.OptionCount> tally = PollTally.tally(OPTIONS, box.values());
    for (PollTally.OptionCount c : tally) {
      long expected = box.values().stream().filter(b -> b.options().contains(c.option())).count();
      assertThat(c.count()).as(c.option()).isEqualTo((int) expected).isEqualTo(c.voters().size());
    }
    // the poll's options first, in order, always present
    assertThat(tally.subList(0, 3).stream().map(PollTally.OptionCount::option).toList()).isEqualTo(OPTIONS);
  }

  /** Without ties in provider time, arrival order does not matter. */
  @Property(tries = 2000)
  void arrivalOrderDoesNotMatterWithoutTies(@ForAll("arrivals") List<Arrival> arrivals, @ForAll long seed) {
    Set<String> seen = new HashSet<>();
    List<Arrival> distinct = arrivals.stream().filter(a -> seen.add(a.voter() + "@" + a.at())).toList();
    List<Arrival> shuffled = new ArrayList<>(distinct);
    Collections.shuffle(shuffled, new Random(seed));
    assertThat(PollTally.tally(OPTIONS, play(shuffled).values()))
        .isEqualTo(PollTally.tally(OPTIONS, play(distinct).values()));
  }

  /** A failed vote is never a withdrawal: dropping every VoteFailed changes nothing. */
  @Property(tries = 2000)
  void aFailedVoteNeverChangesTheTally(@ForAll("arrivals") List<Arrival> arrivals) {
    List<Arrival> withoutFailures = arrivals.stream().filter(a -> !a.failed()).toList();
    assertThat(PollTally.tally(OPTIONS, play(arrivals).values()))
        .isEqualTo(PollTally.tally(OPTIONS, play(withoutFailures).values()));
  }

  /** A changed vote replaces the previous one: a voter is never counted on an option they left. */
  @Property(tries = 1000)
  void aChangedVoteReplacesThePrevious(@ForAll("arrivals") List<Arrival> arrivals) {
    List<Arrival> more = new ArrayList<>(arrivals);
    more.add(new Arrival("a", List.of("No"), T0.plus(Duration.ofHours(1))));
    List<PollTally.OptionCount> tally = PollTally.tally(OPTIONS, play(more).values());
    for (PollTally.OptionCount c : tally) {
      assertThat(c.voters().contains("a")).as(c.option()).isEqualTo(c.option().equals("No"));
    }
  }
}
