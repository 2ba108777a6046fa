package org.wahub.hub.inbound;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One voter's current selection on one poll, as the provider last reported it: the whole selection
 * (an empty list = the voter withdrew every choice), stamped with the provider's time of the vote.
 */
public record Ballot(String voter, List<String> options, Instant votedAt) {
  public Ballot {
    Objects.requireNonNull(voter, "voter");
    Objects.requireNonNull(votedAt, "votedAt");
    options = List.copyOf(options);
  }
}
