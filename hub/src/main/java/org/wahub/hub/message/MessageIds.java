package org.wahub.hub.message;

import java.time.Clock;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Message ids are UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then 74 random
 * bits. Time-ordered ids land on the right-most leaf of the primary-key index instead of a random
 * one, so a group commit of hundreds of rows dirties a handful of index pages, not hundreds; the
 * random part keeps them unguessable enough for URLs (access is checked by tenant anyway).
 */
public final class MessageIds {

  private final Clock clock;
  private final RandomGenerator random;

  public MessageIds(Clock clock, RandomGenerator random) {
    this.clock = clock;
    this.random = random;
  }

  public UUID next() {
    return of(clock.millis(), random.nextLong(), random.nextLong());
  }

  /** The v7 UUID for a millisecond timestamp and two words of randomness (only 74 of their bits are used). */
  public static UUID of(long unixMillis, long randA, long randB) {
    if (unixMillis < 0 || unixMillis >= (1L << 48)) {
      throw new IllegalArgumentException("a v7 UUID holds 48 bits of Unix milliseconds, not " + unixMillis);
    }
    long msb = (unixMillis << 16) | 0x7000L | (randA & 0x0FFFL);
    long lsb = 0x8000_0000_0000_0000L | (randB & 0x3FFF_FFFF_FFFF_FFFFL);
    return new UUID(msb, lsb);
  }

  /** The millisecond timestamp of a v7 UUID. */
  public static long unixMillis(UUID id) {
    if (id.version() != 7) {
      throw new IllegalArgumentException("not a version 7 UUID: " + id);
    }
    return id.getMostSignificantBits() >>> 16;
  }
}
