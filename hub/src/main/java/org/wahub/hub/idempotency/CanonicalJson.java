package org.wahub.hub.idempotency;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One byte sequence per JSON value, so that "the same payload" can be hashed: two requests that
 * differ only in key order, whitespace or the spelling of a number serialize identically.
 *
 * <p>Input is a JSON tree as a JSON parser produces it: {@code Map<String, ?>}, {@code List<?>},
 * {@code String}, {@code Number} (Byte, Short, Integer, Long, BigInteger, Float, Double,
 * BigDecimal), {@code Boolean} and {@code null}. (Vert.x {@code JsonObject}/{@code JsonArray}
 * must be unwrapped with {@code getMap()}/{@code getList()} first.) Anything else, a non-string
 * key, a NaN or infinite number (no JSON spelling) or nesting deeper than
 * {@value #DEFAULT_MAX_DEPTH} levels (which also catches cycles) is a programming error and
 * throws {@link IllegalArgumentException}.
 *
 * <h2>Rules (after RFC 8785, JCS)</h2>
 * <ul>
 * <li>No insignificant whitespace. Object members sorted by key, comparing UTF-16 code units
 * ({@link String#compareTo}).</li>
 * <li>Strings: {@code "} and <code>&#92;</code> escaped, the control characters U+0000..U+001F written as
 * <code>&#92;b &#92;t &#92;n &#92;f &#92;r</code> or <code>&#92;u00xx</code> (lowercase hex), everything else literal. JCS rejects
 * lone surrogates; rather than fail we write them as <code>&#92;udxxx</code> escapes, so the output is
 * always well-formed UTF-16 and still unambiguous.</li>
 * <li>Numbers: the exact decimal value (floats via their shortest decimal repr), trailing zeros
 * stripped, then laid out like ECMAScript's {@code Number.prototype.toString}: plain digits for
 * decimal exponents in (-7, 21], otherwise {@code d.ddde±n}. Hence 1, 1.0, 1.00, 1E0 and 1e0
 * all become {@code 1}, -0.0 becomes {@code 0}, 1E21 becomes {@code 1e+21}. Unlike JCS the
 * digits are exact, not rounded to a double: a payload is never silently changed.</li>
 * </ul>
 */
public final class CanonicalJson {

  public static final int DEFAULT_MAX_DEPTH = 1000;

  private CanonicalJson() {
  }

  /** The canonical form of {@code value}; see the class comment for what is accepted. */
  public static String write(Object value) {
    Writer w = new Writer(Long.MAX_VALUE, DEFAULT_MAX_DEPTH, true);
    try {
      w.value(value, 0);
    } catch (LimitExceeded e) {
      throw new IllegalArgumentException("JSON value nested deeper than " + DEFAULT_MAX_DEPTH + " levels (or cyclic)");
    }
    return w.out.toString();
  }

  /**
   * The canonical form if it fits in {@code maxUtf8Bytes} bytes of UTF-8 and {@code maxDepth}
   * levels of nesting (a scalar is depth 0, {@code {}} and {@code []} are depth 1), else empty.
   * Stops as soon as a limit is passed, so a huge input costs no more than the limit.
   */
  public static Optional<String> writeBounded(Object value, int maxUtf8Bytes, int maxDepth) {
    Writer w = new Writer(maxUtf8Bytes, maxDepth, false);
    try {
      w.value(value, 0);
    } catch (LimitExceeded e) {
      return Optional.empty();
    }
    return Optional.of(w.out.toString());
  }

  /** The canonical form of a number alone (see the class comment). */
  public static String number(Number n) {
    BigDecimal d = toBigDecimal(n);
    if (d.signum() == 0) {
      return "0";
    }
    return layOut(d.stripTrailingZeros());
  }

  private static final BigDecimal MAX_DOUBLE = new BigDecimal(Double.MAX_VALUE);

  private static BigDecimal toBigDecimal(Number n) {
    BigDecimal exact = exactValue(n);
    if (exact == null) {
      if (n instanceof Double || n instanceof Float) {
        requireFinite(n.doubleValue());
      }
      throw new IllegalArgumentException("not a JSON number type: " + n.getClass().getName());
    }
    // like RFC 8785: a number no IEEE double can hold (1e999) is not interoperable JSON; most
    // readers of the stored payload would turn it into Infinity
    if (exact.abs().compareTo(MAX_DOUBLE) > 0) {
      throw new IllegalArgumentException("number outside the IEEE 754 double range: " + exact.toString().substring(0,
          Math.min(40, exact.toString().length())));
    }
    return exact;
  }

  /**
   * The exact decimal value of a JSON number as a parser hands it over, or null when it has none
   * (NaN, infinity, a Number type no JSON parser produces). Doubles and floats are taken by their
   * shortest decimal spelling, which is what the JSON text said.
   */
  public static BigDecimal exactValue(Number n) {
    if (n instanceof BigDecimal b) {
      return b;
    }
    if (n instanceof BigInteger b) {
      return new BigDecimal(b);
    }
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return BigDecimal.valueOf(n.longValue());
    }
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return Double.isFinite(d) ? new BigDecimal(n.toString()) : null;
    }
    return null;
  }

  private static void requireFinite(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("JSON has no spelling for " + d);
    }
  }

  private static String layOut(BigDecimal stripped) {
    String digits = stripped.unscaledValue().abs().toString();
    int k = digits.length();
    long n = (long) k - stripped.scale(); // value = 0.<digits> x 10^n
    StringBuilder sb = new StringBuilder(k + 8);
    if (stripped.signum() < 0) {
      sb.append('-');
    }
    if (k <= n && n <= 21) {
      sb.append(digits);
      for (long i = k; i < n; i++) {
        sb.append('0');
      }
    } else if (0 < n && n <= 21) {
      sb.append(digits, 0, (int) n).append('.').append(digits, (int) n, k);
    } else if (-6 < n && n <= 0) {
      sb.append("0.");
      for (long i = n; i < 0; i++) {
        sb.append('0');
      }
      sb.append(digits);
    } else {
      long e = n - 1;
      sb.append(digits.charAt(0));
      if (k > 1) {
        sb.append('.').append(digits, 1, k);
      }
      sb.append('e').append(e > 0 ? '+' : '-').append(Math.abs(e));
    }
    return sb.toString();
  }

  /** Thrown inside the writer when a bound is passed; never escapes this class. */
  private static final class LimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LimitExceeded() {
      super(null, null, false, false);
    }
  }

  private static final class Writer {
    final StringBuilder out = new StringBuilder(64);
    final long maxBytes;
    final int maxDepth;
    final boolean unbounded;
    long bytes;

    Writer(long maxBytes, int maxDepth, boolean unbounded) {
      this.maxBytes = maxBytes;
      this.maxDepth = maxDepth;
      this.unbounded = unbounded;
    }

    void value(Object v, int depth) {
      if (v == null) {
        ascii("null");
      } else if (v instanceof String s) {
        string(s);
      } else if (v instanceof Boolean b) {
        ascii(b ? "true" : "false");
      } else if (v instanceof Number n) {
        BigDecimal d = toBigDecimal(n);
        if (!unbounded && d.precision() > maxBytes - bytes) {
          throw new LimitExceeded();
        }
        ascii(d.signum() == 0 ? "0" : layOut(d.stripTrailingZeros()));
      } else if (v instanceof Map<?, ?> map) {
        enter(depth);
        List<String> keys = new ArrayList<>(map.size());
        for (Object k : map.keySet()) {
          if (!(k instanceof String key)) {
            throw new IllegalArgumentException("JSON object keys are strings, found " + describe(k));
          }
          keys.add(key);
        }
        keys.sort(null);
        ascii("{");
        for (int i = 0; i < keys.size(); i++) {
          if (i > 0) {
            ascii(",");
          }
          string(keys.get(i));
          ascii(":");
          value(map.get(keys.get(i)), depth + 1);
        }
        ascii("}");
      } else if (v instanceof List<?> list) {
        enter(depth);
        ascii("[");
        boolean first = true;
        for (Object item : list) {
          if (!first) {
            ascii(",");
          }
          first = false;
          value(item, depth + 1);
        }
        ascii("]");
      } else {
        throw new IllegalArgumentException("not a JSON value: " + describe(v));
      }
    }

    private void enter(int depth) {
      if (depth + 1 > maxDepth) {
        throw new LimitExceeded();
      }
    }

    private void ascii(String s) {
      out.append(s);
      count(s.length());
    }

    private void count(long n) {
      bytes += n;
      if (bytes > maxBytes) {
        throw new LimitExceeded();
      }
    }

    private void string(String s) {
      out.append('"');
      count(1);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> escape("\\\"");
          case '\\' -> escape("\\\\");
          case '\b' -> escape("\\b");
          case '\f' -> escape("\\f");
          case '\n' -> escape("\\n");
          case '\r' -> escape("\\r");
          case '\t' -> escape("\\t");
          default -> {
            if (c < 0x20) {
              unicodeEscape(c);
            } else if (c < 0x80) {
              out.append(c);
              count(1);
            } else if (c < 0x800) {
              out.append(c);
              count(2);
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
              out.append(c).append(s.charAt(i + 1));
              i++;
              count(4);
            } else if (Character.isSurrogate(c)) {
              unicodeEscape(c);
            } else {
              out.append(c);
              count(3);
            }
          }
        }
      }
      out.append('"');
      count(1);
    }

    private void escape(String e) {
      out.append(e);
      count(e.length());
    }

    private void unicodeEscape(char c) {
      String hex = Integer.toHexString(c);
      out.append("\\u");
      for (int pad = hex.length(); pad < 4; pad++) {
        out.append('0');
      }
      out.append(hex);
      count(6);
    }

    private static String describe(Object o) {
      return o == null ? "null" : o.getClass().getName();
    }
  }
}
