package org.wahub.hub.webhook;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * A Standard Webhooks symmetric secret: {@code whsec_} followed by the base64 of the HMAC key.
 * Generated keys have {@value #GENERATED_BYTES} random bytes; parsed ones may have
 * {@value #MIN_BYTES}–{@value #MAX_BYTES} (the spec's range), with or without base64 padding.
 *
 * <p>The secret is write-only towards the API and never logged: {@link #toString()} does not show
 * it, and no error message repeats the text that failed to parse.
 */
public final class WebhookSecret {

  public static final String PREFIX = "whsec_";
  public static final int GENERATED_BYTES = 32;
  public static final int MIN_BYTES = 24;
  public static final int MAX_BYTES = 64;

  private final byte[] key;

  private WebhookSecret(byte[] key) {
    this.key = key;
  }

  /** A new secret of {@value #GENERATED_BYTES} bytes from {@code random} (a SecureRandom in production). */
  public static WebhookSecret generate(RandomGenerator random) {
    byte[] key = new byte[GENERATED_BYTES];
    for (int i = 0; i < key.length; i += 8) {
      long word = random.nextLong();
      for (int j = 0; j < 8 && i + j < key.length; j++) {
        key[i + j] = (byte) (word >>> (8 * j));
      }
    }
    return new WebhookSecret(key);
  }

  /** Parses {@code whsec_<base64>}; throws IllegalArgumentException with {@link #problem}'s reason. */
  public static WebhookSecret parse(String text) {
    byte[] key = decode(text);
    if (key == null) {
      throw new IllegalArgumentException(problem(text).orElse("not a webhook secret"));
    }
    return new WebhookSecret(key);
  }

  /** Why {@code text} is not a valid secret, or empty when it is; never repeats the text. */
  public static Optional<String> problem(String text) {
    if (text == null || !text.startsWith(PREFIX)) {
      return Optional.of("must start with " + PREFIX);
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(text.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return Optional.of("must be " + PREFIX + " followed by standard base64");
    }
    if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
      return Optional.of("must encode " + MIN_BYTES + " to " + MAX_BYTES + " bytes of key (" + key.length + " given)");
    }
    return Optional.empty();
  }

  private static byte[] decode(String text) {
    if (problem(text).isPresent()) {
      return null;
    }
    return Base64.getDecoder().decode(text.substring(PREFIX.length()));
  }

  /** The HMAC key (a copy). */
  public byte[] key() {
    return key.clone();
  }

  /** The {@code whsec_…} form, to store and to show once. */
  public String encoded() {
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WebhookSecret s && MessageDigest.isEqual(s.key, key);
  }

  @Override
  public int hashCode() {
    return key.length;
  }

  @Override
  public String toString() {
    return PREFIX + "…(" + key.length + " bytes)";
  }
}
