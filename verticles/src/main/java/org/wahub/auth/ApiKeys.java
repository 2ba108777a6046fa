package org.wahub.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * API key tokens: {@code wah_} + 256 random bits, base64url. Only the SHA-256 of a token is
 * stored. A fast hash is right here (unlike for passwords): the token has 256 bits of entropy,
 * so there is nothing to brute-force, and every request pays for the hash.
 */
public final class ApiKeys {

  public static final String PREFIX = "wah_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {
  }

  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  /**
   * What may be shown of a key: the first 8 hex digits of its SHA-256 (the stored hash), enough to
   * tell keys apart and to check one ({@code printf %s "$KEY" | sha256sum | cut -c1-8}), and nothing
   * of the key itself. The database derives the same value from key_hash (V8).
   */
  public static String fingerprint(String token) {
    return java.util.HexFormat.of().formatHex(hash(token), 0, 4);
  }

  /** Cheap shape check before touching the database: rejects garbage and absurd lengths. */
  public static boolean plausible(String token) {
    if (token == null || token.length() < 8 || token.length() > 200) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
