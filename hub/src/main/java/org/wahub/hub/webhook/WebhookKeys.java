package org.wahub.hub.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The keys an endpoint's deliveries are signed with. After a rotation the previous secret keeps
 * signing, beside the new one, until {@code previousExpiresAt}, so a receiver can switch to the new
 * secret at its own pace (Standard Webhooks: receivers accept any matching {@code v1} entry). A
 * second rotation inside the overlap drops the oldest secret: at most two sign at once.
 *
 * @param current           signs every delivery
 * @param previous          the secret before the last rotation, or null
 * @param previousExpiresAt when {@code previous} stops signing; null exactly when it is null
 */
public record WebhookKeys(WebhookSecret current, WebhookSecret previous, Instant previousExpiresAt) {

  /** How long the previous secret keeps signing after a rotation. */
  public static final Duration DEFAULT_OVERLAP = Duration.ofHours(24);

  public WebhookKeys {
    Objects.requireNonNull(current, "current");
    if ((previous == null) != (previousExpiresAt == null)) {
      throw new IllegalArgumentException("a previous secret needs its expiry, and only it");
    }
  }

  public static WebhookKeys of(WebhookSecret current) {
    return new WebhookKeys(current, null, null);
  }

  /** The secrets that sign at {@code now}: the current one first, then the previous one until it expires. */
  public List<WebhookSecret> signingAt(Instant now) {
    Objects.requireNonNull(now, "now");
    return previous != null && now.isBefore(previousExpiresAt) ? List.of(current, previous) : List.of(current);
  }

  /** After a rotation to {@code next} at {@code now}: the current secret signs on for {@code overlap}. */
  public WebhookKeys rotate(WebhookSecret next, Instant now, Duration overlap) {
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(now, "now");
    if (overlap.isNegative()) {
      throw new IllegalArgumentException("overlap must not be negative");
    }
    return new WebhookKeys(next, current, now.plus(overlap));
  }
}
