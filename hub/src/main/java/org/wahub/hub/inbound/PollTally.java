package org.wahub.hub.inbound;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Poll votes, aggregated per option (DESIGN §8a). Each voter has at most one {@link Ballot}, the
 * newest the provider reported; a new vote replaces it (providers send the whole current selection,
 * not a delta). Votes can arrive out of order (webhook retries, WAHA orders by {@code vote.timestamp}),
 * so "newest" is the provider's time of the vote, not arrival; on a tie (WAHA stamps seconds) the
 * later arrival wins. A vote the provider could not read ({@code VoteFailed}) is not a ballot at all:
 * the voter's earlier choice stands, so it never appears here.
 */
public final class PollTally {

  /** One option with how many voters chose it and who they are (sorted, for stable output). */
  public record OptionCount(String option, int count, List<String> voters) {
    public OptionCount {
      voters = List.copyOf(voters);
    }
  }

  private PollTally() {
  }

  /**
   * Whether a vote cast at {@code votedAt} replaces the voter's current ballot ({@code null}: none yet).
   * Ties go to the newcomer.
   */
  public static boolean replaces(Ballot current, Instant votedAt) {
    Objects.requireNonNull(votedAt, "votedAt");
    return current == null || !votedAt.isBefore(current.votedAt());
  }

  /**
   * The count per option: the poll's own options first, in the poll's order (zero counts included),
   * then any other option a voter chose, in alphabetical order, so nothing a voter chose is hidden.
   * An option repeated in one ballot counts once.
   */
  public static List<OptionCount> tally(List<String> pollOptions, Collection<Ballot> ballots) {
    Map<String, Set<String>> voters = new LinkedHashMap<>();
    for (String option : pollOptions) {
      voters.putIfAbsent(option, new TreeSet<>());
    }
    Set<String> others = new TreeSet<>();
    for (Ballot b : ballots) {
      for (String option : new LinkedHashSet<>(b.options())) {
        if (!voters.containsKey(option)) {
          others.add(option);
        }
      }
    }
    others.forEach(o -> voters.put(o, new TreeSet<>()));
    for (Ballot b : ballots) {
      for (String option : b.options()) {
        voters.get(option).add(b.voter());
      }
    }
    List<OptionCount> out = new ArrayList<>(voters.size());
    voters.forEach((option, who) -> out.add(new OptionCount(option, who.size(), new ArrayList<>(who))));
    return out;
  }

  /** The number of voters whose ballot chooses at least one option. */
  public static int voters(Collection<Ballot> ballots) {
    return (int) ballots.stream().filter(b -> !b.options().isEmpty()).map(Ballot::voter).distinct().count();
  }

  /** Orders ballots by vote time, then voter: for listing them. */
  public static final Comparator<Ballot> BY_TIME = Comparator.comparing(Ballot::votedAt).thenComparing(Ballot::voter);
}
