package org.wahub.hub.validation;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.wahub.hub.idempotency.CanonicalJson;

/**
 * Which JSON numbers the hub can store. Payloads and metadata are stored as PostgreSQL
 * {@code jsonb}, whose numbers are {@code numeric}: at most {@value #MAX_INTEGER_DIGITS} digits
 * before the decimal point and {@value #MAX_FRACTION_DIGITS} after it. PostgreSQL counts the
 * digits after the point <em>as written</em>, trailing zeros included ({@code 1.0e-16383} and
 * {@code 0e-20000} fail although {@code 1e-16383} and {@code 0} fit), and the hub writes a number
 * as it was given (a {@link BigDecimal}'s own spelling has exactly {@link BigDecimal#scale()}
 * digits after the point, whether plain or with an exponent). So the rule is on the number as
 * given: its scale and its digits before the point.
 *
 * <p>Refusing here matters beyond the one request: a number PostgreSQL refuses fails the whole
 * group-commit statement, and the intake then retries every neighbour of that batch alone.
 *
 * <p>On top of that, numbers beyond the IEEE 754 double range ({@code 1e999}) are refused like
 * {@link CanonicalJson} does: most readers of the stored payload would see Infinity.
 */
public final class StorableNumber {

  /** PostgreSQL's NUMERIC_DSCALE_MAX: digits after the decimal point. */
  public static final int MAX_FRACTION_DIGITS = 16383;
  /** PostgreSQL's limit on digits before the decimal point of a numeric. */
  public static final int MAX_INTEGER_DIGITS = 131072;

  private static final BigDecimal MAX_DOUBLE = new BigDecimal(Double.MAX_VALUE);

  private StorableNumber() {
  }

  /** Empty when {@code n} can be stored as given, else why not (for a field error's message). */
  public static Optional<String> problem(Number n) {
    BigDecimal exact = CanonicalJson.exactValue(n);
    if (exact == null) {
      return Optional.of("must be a finite number");
    }
    if (exact.scale() > MAX_FRACTION_DIGITS) {
      return Optional.of("has more than " + MAX_FRACTION_DIGITS + " digits after the decimal point as written"
          + " (trailing zeros and exponent included); it cannot be stored");
    }
    if ((long) exact.precision() - exact.scale() > MAX_INTEGER_DIGITS) {
      return Optional.of("has more than " + MAX_INTEGER_DIGITS + " digits before the decimal point; it cannot be stored");
    }
    if (exact.abs().compareTo(MAX_DOUBLE) > 0) {
      return Optional.of("is outside the range of an IEEE 754 double (about 1.8e308)");
    }
    return Optional.empty();
  }

  /**
   * The first number in a JSON tree that cannot be stored, as a field error with its JSON pointer
   * (below {@code base}), or empty. Looks at most {@code maxDepth} levels deep: deeper trees are
   * refused by the caller's depth rule anyway, and this bounds the walk on hostile input.
   */
  public static Optional<FieldError> firstUnstorable(Object tree, String base, int maxDepth) {
    return walk(tree, base, maxDepth);
  }

  private static Optional<FieldError> walk(Object node, String pointer, int remaining) {
    if (node instanceof Number n) {
      // NaN and number types no parser produces are not JSON at all: the caller's JSON check reports them
      if (CanonicalJson.exactValue(n) == null) {
        return Optional.empty();
      }
      return problem(n).map(why -> new FieldError(pointer, FieldError.OUT_OF_RANGE, why));
    }
    if (remaining <= 0) {
      return Optional.empty();
    }
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Optional<FieldError> found = walk(e.getValue(), pointer + FieldError.pointer(e.getKey()), remaining - 1);
        if (found.isPresent()) {
          return found;
        }
      }
    } else if (node instanceof List<?> list) {
      int i = 0;
      for (Object item : list) {
        Optional<FieldError> found = walk(item, pointer + "/" + i++, remaining - 1);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }
}
