package org.wahub.hub.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Idempotency keys: the rules for a caller's explicit key and the derivation of a key for a
 * request that came without one.
 *
 * <p>An explicit key is 1 to {@value #MAX_LENGTH} characters of printable ASCII without space
 * (U+0021..U+007E): it travels in an HTTP header, log lines and URLs, where spaces, control
 * characters and non-ASCII get mangled or trimmed, and two keys that look alike must be alike.
 * Keys starting with {@value #AUTO_PREFIX} (in any letter case) are reserved for derived keys,
 * so an explicit key can never collide with one.
 *
 * <p>A derived key is {@code auto:} plus the lowercase hex SHA-256 of the instance id, the
 * normalized recipient and the canonical payload, each prefixed by its UTF-8 length so that no
 * two different triples share an encoding ({@code ("ab","c")} vs {@code ("a","bc")}).
 */
public final class IdempotencyKey {

  public static final int MAX_LENGTH = 255;
  public static final String AUTO_PREFIX = "auto:";

  private static final byte[] DOMAIN = "wa-hub/auto-idempotency-key/v1".getBytes(StandardCharsets.UTF_8);
  private static final HexFormat HEX = HexFormat.of();

  private IdempotencyKey() {
  }

  /** Empty if {@code key} is a valid explicit key, else what is wrong with it. */
  public static Optional<String> validateExplicit(String key) {
    if (key == null) {
      return Optional.of("is required");
    }
    if (key.isEmpty()) {
      return Optional.of("must not be empty");
    }
    if (key.length() > MAX_LENGTH) {
      return Optional.of("must be at most " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return Optional.of("may contain only printable ASCII without spaces (found "
            + String.format("U+%04X", (int) c) + " at index " + i + ")");
      }
    }
    if (key.regionMatches(true, 0, AUTO_PREFIX, 0, AUTO_PREFIX.length())) {
      return Optional.of("must not start with the reserved prefix \"" + AUTO_PREFIX + "\"");
    }
    return Optional.empty();
  }

  /** Whether {@code key} has the shape of a derived key. */
  public static boolean isDerived(String key) {
    return key != null && key.startsWith(AUTO_PREFIX);
  }

  /** The key for a request without an explicit one; see the class comment. */
  public static String derive(String instanceId, String normalizedRecipient, String canonicalPayload) {
    MessageDigest sha = sha256();
    sha.update(DOMAIN);
    part(sha, Objects.requireNonNull(instanceId, "instanceId"));
    part(sha, Objects.requireNonNull(normalizedRecipient, "normalizedRecipient"));
    part(sha, Objects.requireNonNull(canonicalPayload, "canonicalPayload"));
    return AUTO_PREFIX + HEX.formatHex(sha.digest());
  }

  /** Lowercase hex SHA-256 of the UTF-8 canonical payload: "same key, same payload?" */
  public static String payloadHash(String canonicalPayload) {
    MessageDigest sha = sha256();
    return HEX.formatHex(sha.digest(Objects.requireNonNull(canonicalPayload, "canonicalPayload")
        .getBytes(StandardCharsets.UTF_8)));
  }

  private static void part(MessageDigest sha, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    sha.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
