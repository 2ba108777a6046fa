package org.wahub.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The rule of {@link StorableNumber} against a model of how PostgreSQL reads a numeric literal
 * (digits after the point as written, minus the exponent), right at the limits. The limits
 * themselves were checked on PostgreSQL 15: {@code '{"n":1e-16383}'::jsonb} is stored,
 * {@code 1e-16384}, {@code 1.0e-16383}, {@code 10e-16384}, {@code 0e-20000} and {@code 1e131072}
 * fail with "value overflows numeric format"; {@code 1e131071} is stored.
 */
class StorableNumberTest {

  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private static final OutboundValidator V = new OutboundValidator(OutboundValidator.Limits.defaults());
  private static final BigDecimal MAX_DOUBLE = new BigDecimal(Double.MAX_VALUE);

  /** PostgreSQL's display scale of a numeric literal: fraction digits as written minus the exponent, at least 0. */
  static long pgScale(String literal) {
    String s = literal.startsWith("-") ? literal.substring(1) : literal;
    long exponent = 0;
    int e = Math.max(s.indexOf('e'), s.indexOf('E'));
    if (e >= 0) {
      exponent = Long.parseLong(s.substring(e + 1).replace("+", ""));
      s = s.substring(0, e);
    }
    int dot = s.indexOf('.');
    long fraction = dot < 0 ? 0 : s.length() - dot - 1;
    return Math.max(0, fraction - exponent);
  }

  private static boolean storable(String literal) {
    return StorableNumber.problem(new BigDecimal(literal)).isEmpty();
  }

  @Test
  void boundariesOfTheFractionDigits() {
    assertThat(storable("1e-16383")).isTrue();
    assertThat(storable("-1e-16383")).isTrue();
    assertThat(storable("0.1e-16382")).isTrue();
    assertThat(storable("9.999e-16380")).isTrue();
    assertThat(storable("1e-16384")).isFalse();
    assertThat(storable("1.0e-16383")).isFalse();   // same value as 1e-16383, one more digit written
    assertThat(storable("10e-16384")).isFalse();
    assertThat(storable("1.5e-16383")).isFalse();
    assertThat(storable("0e-16383")).isTrue();
    assertThat(storable("0e-16384")).isFalse();
    assertThat(storable("0e-20000")).isFalse();
    assertThat(storable("1e-20000")).isFalse();
    assertThat(storable("1e-400")).isTrue();       // tiny, but PostgreSQL stores it exactly
    assertThat(storable("1e-999")).isTrue();
  }

  @Test
  void boundariesOfTheIntegerDigitsAndTheDoubleRange() {
    assertThat(storable("1e308")).isTrue();
    assertThat(storable("1.7976931348623157e308")).isTrue();
    assertThat(storable("1.7976931348623158e308")).isFalse();
    assertThat(StorableNumber.problem(new BigDecimal("1e131071")).orElseThrow()).contains("double");
    assertThat(StorableNumber.problem(new BigDecimal("1e131072")).orElseThrow()).contains("before the decimal point");
    assertThat(StorableNumber.problem(new BigDecimal("1e-16384")).orElseThrow()).contains("after the decimal point");
    assertThat(StorableNumber.problem(Double.NaN)).isPresent();
    assertThat(StorableNumber.problem(Double.POSITIVE_INFINITY)).isPresent();
    assertThat(StorableNumber.problem(Long.MIN_VALUE)).isEmpty();
    assertThat(StorableNumber.problem(Double.MIN_VALUE)).isEmpty();
    assertThat(StorableNumber.problem(new BigInteger("9".repeat(300)))).isEmpty();
  }

  /** The rule equals PostgreSQL's, read off the spelling the hub stores (BigDecimal#toString, as Jackson writes it). */
  @Property(tries = 2000)
  void refusedExactlyWhenPostgresWouldFailOrADoubleCannotHoldIt(@ForAll("decimals") BigDecimal d) {
    String stored = d.toString();
    assertThat(pgScale(stored)).isEqualTo(Math.max(0, d.scale()));
    long integerDigits = Math.max(0, (long) d.precision() - d.scale());
    boolean postgresStores = pgScale(stored) <= StorableNumber.MAX_FRACTION_DIGITS
        && integerDigits <= StorableNumber.MAX_INTEGER_DIGITS;
    boolean expected = postgresStores && d.abs().compareTo(MAX_DOUBLE) <= 0;
    assertThat(StorableNumber.problem(d).isEmpty()).as(stored).isEqualTo(expected);
  }

