package org.wahub.hub.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks {@code v1} signatures: {@code v1,} + base64(HMAC-SHA256(key,
 * {@code id.timestamp.body})), where the body is exactly the bytes sent. With several keys (during a
 * rotation) the header carries one entry per key, separated by spaces.
 */
public final class WebhookSigner {

  public static final String VERSION = "v1";
  private static final String HMAC = "HmacSHA256";

  private WebhookSigner() {
  }

  /**
   * The {@code webhook-signature} header value for one delivery attempt.
   *
   * @param id        the {@code webhook-id}: stable across retries, without '.'
   * @param timestamp the {@code webhook-timestamp} of this attempt, Unix seconds
   * @param body      the exact bytes of the request body
   * @param keys      at least one; the order is kept
   */
  public static String sign(String id, long timestamp, byte[] body, List<WebhookSecret> keys) {
    if (keys == null || keys.isEmpty()) {
      throw new IllegalArgumentException("at least one key signs");
    }
    StringBuilder sb = new StringBuilder();
    for (WebhookSecret key : keys) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(signature(id, timestamp, body, key));
    }
    return sb.toString();
  }

  /** One {@code v1,<base64>} entry. */
  public static String signature(String id, long timestamp, byte[] body, WebhookSecret key) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(key, "key");
    if (id.isEmpty() || id.indexOf('.') >= 0) {
      throw new IllegalArgumentException("a webhook id is not empty and has no '.'");
    }
    if (timestamp < 0) {
      throw new IllegalArgumentException("the timestamp is Unix seconds, not negative");
    }
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key.key(), HMAC));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return VERSION + "," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
    }
  }
}
