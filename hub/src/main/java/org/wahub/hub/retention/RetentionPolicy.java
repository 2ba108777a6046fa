package org.wahub.hub.retention;

import java.time.Duration;
import java.time.Instant;

/**
 * How long the hub keeps what it no longer needs to act on (DESIGN §9): a failed message leaves the
 * dead-letter list (it is archived, not deleted) {@code archiveFailedAfter} after it failed, and a
 * history row ({@code message_events}, {@code instance_events}) is deleted {@code historyKeptFor}
 * after it was written.
 *
 * <p>History is not only for people: the rolling windows, the pacer and the reconnect budget are
 * rebuilt from it when an instance starts. Pruning inside the longest of those windows (a day)
 * would hand a restarted instance a fresh budget, so history is kept at least
 * {@link #MIN_HISTORY} — the day plus a day of margin for clocks and slow rounds.
 */
public record RetentionPolicy(Duration archiveFailedAfter, Duration historyKeptFor) {

  /** The longest rolling window rebuilt from history (the per-day send limit). */
  public static final Duration LONGEST_WINDOW = Duration.ofDays(1);
  public static final Duration MIN_HISTORY = LONGEST_WINDOW.plusDays(1);
  public static final Duration MIN_ARCHIVE = Duration.ofDays(1);

  public RetentionPolicy {
    if (archiveFailedAfter == null || archiveFailedAfter.compareTo(MIN_ARCHIVE) < 0) {
      throw new IllegalArgumentException("failed messages are archived after at least " + MIN_ARCHIVE.toDays()
          + " day, got " + archiveFailedAfter);
    }
    if (historyKeptFor == null || historyKeptFor.compareTo(MIN_HISTORY) < 0) {
      throw new IllegalArgumentException("history is kept at least " + MIN_HISTORY.toDays()
          + " days (the limits are rebuilt from its last day), got " + historyKeptFor);
    }
  }

  /** Days as operators configure them. */
  public static RetentionPolicy ofDays(long archiveFailedAfterDays, long historyDays) {
    return new RetentionPolicy(Duration.ofDays(archiveFailedAfterDays), Duration.ofDays(historyDays));
  }

  /** A failed message that failed before this instant is archived. */
  public Instant archiveFailedBefore(Instant now) {
    return now.minus(archiveFailedAfter);
  }

  /** A history row written before this instant is deleted; never inside {@link #LONGEST_WINDOW}. */
  public Instant pruneHistoryBefore(Instant now) {
    return now.minus(historyKeptFor);
  }
}
