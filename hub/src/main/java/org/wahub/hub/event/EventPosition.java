package org.wahub.hub.event;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where an event sits in the outbox: the writing transaction's 64-bit id ({@code xid8}) and the
 * row's sequence number. Positions are totally ordered by (tx, seq), and a reader that only reads
 * below the oldest running transaction never sees one appear behind a position it has passed
 * (DESIGN §8a). To clients a position is one opaque token {@code "<tx>-<seq>"} (SSE {@code id:},
 * {@code Last-Event-ID}, {@code ?after=}); they only hand it back.
 *
 * <p>Parsing is strict: two unsigned decimal numbers without sign, leading zeros or spaces, each
 * within a signed 64-bit long (PostgreSQL's bigint, and xid8 values far beyond any real server's
 * transaction count), joined by one {@code -}. Anything else is not a position.
 */
public record EventPosition(long tx, long seq) implements Comparable<EventPosition> {

  /** Before every event: reading after it replays everything still retained. */
  public static final EventPosition START = new EventPosition(0, 0);

  private static final Pattern TOKEN = Pattern.compile("(0|[1-9][0-9]{0,18})-(0|[1-9][0-9]{0,18})");

  public EventPosition {
    if (tx < 0 || seq < 0) {
      throw new IllegalArgumentException("a position is two non-negative numbers");
    }
  }

  /** The position for a token, or empty when it is not one (null, blank, malformed, out of range). */
  public static Optional<EventPosition> parse(String token) {
    if (token == null || token.length() > 39 || !TOKEN.matcher(token).matches()) {
      return Optional.empty();
    }
    int dash = token.indexOf('-');
    try {
      return Optional.of(new EventPosition(Long.parseLong(token.substring(0, dash)), Long.parseLong(token.substring(dash + 1))));
    } catch (NumberFormatException e) {
      return Optional.empty(); // 19 digits above Long.MAX_VALUE
    }
  }

  /** The token clients see and hand back. */
  public String token() {
    return tx + "-" + seq;
  }

  @Override
  public int compareTo(EventPosition o) {
    int c = Long.compare(tx, o.tx);
    return c != 0 ? c : Long.compare(seq, o.seq);
  }

  @Override
  public String toString() {
    return token();
  }
}
