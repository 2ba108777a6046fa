package org.wahub.provider;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a provider hears from WhatsApp on its own, handed to the instance through
 * {@link ProviderEvents#inbound}. Each carries the provider's own event id: the instance stores an
 * event once per (instance, providerEventId), so a replayed provider webhook is ignored while a new
 * message with new content never is (DESIGN §8a).
 */
public sealed interface Inbound {

  /** Unique per instance for this provider; a retry of the same provider event repeats it. */
  String providerEventId();

  /** When the provider says it happened (not when the hub heard it). */
  Instant at();

  /** A message someone sent to this instance's number. */
  record Message(String providerEventId, Instant at, String chatId, String from, String providerMessageId,
                 String text, String kind) implements Inbound {
    public Message {
      Objects.requireNonNull(providerEventId, "providerEventId");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(chatId, "chatId");
      Objects.requireNonNull(from, "from");
      kind = kind == null ? "text" : kind;
    }
  }

  /** The provider's word on a message the hub sent: it only ever moves the message forward. */
  record Receipt(String providerEventId, Instant at, String providerMessageId, Status status, String error)
      implements Inbound {
    public enum Status { SENT, DELIVERED, READ, FAILED }

    public Receipt {
      Objects.requireNonNull(providerEventId, "providerEventId");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(providerMessageId, "providerMessageId");
      Objects.requireNonNull(status, "status");
    }
  }

  /**
   * A voter's whole current selection on a poll the hub sent (an empty list withdraws the vote): it
   * replaces that voter's previous choice.
   */
  record Vote(String providerEventId, Instant at, String pollProviderMessageId, String voter, List<String> options)
      implements Inbound {
    public Vote {
      Objects.requireNonNull(providerEventId, "providerEventId");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(pollProviderMessageId, "pollProviderMessageId");
      Objects.requireNonNull(voter, "voter");
      options = List.copyOf(options);
    }
  }

  /**
   * A voter answered a poll the hub sent, but the provider could not read the answer (WAHA's
   * {@code poll.vote.failed}: the vote could not be decrypted, e.g. the poll's keys were lost on an
   * engine restart). Not a withdrawal: the voter's earlier choice, if any, stands; the sender may ask
   * again (send the poll anew).
   */
  record VoteFailed(String providerEventId, Instant at, String pollProviderMessageId, String voter)
      implements Inbound {
    public VoteFailed {
      Objects.requireNonNull(providerEventId, "providerEventId");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(pollProviderMessageId, "pollProviderMessageId");
      Objects.requireNonNull(voter, "voter");
    }
  }
}
