package org.wahub;

import java.security.SecureRandom;

/** Random, URL-safe, prefixed identifiers for tenants and keys ({@code ten_…}, {@code key_…}). */
public final class Ids {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

  private Ids() {
  }

  public static String random(String prefix) {
    byte[] bytes = new byte[13];
    RANDOM.nextBytes(bytes);
    StringBuilder sb = new StringBuilder(prefix.length() + 1 + 20).append(prefix).append('_');
    // 100 bits, base32 (Crockford-like alphabet without i, l, o, u)
    long hi = 0;
    for (int i = 0; i < 8; i++) {
      hi = (hi << 8) | (bytes[i] & 0xff);
    }
    for (int i = 0; i < 12; i++) {
      sb.append(ALPHABET[(int) (hi >>> 59)]);
      hi <<= 5;
    }
    long lo = 0;
    for (int i = 8; i < 13; i++) {
      lo = (lo << 8) | (bytes[i] & 0xff);
    }
    for (int i = 0; i < 8; i++) {
      sb.append(ALPHABET[(int) ((lo >>> 35) & 31)]);
      lo <<= 5;
    }
    return sb.toString();
  }
}
