package org.wahub.hub.validation;

import java.util.Objects;

/**
 * One problem with a request, for the {@code errors} list of an RFC 9457 problem.
 *
 * @param pointer an RFC 6901 JSON pointer into the request body ({@code /to},
 *                {@code /options/3}, {@code /media/url}; {@code ""} is the whole body), or
 *                {@value #HEADER_IDEMPOTENCY_KEY} for the header
 * @param code    one of the constants below; stable, for programs
 * @param message for humans; may change
 */
public record FieldError(String pointer, String code, String message) {

  public static final String REQUIRED = "required";
  public static final String INVALID_TYPE = "invalid_type";
  public static final String TOO_LONG = "too_long";
  public static final String TOO_SHORT = "too_short";
  public static final String INVALID_FORMAT = "invalid_format";
  public static final String INVALID_VALUE = "invalid_value";
  public static final String DUPLICATE = "duplicate";
  public static final String UNKNOWN_FIELD = "unknown_field";
  public static final String CONFLICT = "conflict";
  public static final String OUT_OF_RANGE = "out_of_range";
  /** Valid, but the instance's provider cannot carry it (a poll it cannot map, a template on a web session). */
  public static final String UNSUPPORTED_BY_PROVIDER = "unsupported_by_provider";

  public static final String HEADER_IDEMPOTENCY_KEY = "/header/Idempotency-Key";

  public FieldError {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }

  /**
   * The JSON pointer to a member or element, escaping {@code ~} as {@code ~0} and {@code /} as
   * {@code ~1}: {@code pointer("media", "url")} is {@code /media/url},
   * {@code pointer("a/b")} is {@code /a~1b}, no tokens is {@code ""}.
   */
  public static String pointer(Object... tokens) {
    StringBuilder sb = new StringBuilder();
    for (Object token : tokens) {
      sb.append('/').append(String.valueOf(token).replace("~", "~0").replace("/", "~1"));
    }
    return sb.toString();
  }
}
