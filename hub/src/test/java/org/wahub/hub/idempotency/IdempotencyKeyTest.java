package org.wahub.hub.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyTest {

  @ParameterizedTest
  @ValueSource(strings = {"order:shop1:1001:confirm:v1", "x", "autox", "auto", "a-b_c.d~e!#$%&'()*+,/;<=>?@[]^`{|}\"\\",
      "my:auto:key"})
  void validExplicitKeys(String key) {
    assertThat(IdempotencyKey.validateExplicit(key)).isEmpty();
  }

  @Test
  void lengthBoundariesAre1And255() {
    assertThat(IdempotencyKey.validateExplicit("")).isPresent();
    assertThat(IdempotencyKey.validateExplicit("k")).isEmpty();
    assertThat(IdempotencyKey.validateExplicit("k".repeat(255))).isEmpty();
    assertThat(IdempotencyKey.validateExplicit("k".repeat(256))).get().asString().contains("255");
    assertThat(IdempotencyKey.validateExplicit(null)).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"has space", "tab\there", "nl\n", "nul\u0000", "del\u007f", "caf\u00e9", "\u00a0nbsp",
      "emoji\uD83D\uDE00", "fullwidth\uFF41"})
  void onlyPrintableAsciiWithoutSpaces(String key) {
    assertThat(IdempotencyKey.validateExplicit(key)).get().asString().contains("printable ASCII");
  }

  @ParameterizedTest
  @ValueSource(strings = {"auto:", "auto:abc", "AUTO:abc", "Auto:x"})
  void theAutoPrefixIsReserved(String key) {
    assertThat(IdempotencyKey.validateExplicit(key)).get().asString().contains("reserved");
  }

  @Test
  void derivedKeysAreAutoPlusLowercaseSha256Hex() {
    String key = IdempotencyKey.derive("shop1-main", "4915112345678@c.us", "{\"text\":\"hi\"}");
    assertThat(key).matches("auto:[0-9a-f]{64}");
    assertThat(IdempotencyKey.isDerived(key)).isTrue();
    assertThat(IdempotencyKey.validateExplicit(key)).as("a derived key can never pass as explicit").isPresent();
  }

  @Test
  void derivationIsDeterministicAndSeparatesEveryPart() {
    String base = IdempotencyKey.derive("i", "r@c.us", "p");
    assertThat(IdempotencyKey.derive("i", "r@c.us", "p")).isEqualTo(base);
    assertThat(List.of(
        IdempotencyKey.derive("i2", "r@c.us", "p"),
        IdempotencyKey.derive("i", "r2@c.us", "p"),
        IdempotencyKey.derive("i", "r@c.us", "p2"))).doesNotContain(base).doesNotHaveDuplicates();
    // concatenation would make these equal; the length prefixes keep them apart
    assertThat(IdempotencyKey.derive("ab", "c", "p")).isNotEqualTo(IdempotencyKey.derive("a", "bc", "p"));
    assertThat(IdempotencyKey.derive("a", "bc", "")).isNotEqualTo(IdempotencyKey.derive("a", "b", "c"));
    assertThat(IdempotencyKey.derive("", "", "x")).isNotEqualTo(IdempotencyKey.derive("", "x", ""));
  }

  @Test
  void memberOrderAndWhitespaceOfThePayloadDoNotChangeTheKeyThroughCanonicalJson() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("text", "Your order shipped");
    a.put("metadata", Map.of("orderId", 1001));
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("metadata", Map.of("orderId", 1001.0));
    b.put("text", "Your order shipped");
    assertThat(IdempotencyKey.derive("i", "r@c.us", CanonicalJson.write(a)))
        .isEqualTo(IdempotencyKey.derive("i", "r@c.us", CanonicalJson.write(b)));
    assertThat(IdempotencyKey.payloadHash(CanonicalJson.write(a))).isEqualTo(IdempotencyKey.payloadHash(CanonicalJson.write(b)));
  }

  @Test
  void payloadHashIsPlainSha256Hex() {
    assertThat(IdempotencyKey.payloadHash("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(IdempotencyKey.payloadHash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
