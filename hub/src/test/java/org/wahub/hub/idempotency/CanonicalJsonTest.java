package org.wahub.hub.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void numbersBeyondTheDoubleRangeAreNotJson() {
    assertThatThrownBy(() -> CanonicalJson.write(new java.math.BigDecimal("1e999")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CanonicalJson.write(new java.math.BigDecimal("-1e999")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CanonicalJson.number(new BigDecimal("1E+1000000000")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(CanonicalJson.write(new java.math.BigDecimal("1e308"))).isEqualTo("1e+308");
    assertThat(CanonicalJson.write(new java.math.BigDecimal("1e-999"))).isNotEmpty();
  }

  @Test
  void keyOrderDoesNotMatterAtAnyDepth() {
    Map<String, Object> a = ordered("to", "4915@c.us", "content", ordered("text", "hi", "b", List.of(1, ordered("y", 1, "x", 2))));
    Map<String, Object> b = ordered("content", ordered("b", List.of(1, ordered("x", 2, "y", 1)), "text", "hi"), "to", "4915@c.us");
    assertThat(CanonicalJson.write(a))
        .isEqualTo(CanonicalJson.write(b))
        .isEqualTo("{\"content\":{\"b\":[1,{\"x\":2,\"y\":1}],\"text\":\"hi\"},\"to\":\"4915@c.us\"}");
  }

  @Test
  void hasNoInsignificantWhitespaceAndKeepsNulls() {
    Map<String, Object> m = new HashMap<>();
    m.put("c", true);
    m.put("a", Arrays.asList(1, null, List.of(), Map.of()));
    m.put("b", null);
    assertThat(CanonicalJson.write(m)).isEqualTo("{\"a\":[1,null,[],{}],\"b\":null,\"c\":true}");
  }

  @Test
  void keysAreSortedByUtf16CodeUnitsNotByCodePoints() {
    // U+00E9 < U+D83D (high surrogate of U+1F600) < U+FB01, although U+1F600 > U+FB01 as code points
    Map<String, Object> m = ordered("\uFB01", 3, "\uD83D\uDE00", 2, "\u00E9", 1, "Z", 0, "a", 0);
    assertThat(CanonicalJson.write(m)).isEqualTo("{\"Z\":0,\"a\":0,\"\u00E9\":1,\"\uD83D\uDE00\":2,\"\uFB01\":3}");
  }

  @Test
  void oneValueHasOneSpellingWhateverTheNumberType() {
    List<Number> ones = List.of(1, 1L, (short) 1, (byte) 1, 1.0, 1.0f, BigInteger.ONE, new BigDecimal("1"),
        new BigDecimal("1.0"), new BigDecimal("1.00"), new BigDecimal("1E0"), new BigDecimal("0.1E1"), new BigDecimal("10E-1"));
    for (Number n : ones) {
      assertThat(CanonicalJson.write(n)).as("%s (%s)", n, n.getClass().getSimpleName()).isEqualTo("1");
    }
  }

  @Test
  void numbersAreLaidOutLikeEcmaScript() {
    assertThat(CanonicalJson.number(-0.0)).isEqualTo("0");
    assertThat(CanonicalJson.number(new BigDecimal("0E+5"))).isEqualTo("0");
    assertThat(CanonicalJson.number(0.1)).isEqualTo("0.1");
    assertThat(CanonicalJson.number(0.1f)).isEqualTo("0.1");
    assertThat(CanonicalJson.number(123.456)).isEqualTo("123.456");
    assertThat(CanonicalJson.number(-1500.0)).isEqualTo("-1500");
    assertThat(CanonicalJson.number(new BigDecimal("-1.5E+3"))).isEqualTo("-1500");
    assertThat(CanonicalJson.number(1e20)).isEqualTo("100000000000000000000");
    assertThat(CanonicalJson.number(1e21)).isEqualTo("1e+21");
    assertThat(CanonicalJson.number(new BigDecimal("123456789012345678901234"))).isEqualTo("1.23456789012345678901234e+23");
    assertThat(CanonicalJson.number(0.000001)).isEqualTo("0.000001");
    assertThat(CanonicalJson.number(1e-7)).isEqualTo("1e-7");
    assertThat(CanonicalJson.number(new BigDecimal("-2.50E-9"))).isEqualTo("-2.5e-9");
    assertThat(CanonicalJson.number(Long.MAX_VALUE)).isEqualTo("9223372036854775807");
    assertThat(CanonicalJson.number(Long.MIN_VALUE)).isEqualTo("-9223372036854775808");
    // exact digits: a decimal is never rounded to a double
    assertThat(CanonicalJson.number(new BigDecimal("0.12345678901234567890123"))).isEqualTo("0.12345678901234567890123");
  }

  @Test
  void stringsUseTheMinimalJcsEscapes() {
    String raw = "q\" b\\ \b\f\n\r\t \u0000\u001f / \u007f \u00e9 \u2028 \uD83D\uDE00";
    assertThat(CanonicalJson.write(raw)).isEqualTo(
        "\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0000\\u001f / \u007f \u00e9 \u2028 \uD83D\uDE00\"");
  }

  @Test
  void loneSurrogatesAreEscapedRatherThanRejected() {
    assertThat(CanonicalJson.write("a\uD800b")).isEqualTo("\"a\\ud800b\"");
    assertThat(CanonicalJson.write("\uDC00")).isEqualTo("\"\\udc00\"");
    assertThat(CanonicalJson.write("\uDE00\uD83D")).isEqualTo("\"\\ude00\\ud83d\"");
  }

  @Test
  void nonJsonValuesAreProgrammingErrors() {
    assertThatThrownBy(() -> CanonicalJson.write(Set.of(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CanonicalJson.write(new Object())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CanonicalJson.write(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CanonicalJson.write(Float.NEGATIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CanonicalJson.write(new java.util.concurrent.atomic.AtomicInteger(1)))
        .isInstanceOf(IllegalArgumentException.class);
    Map<Object, Object> intKey = new TreeMap<>();
    intKey.put(1, "x");
    assertThatThrownBy(() -> CanonicalJson.write(intKey)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cyclesAndAbsurdNestingAreRefusedInsteadOfOverflowingTheStack() {
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    assertThatThrownBy(() -> CanonicalJson.write(cyclic)).isInstanceOf(IllegalArgumentException.class);
    Object deep = "x";
    for (int i = 0; i < CanonicalJson.DEFAULT_MAX_DEPTH; i++) {
      deep = List.of(deep);
    }
    assertThat(CanonicalJson.write(deep)).startsWith("[[[").endsWith("]]]");
    Object tooDeep = List.of(deep);
    assertThatThrownBy(() -> CanonicalJson.write(tooDeep)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theBoundedWriterCountsUtf8BytesAndNestingExactly() {
    assertThat(CanonicalJson.writeBounded("\u00e9", 4, 0)).contains("\"\u00e9\""); // 2 quotes + 2 bytes
    assertThat(CanonicalJson.writeBounded("\u00e9", 3, 0)).isEmpty();
    assertThat(CanonicalJson.writeBounded("\uD83D\uDE00", 6, 0)).isPresent();
    assertThat(CanonicalJson.writeBounded("\uD83D\uDE00", 5, 0)).isEmpty();
    assertThat(CanonicalJson.writeBounded("\u20AC", 5, 0)).isPresent(); // euro sign: 3 bytes
    assertThat(CanonicalJson.writeBounded("\u20AC", 4, 0)).isEmpty();
    assertThat(CanonicalJson.writeBounded(Map.of("a", Map.of()), 100, 2)).contains("{\"a\":{}}");
    assertThat(CanonicalJson.writeBounded(Map.of("a", Map.of()), 100, 1)).isEmpty();
    assertThat(CanonicalJson.writeBounded(7, 100, 0)).contains("7");
    assertThat(CanonicalJson.writeBounded("x".repeat(1_000_000), 100, 5)).isEmpty();
  }
}
