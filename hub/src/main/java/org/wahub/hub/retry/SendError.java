package org.wahub.hub.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A failed send as the hub records it: a stable machine code, a human reason and what kind of
 * failure it is. The kinds form the closed set every provider maps its errors into (PROVIDERS.md
 * §1.4): retriable, permanent, rate limited (with a retry-after and a scope: the whole instance or
 * one recipient), outside the customer-care window (needs a template), and an account problem
 * (the instance pauses in AUTH_FAILURE).
 *
 * <p>Codes are normalized to lowercase snake_case of at most {@value #MAX_CODE_LENGTH} characters
 * (providers send "Rate-Limited", "RATE_LIMIT" …; the dead-letter list and metrics need one
 * spelling); an empty code becomes {@code unknown}. Reasons are kept to
 * {@value #MAX_REASON_LENGTH} characters (a provider's HTML error page must not fill the
 * database). Construction never fails on odd provider text.
 */
public record SendError(String code, String reason, Kind kind, Duration retryAfter, Scope scope) {

  public enum Kind {
    /** A transient fault: retry with backoff. */
    RETRIABLE,
    /** The recipient, content or request is wrong for good: fail now. */
    PERMANENT,
    /** The provider throttles: not before {@code retryAfter}, for the instance or one recipient. */
    RATE_LIMITED,
    /** The free-form window with this recipient is closed: only a template may be sent. */
    NEEDS_TEMPLATE,
    /** The account or its credentials were refused: nothing can be sent until a human acts. */
    ACCOUNT
  }

  /** Who a rate limit applies to. */
  public enum Scope { INSTANCE, RECIPIENT }

  public static final int MAX_CODE_LENGTH = 64;
  public static final int MAX_REASON_LENGTH = 500;

  public static final String TIMEOUT = "timeout";
  public static final String DISCONNECTED = "disconnected";
  /** Provider answered 5xx. */
  public static final String PROVIDER_UNAVAILABLE = "provider_unavailable";
  /** Provider answered 429. */
  public static final String RATE_LIMITED = "rate_limited";
  public static final String NETWORK = "network";
  public static final String CIRCUIT_OPEN = "circuit_open";
  public static final String UNKNOWN = "unknown";
  public static final String INVALID_RECIPIENT = "invalid_recipient";
  public static final String NOT_ON_WHATSAPP = "not_on_whatsapp";
  public static final String BLOCKED = "blocked";
  public static final String BAD_MEDIA = "bad_media";
  public static final String UNSUPPORTED = "unsupported";
  public static final String PAYLOAD_REJECTED = "payload_rejected";
  public static final String AUTH = "auth";
  public static final String NEEDS_TEMPLATE = "needs_template";

  private static final Set<String> PERMANENT_CODES = Set.of(
      INVALID_RECIPIENT, NOT_ON_WHATSAPP, BLOCKED, BAD_MEDIA, UNSUPPORTED, PAYLOAD_REJECTED, AUTH);

  public SendError {
    Objects.requireNonNull(kind, "kind");
    code = normalizeCode(code);
    reason = truncate(reason == null ? "" : reason, MAX_REASON_LENGTH);
    if (kind == Kind.RATE_LIMITED) {
      retryAfter = retryAfter == null || retryAfter.isNegative() ? Duration.ZERO : retryAfter;
      scope = scope == null ? Scope.INSTANCE : scope;
    } else {
      retryAfter = null;
      scope = null;
    }
  }

  public SendError(String code, String reason, Kind kind) {
    this(code, reason, kind, null, null);
  }

  public static SendError retriable(String code, String reason) {
    return new SendError(code, reason, Kind.RETRIABLE);
  }

  public static SendError permanent(String code, String reason) {
    return new SendError(code, reason, Kind.PERMANENT);
  }

  /** The provider throttles; {@code retryAfter} null or negative means "as soon as the backoff allows". */
  public static SendError rateLimited(String code, String reason, Duration retryAfter, Scope scope) {
    return new SendError(code, reason, Kind.RATE_LIMITED, retryAfter, scope);
  }

  /** Outside the customer-care window: the message fails with {@value #NEEDS_TEMPLATE}. */
  public static SendError needsTemplate(String reason) {
    return new SendError(NEEDS_TEMPLATE, reason, Kind.NEEDS_TEMPLATE);
  }

  /** The account was refused (token revoked, number banned …): the instance pauses. */
  public static SendError account(String code, String reason) {
    return new SendError(code, reason, Kind.ACCOUNT);
  }

  /**
   * Classifies a provider's code. Only codes known to be final (the recipient, the content or
   * the account is wrong) are permanent. Everything else, including codes never seen before, is
   * retriable: wrongly retrying a final error costs at most {@code maxAttempts - 1} extra paced
   * attempts and still ends in {@code attempts_exhausted} naming the code, while wrongly giving
   * up on a transient error loses a message that would have gone out.
   */
  public static SendError classify(String code, String reason) {
    String normalized = normalizeCode(code);
    return new SendError(normalized, reason,
        PERMANENT_CODES.contains(normalized) ? Kind.PERMANENT : Kind.RETRIABLE);
  }

  /** Whether sending the same message again later can succeed (the retry ladder applies). */
  public boolean isRetriable() {
    return kind == Kind.RETRIABLE || kind == Kind.RATE_LIMITED || kind == Kind.ACCOUNT;
  }

  /** Lowercase snake_case, at most 64 characters, never empty ({@code unknown}). */
  public static String normalizeCode(String raw) {
    if (raw == null) {
      return UNKNOWN;
    }
    StringBuilder sb = new StringBuilder(Math.min(raw.length(), MAX_CODE_LENGTH));
    boolean pendingUnderscore = false;
    for (int i = 0; i < raw.length() && sb.length() < MAX_CODE_LENGTH; i++) {
      char c = Character.toLowerCase(raw.charAt(i));
      boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!word) {
        pendingUnderscore = sb.length() > 0;
        continue;
      }
      if (pendingUnderscore) {
        if (sb.length() + 2 > MAX_CODE_LENGTH) {
          break;
        }
        sb.append('_');
        pendingUnderscore = false;
      }
      sb.append(c);
    }
    return sb.length() == 0 ? UNKNOWN : sb.toString();
  }

  /** Cuts to at most {@code max} chars without splitting a surrogate pair. */
  static String truncate(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = max;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }
}