  /** Wherever an unstorable number hides in metadata, the error points at it and nothing is accepted. */
  @Property(tries = 500)
  void theErrorPointsAtTheUnstorableNumber(@ForAll("paths") List<Object> path, @ForAll @IntRange(min = 16384, max = 40000) int scale) {
    Object leaf = BigDecimal.ONE.scaleByPowerOfTen(-scale);
    Object tree = leaf;
    for (int i = path.size() - 1; i >= 0; i--) {
      Object step = path.get(i);
      if (step instanceof Integer index) {
        List<Object> list = new ArrayList<>();
        for (int k = 0; k < index; k++) {
          list.add(k);
        }
        list.add(tree);
        tree = list;
      } else {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("ok", 1.5);
        map.put((String) step, tree);
        tree = map;
      }
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("n", tree);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("to", "+4915112345678");
    body.put("text", "hi");
    body.put("metadata", metadata);
    ValidationResult r = V.validateMessage(body, null, NOW);
    assertThat(r).isInstanceOf(ValidationResult.Invalid.class);
    List<FieldError> errors = ((ValidationResult.Invalid) r).errors();
    StringBuilder pointer = new StringBuilder("/metadata/n");
    for (Object step : path) {
      pointer.append(FieldError.pointer(step));
    }
    assertThat(errors).extracting(e -> e.pointer()).containsExactly(pointer.toString());
    assertThat(errors.get(0).code()).isEqualTo(FieldError.OUT_OF_RANGE);
  }

  @Test
  void coordinatesAndMetadataOverHttpShapedBodies() {
    Map<String, Object> location = new LinkedHashMap<>();
    location.put("latitude", new BigDecimal("1e-20000"));
    location.put("longitude", new BigDecimal("1e-400"));
    ValidationResult r = V.validateMessage(Map.of("to", "+4915112345678", "location", location), null, NOW);
    assertThat(((ValidationResult.Invalid) r).errors()).extracting(e -> e.pointer()).containsExactly("/location/latitude");

    location.put("latitude", new BigDecimal("1e-16383"));
    assertThat(V.validateMessage(Map.of("to", "+4915112345678", "location", location), null, NOW))
        .isInstanceOf(ValidationResult.Valid.class);

    ValidationResult meta = V.validateMessage(Map.of("to", "+4915112345678", "text", "a",
        "metadata", Map.of("n", new BigDecimal("1e-20000"))), null, NOW);
    assertThat(((ValidationResult.Invalid) meta).errors()).extracting(e -> e.pointer()).containsExactly("/metadata/n");
    ValidationResult atLimit = V.validateMessage(Map.of("to", "+4915112345678", "text", "a",
        "metadata", Map.of("n", new BigDecimal("1e-16383"), "m", new BigDecimal("0e-16383"))), null, NOW);
    assertThat(atLimit).isInstanceOf(ValidationResult.Valid.class);
    ValidationResult inArray = V.validateMessage(Map.of("to", "+4915112345678", "text", "a",
        "metadata", Map.of("a/b", List.of(1, new BigDecimal("1.0e-16383")))), null, NOW);
    assertThat(((ValidationResult.Invalid) inArray).errors()).extracting(e -> e.pointer()).containsExactly("/metadata/a~1b/1");
  }

  @Provide
  Arbitrary<BigDecimal> decimals() {
    Arbitrary<BigInteger> unscaled = Arbitraries.oneOf(
        Arbitraries.bigIntegers().between(BigInteger.valueOf(-1000), BigInteger.valueOf(1000)),
        Arbitraries.strings().withChars('0', '9').ofMinLength(1).ofMaxLength(40).map(BigInteger::new));
    Arbitrary<Integer> scale = Arbitraries.oneOf(
        Arbitraries.integers().between(16370, 16400),
        Arbitraries.integers().between(-400, 400),
        Arbitraries.integers().between(-140_000, 40_000));
    return Combinators.combine(unscaled, scale).as(BigDecimal::new);
  }

  @Provide
  Arbitrary<List<Object>> paths() {
    Arbitrary<Object> step = Arbitraries.oneOf(
        Arbitraries.integers().between(0, 3).map(i -> (Object) i),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(6).withChars("ab~/ é").map(s -> (Object) s));
    return step.list().ofMaxSize(6);
  }
}
