package org.wahub.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wahub.hub.idempotency.CanonicalJson;
import org.wahub.hub.idempotency.IdempotencyKey;

class OutboundValidatorTest {

  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final String PHONE = "+4915112345678";
  static final String CHAT = "4915112345678@c.us";
  static final OutboundValidator V = new OutboundValidator(OutboundValidator.Limits.defaults());

  /** A mutable body from alternating keys and values. */
  static Map<String, Object> body(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static Map<String, Object> text(String text) {
    return body("to", PHONE, "text", text);
  }

  static OutboundRequest valid(ValidationResult r) {
    assertThat(r).as("expected valid, got %s", r).isInstanceOf(ValidationResult.Valid.class);
    return ((ValidationResult.Valid) r).request();
  }

  /** The errors as "pointer code" strings, in order. */
  static List<String> errors(ValidationResult r) {
    assertThat(r).as("expected invalid").isInstanceOf(ValidationResult.Invalid.class);
    return ((ValidationResult.Invalid) r).errors().stream().map(e -> e.pointer() + " " + e.code()).toList();
  }

  static List<String> messageErrors(Map<String, Object> body) {
    return errors(V.validateMessage(body, null, NOW));
  }

  static List<String> pollErrors(Map<String, Object> body) {
    return errors(V.validatePoll(body, null, NOW));
  }

  @Test
  void limitsDefaultsAreTheContracts() {
    assertThat(OutboundValidator.Limits.defaults()).isEqualTo(
        new OutboundValidator.Limits(4096, 255, 100, 2, 12, 8192, Duration.ofDays(365)));
  }

  @Test
  void aPlainTextMessageIsValidAndNormalized() {
    OutboundRequest r = valid(V.validateMessage(text("Hello"), null, NOW));
    assertThat(r.kind()).isEqualTo(OutboundRequest.Kind.TEXT);
    assertThat(r.recipient().chatId()).isEqualTo(CHAT);
    assertThat(r.content()).isEqualTo(Map.of("text", "Hello"));
    assertThat(r.explicitKey()).isNull();
    assertThat(r.sendAt()).isNull();
    assertThat(r.expiresAt()).isNull();
    assertThat(r.metadata()).isNull();
    assertThat(r.canonicalPayload()).isEqualTo("{\"content\":{\"text\":\"Hello\"},\"kind\":\"text\",\"to\":\"" + CHAT + "\"}");
  }

  @Test
  void aMissingBodyIsOneErrorAtTheRoot() {
    assertThat(errors(V.validateMessage(null, null, NOW))).containsExactly(" required");
    assertThat(errors(V.validatePoll(null, null, NOW))).containsExactly(" required");
  }

  @Nested
  class Recipient {
    @Test
    void isRequired() {
      assertThat(messageErrors(body("text", "hi"))).containsExactly("/to required");
      assertThat(messageErrors(body("to", null, "text", "hi"))).containsExactly("/to required");
    }

    @Test
    void mustBeAString() {
      assertThat(messageErrors(body("to", 4915112345678L, "text", "hi"))).containsExactly("/to invalid_type");
    }

    @Test
    void mustBeAPhoneNumberOrChatId() {
      assertThat(messageErrors(body("to", "015112345678", "text", "hi"))).containsExactly("/to invalid_format");
      assertThat(messageErrors(body("to", "", "text", "hi"))).containsExactly("/to invalid_format");
    }

    @Test
    void groupsAreAccepted() {
      assertThat(valid(V.validateMessage(body("to", "120363025246125486@g.us", "text", "hi"), null, NOW))
          .recipient().isGroup()).isTrue();
    }
  }

  @Nested
  class Template {
    Map<String, Object> template(Object... kv) {
      return body("to", PHONE, "template", body(kv));
    }

    @Test
    void nameLanguageAndComponentsAreKept() {
      List<Object> components = List.of(body("type", "body", "parameters",
          List.of(body("type", "text", "text", "100"))));
      OutboundRequest r = valid(V.validateMessage(template("name", "order_update", "language", "en_US",
          "components", components), null, NOW));
      assertThat(r.kind()).isEqualTo(OutboundRequest.Kind.TEMPLATE);
      assertThat(r.content()).containsEntry("name", "order_update").containsEntry("language", "en_US")
          .containsEntry("components", components);
    }

    @Test
    void componentsAreOptional() {
      assertThat(valid(V.validateMessage(template("name", "hello_world", "language", "en"), null, NOW)).content())
          .doesNotContainKey("components");
    }

    @Test
    void nameAndLanguageAreRequiredAndChecked() {
      assertThat(messageErrors(template())).containsExactly("/template/name required", "/template/language required");
      assertThat(messageErrors(template("name", "Order Update", "language", "english")))
          .containsExactly("/template/name invalid_format", "/template/language invalid_format");
    }

    @Test
    void componentsMustBeTypedObjectsAndBounded() {
      assertThat(messageErrors(template("name", "a", "language", "en", "components", "body")))
          .containsExactly("/template/components invalid_type");
      assertThat(messageErrors(template("name", "a", "language", "en", "components", List.of(body("x", 1), "y"))))
          .containsExactly("/template/components/0 invalid_type", "/template/components/1 invalid_type");
      List<Object> many = new ArrayList<>();
      for (int i = 0; i < 21; i++) {
        many.add(body("type", "body"));
      }
      assertThat(messageErrors(template("name", "a", "language", "en", "components", many)))
          .containsExactly("/template/components too_long");
      assertThat(messageErrors(template("name", "a", "language", "en", "components",
          List.of(body("type", "body", "text", "x".repeat(20_000)))))).containsExactly("/template/components too_long");
    }

    @Test
    void unknownFieldsAreRefused() {
      assertThat(messageErrors(template("name", "a", "language", "en", "namespace", "x")))
          .containsExactly("/template/namespace unknown_field");
    }
  }

  @Nested
  class Content {
    @Test
    void oneKindIsRequired() {
      assertThat(messageErrors(body("to", PHONE))).containsExactly(" required");
    }

    @Test
    void onlyOneKindIsAllowed() {
      Map<String, Object> b = text("hi");
      b.put("location", body("latitude", 1, "longitude", 2));
      b.put("contact", body("name", "A", "phone", PHONE));
      assertThat(messageErrors(b)).containsExactly("/location conflict", "/contact conflict");
    }

    @Test
    void nullContentFieldsCountAsAbsent() {
      Map<String, Object> b = text("hi");
      b.put("media", null);
      b.put("metadata", null);
      b.put("sendAt", null);
      assertThat(valid(V.validateMessage(b, null, NOW)).kind()).isEqualTo(OutboundRequest.Kind.TEXT);
    }
  }

  @Nested
  class Text {
    @Test
    void mustBeAString() {
      assertThat(messageErrors(body("to", PHONE, "text", 42))).containsExactly("/text invalid_type");
      assertThat(messageErrors(body("to", PHONE, "text", List.of("a")))).containsExactly("/text invalid_type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n\t ", "\u2003"})
    void mustNotBeBlank(String blank) {
      assertThat(messageErrors(text(blank))).containsExactly("/text too_short");
    }

    @Test
    void isAtMost4096CodePoints() {
      assertThat(valid(V.validateMessage(text("a".repeat(4096)), null, NOW)).content().get("text")).isEqualTo("a".repeat(4096));
      assertThat(messageErrors(text("a".repeat(4097)))).containsExactly("/text too_long");
    }

    @Test
    void anEmojiCountsAsOneCharacter() {
      String emoji = "\uD83D\uDE00";
      assertThat(V.validateMessage(text(emoji.repeat(4096)), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(messageErrors(text(emoji.repeat(4097)))).containsExactly("/text too_long");
    }

    @Test
    void isKeptAsWritten() {
      assertThat(valid(V.validateMessage(text("  *bold*\n"), null, NOW)).content().get("text")).isEqualTo("  *bold*\n");
    }
  }

  @Nested
  class Media {
    Map<String, Object> media(Object... kv) {
      return body("to", PHONE, "media", body(kv));
    }

    @Test
    void aCompleteMediaMessageIsNormalized() {
      OutboundRequest r = valid(V.validateMessage(media("url", "https://cdn.example.com/a.jpg", "mimetype", "IMAGE/JPEG",
          "filename", "a.jpg", "caption", "Your invoice"), null, NOW));
      assertThat(r.kind()).isEqualTo(OutboundRequest.Kind.MEDIA);
      assertThat(r.content()).containsExactly(Map.entry("url", "https://cdn.example.com/a.jpg"),
          Map.entry("mimetype", "image/jpeg"), Map.entry("filename", "a.jpg"), Map.entry("caption", "Your invoice"));
    }

    @Test
    void mustBeAnObject() {
      assertThat(messageErrors(body("to", PHONE, "media", "https://x.example/a.jpg"))).containsExactly("/media invalid_type");
    }

    @Test
    void urlAndMimetypeAreRequired() {
      assertThat(messageErrors(media("caption", "x"))).containsExactly("/media/url required", "/media/mimetype required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/a.jpg", "/relative/a.jpg", "example.com/a.jpg", "http://", "https:///a.jpg",
        "http://exa mple.com/a.jpg", "javascript:alert(1)", "file:///etc/passwd", "http://under_score.example/a"})
    void urlMustBeAnAbsoluteHttpUrlWithAHost(String url) {
      assertThat(messageErrors(media("url", url, "mimetype", "image/png"))).containsExactly("/media/url invalid_format");
    }

    @Test
    void urlIsAtMost2048Characters() {
      String prefix = "https://example.com/";
      String ok = prefix + "a".repeat(2048 - prefix.length());
      assertThat(V.validateMessage(media("url", ok, "mimetype", "image/png"), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(messageErrors(media("url", ok + "a", "mimetype", "image/png"))).containsExactly("/media/url too_long");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "image", "image/", "/jpeg", "font/woff2", "model/gltf", "image/jp eg", "image/jpeg;", "image/jpeg; x"})
    void mimetypeMustBeTypeSlashSubtypeOfAKnownType(String mimetype) {
      assertThat(messageErrors(media("url", "https://e.example/a", "mimetype", mimetype))).containsExactly("/media/mimetype invalid_format");
    }

    @Test
    void mimetypeParametersAreAllowed() {
      OutboundRequest r = valid(V.validateMessage(media("url", "https://e.example/v.ogg", "mimetype", "audio/ogg;Codecs=opus"), null, NOW));
      assertThat(r.content().get("mimetype")).isEqualTo("audio/ogg; codecs=opus");
      assertThat(valid(V.validateMessage(media("url", "https://e.example/a.pdf", "mimetype", "application/pdf"), null, NOW))
          .content().get("mimetype")).isEqualTo("application/pdf");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc/passwd", "dir/a.jpg", "dir\\a.jpg", "a\u0000.jpg"})
    void filenameIsAPlainName(String filename) {
      assertThat(messageErrors(media("url", "https://e.example/a", "mimetype", "image/png", "filename", filename)))
          .containsExactly("/media/filename invalid_format");
    }

    @Test
    void filenameAndCaptionHaveLengthLimits() {
      assertThat(messageErrors(media("url", "https://e.example/a", "mimetype", "image/png", "filename", "f".repeat(256),
          "caption", "c".repeat(1025)))).containsExactly("/media/filename too_long", "/media/caption too_long");
      assertThat(V.validateMessage(media("url", "https://e.example/a", "mimetype", "image/png", "filename", "f".repeat(255),
          "caption", "c".repeat(1024)), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(messageErrors(media("url", "https://e.example/a", "mimetype", "image/png", "filename", " ")))
          .containsExactly("/media/filename too_short");
    }

    @Test
    void unknownMediaMembersAreReported() {
      assertThat(messageErrors(media("url", "https://e.example/a", "mimetype", "image/png", "captoin", "x")))
          .containsExactly("/media/captoin unknown_field");
    }
  }

  @Nested
  class Location {
    Map<String, Object> location(Object... kv) {
      return body("to", PHONE, "location", body(kv));
    }

    @Test
    void aLocationIsValid() {
      OutboundRequest r = valid(V.validateMessage(location("latitude", 52.52, "longitude", 13.405, "name", "Shop",
          "address", "Alexanderplatz 1"), null, NOW));
      assertThat(r.kind()).isEqualTo(OutboundRequest.Kind.LOCATION);
      assertThat(r.content()).containsExactly(Map.entry("latitude", 52.52), Map.entry("longitude", 13.405),
          Map.entry("name", "Shop"), Map.entry("address", "Alexanderplatz 1"));
    }

    @Test
    void boundariesAreInclusive() {
      assertThat(V.validateMessage(location("latitude", -90, "longitude", 180), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(V.validateMessage(location("latitude", 90.0, "longitude", -180L), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
    }

    @Test
    void coordinatesOutsideTheGlobeAreOutOfRange() {
      assertThat(messageErrors(location("latitude", 90.0001, "longitude", -180.5)))
          .containsExactly("/location/latitude out_of_range", "/location/longitude out_of_range");
      assertThat(messageErrors(location("latitude", new BigDecimal("90.00000000000000000001"), "longitude", 0)))
          .containsExactly("/location/latitude out_of_range");
    }

    @Test
    void coordinatesAreRequiredFiniteNumbers() {
      assertThat(messageErrors(location("name", "x"))).containsExactly("/location/latitude required", "/location/longitude required");
      assertThat(messageErrors(location("latitude", "52.5", "longitude", true)))
          .containsExactly("/location/latitude invalid_type", "/location/longitude invalid_type");
      assertThat(messageErrors(location("latitude", Double.NaN, "longitude", Double.POSITIVE_INFINITY)))
          .containsExactly("/location/latitude invalid_value", "/location/longitude invalid_value");
    }

    @Test
    void nameAndAddressAreAtMost255() {
      assertThat(messageErrors(location("latitude", 0, "longitude", 0, "name", "n".repeat(256), "address", 7)))
          .containsExactly("/location/name too_long", "/location/address invalid_type");
    }

    @Test
    void mustBeAnObjectWithoutUnknownMembers() {
      assertThat(messageErrors(body("to", PHONE, "location", List.of(1, 2)))).containsExactly("/location invalid_type");
      assertThat(messageErrors(location("lat", 1, "latitude", 1, "longitude", 1))).containsExactly("/location/lat unknown_field");
    }
  }

  @Nested
  class Contact {
    Map<String, Object> contact(Object... kv) {
      return body("to", PHONE, "contact", body(kv));
    }

    @Test
    void aContactCardCarriesAnE164Phone() {
      OutboundRequest r = valid(V.validateMessage(contact("name", "Support", "phone", "+49 151 1234 5678"), null, NOW));
      assertThat(r.kind()).isEqualTo(OutboundRequest.Kind.CONTACT);
      assertThat(r.content()).containsExactly(Map.entry("name", "Support"), Map.entry("phone", PHONE));
    }

    @Test
    void nameAndPhoneAreRequired() {
      assertThat(messageErrors(contact())).containsExactly("/contact/name required", "/contact/phone required");
    }

    @Test
    void nameIs1To255() {
      assertThat(messageErrors(contact("name", " ", "phone", PHONE))).containsExactly("/contact/name too_short");
      assertThat(messageErrors(contact("name", "n".repeat(256), "phone", PHONE))).containsExactly("/contact/name too_long");
      assertThat(V.validateMessage(contact("name", "n".repeat(255), "phone", PHONE), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
    }

    @Test
    void phoneMustBeAnE164Number() {
      assertThat(messageErrors(contact("name", "A", "phone", CHAT))).containsExactly("/contact/phone invalid_format");
      assertThat(messageErrors(contact("name", "A", "phone", "015112345678"))).containsExactly("/contact/phone invalid_format");
      assertThat(messageErrors(contact("name", "A", "phone", 4915112345678L))).containsExactly("/contact/phone invalid_type");
    }
  }

  @Nested
  class Keys {
    @Test
    void aBodyKeyIsTheExplicitKey() {
      Map<String, Object> b = text("hi");
      b.put("idempotencyKey", "order:shop1:1001:confirm:v1");
      OutboundRequest r = valid(V.validateMessage(b, null, NOW));
      assertThat(r.explicitKey()).isEqualTo("order:shop1:1001:confirm:v1");
      assertThat(r.idempotencyKey("shop1-main")).isEqualTo("order:shop1:1001:confirm:v1");
      assertThat(r.hasExplicitKey()).isTrue();
    }

    @Test
    void aHeaderKeyIsTheExplicitKey() {
      OutboundRequest r = valid(V.validateMessage(text("hi"), "order:1", NOW));
      assertThat(r.explicitKey()).isEqualTo("order:1");
    }

    @Test
    void headerAndBodyMayRepeatTheSameKey() {
      Map<String, Object> b = text("hi");
      b.put("idempotencyKey", "order:1");
      assertThat(valid(V.validateMessage(b, "order:1", NOW)).explicitKey()).isEqualTo("order:1");
    }

    @Test
    void differingHeaderAndBodyKeysConflict() {
      Map<String, Object> b = text("hi");
      b.put("idempotencyKey", "order:1");
      assertThat(errors(V.validateMessage(b, "order:2", NOW))).containsExactly("/idempotencyKey conflict");
    }

    @Test
    void bodyKeyRules() {
      assertThat(messageErrors(with("idempotencyKey", ""))).containsExactly("/idempotencyKey too_short");
      assertThat(messageErrors(with("idempotencyKey", "k".repeat(256)))).containsExactly("/idempotencyKey too_long");
      assertThat(messageErrors(with("idempotencyKey", "has space"))).containsExactly("/idempotencyKey invalid_format");
      assertThat(messageErrors(with("idempotencyKey", "caf\u00e9"))).containsExactly("/idempotencyKey invalid_format");
      assertThat(messageErrors(with("idempotencyKey", "auto:abc"))).containsExactly("/idempotencyKey invalid_value");
      assertThat(messageErrors(with("idempotencyKey", 17))).containsExactly("/idempotencyKey invalid_type");
      assertThat(V.validateMessage(with("idempotencyKey", "k".repeat(255)), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
    }

    @Test
    void headerKeyRulesPointAtTheHeader() {
      assertThat(errors(V.validateMessage(text("hi"), "two words", NOW))).containsExactly("/header/Idempotency-Key invalid_format");
      assertThat(errors(V.validateMessage(text("hi"), "", NOW))).containsExactly("/header/Idempotency-Key too_short");
      assertThat(errors(V.validateMessage(text("hi"), "auto:x", NOW))).containsExactly("/header/Idempotency-Key invalid_value");
    }

    @Test
    void withoutAKeyOneIsDerivedFromInstanceChatAndPayload() {
      OutboundRequest r = valid(V.validateMessage(text("hi"), null, NOW));
      assertThat(r.idempotencyKey("shop1-main"))
          .isEqualTo(IdempotencyKey.derive("shop1-main", CHAT, r.canonicalPayload()))
          .isNotEqualTo(r.idempotencyKey("shop2-main"))
          .isNotEqualTo(valid(V.validateMessage(text("hi!"), null, NOW)).idempotencyKey("shop1-main"));
      assertThat(r.hasExplicitKey()).isFalse();
    }

    @Test
    void theKeyIsNotPartOfThePayload() {
      OutboundRequest plain = valid(V.validateMessage(text("hi"), null, NOW));
      OutboundRequest keyed = valid(V.validateMessage(with("idempotencyKey", "k1"), null, NOW));
      assertThat(keyed.canonicalPayload()).isEqualTo(plain.canonicalPayload());
      assertThat(keyed.payloadHash()).isEqualTo(plain.payloadHash()).isEqualTo(IdempotencyKey.payloadHash(plain.canonicalPayload()));
    }
  }

  static Map<String, Object> with(String key, Object value) {
    Map<String, Object> b = text("hi");
    b.put(key, value);
    return b;
  }

  @Nested
  class Schedule {
    @Test
    void sendAtAcceptsOffsetsAndZ() {
      assertThat(valid(V.validateMessage(with("sendAt", "2026-03-01T12:00:00+01:00"), null, NOW)).sendAt())
          .isEqualTo(Instant.parse("2026-03-01T11:00:00Z"));
      assertThat(valid(V.validateMessage(with("sendAt", "2026-03-01T11:00:00.250Z"), null, NOW)).sendAt())
          .isEqualTo(Instant.parse("2026-03-01T11:00:00.250Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-03-01T12:00:00", "2026-03-01", "tomorrow", "1772359200", "2026-13-01T00:00:00Z", ""})
    void sendAtNeedsAnIsoInstantWithOffset(String value) {
      assertThat(messageErrors(with("sendAt", value))).containsExactly("/sendAt invalid_format");
    }

    @Test
    void sendAtMustBeAString() {
      assertThat(messageErrors(with("sendAt", 1772359200L))).containsExactly("/sendAt invalid_type");
    }

    @Test
    void sendAtInThePastMeansNow() {
      assertThat(valid(V.validateMessage(with("sendAt", "2020-01-01T00:00:00Z"), null, NOW)).sendAt())
          .isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
    }

    @Test
    void sendAtIsAtMost365DaysAhead() {
      String limit = NOW.plus(Duration.ofDays(365)).toString();
      String beyond = NOW.plus(Duration.ofDays(365)).plusSeconds(1).toString();
      assertThat(V.validateMessage(with("sendAt", limit), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(messageErrors(with("sendAt", beyond))).containsExactly("/sendAt out_of_range");
    }

    @Test
    void expiresAtMustBeInTheFuture() {
      assertThat(messageErrors(with("expiresAt", NOW.toString()))).containsExactly("/expiresAt out_of_range");
      assertThat(messageErrors(with("expiresAt", NOW.minusSeconds(1).toString()))).containsExactly("/expiresAt out_of_range");
      assertThat(valid(V.validateMessage(with("expiresAt", NOW.plusSeconds(1).toString()), null, NOW)).expiresAt())
          .isEqualTo(NOW.plusSeconds(1));
    }

    @Test
    void expiresAtMustBeAfterSendAt() {
      Map<String, Object> b = with("sendAt", NOW.plusSeconds(60).toString());
      b.put("expiresAt", NOW.plusSeconds(60).toString());
      assertThat(messageErrors(b)).containsExactly("/expiresAt out_of_range");
      b.put("expiresAt", NOW.plusSeconds(61).toString());
      assertThat(V.validateMessage(b, null, NOW)).isInstanceOf(ValidationResult.Valid.class);
    }

    @Test
    void theSameInstantWrittenWithAnotherOffsetIsTheSamePayload() {
      OutboundRequest a = valid(V.validateMessage(with("sendAt", "2026-03-01T12:00:00+01:00"), null, NOW));
      OutboundRequest b = valid(V.validateMessage(with("sendAt", "2026-03-01T11:00:00Z"), null, NOW));
      assertThat(a.canonicalPayload()).isEqualTo(b.canonicalPayload()).contains("\"sendAt\":\"2026-03-01T11:00:00Z\"");
    }
  }

  @Nested
  class Metadata {
    @Test
    void anyJsonObjectIsKeptAsAnUnmodifiableCopy() {
      Map<String, Object> meta = body("orderId", 1001, "tags", new ArrayList<>(List.of("a")), "none", null);
      OutboundRequest r = valid(V.validateMessage(with("metadata", meta), null, NOW));
      meta.put("orderId", 9);
      assertThat(r.metadata()).containsEntry("orderId", 1001).containsEntry("none", null);
      assertThat(r.canonicalPayload()).contains("\"metadata\":{\"none\":null,\"orderId\":1001,\"tags\":[\"a\"]}");
    }

    @Test
    void mustBeAnObject() {
      assertThat(messageErrors(with("metadata", List.of(1)))).containsExactly("/metadata invalid_type");
      assertThat(messageErrors(with("metadata", "x"))).containsExactly("/metadata invalid_type");
    }

    @Test
    void isAtMost8192BytesOfCanonicalJson() {
      // {"k":"…"} is 8 bytes of syntax
      assertThat(V.validateMessage(with("metadata", body("k", "x".repeat(8184))), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(messageErrors(with("metadata", body("k", "x".repeat(8185))))).containsExactly("/metadata too_long");
      assertThat(messageErrors(with("metadata", body("k", "\u00e9".repeat(4093))))).containsExactly("/metadata too_long");
    }

    @Test
    void mayNotNestDeeperThan32Levels() {
      assertThat(V.validateMessage(with("metadata", nested(32)), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(messageErrors(with("metadata", nested(33)))).containsExactly("/metadata invalid_value");
      assertThat(messageErrors(with("metadata", nested(100)))).containsExactly("/metadata invalid_value");
      assertThat(messageErrors(with("metadata", nested(20_000)))).containsExactly("/metadata invalid_value");
    }

    @Test
    void mustHoldOnlyJsonValues() {
      assertThat(messageErrors(with("metadata", body("x", Double.NaN)))).containsExactly("/metadata invalid_value");
      assertThat(messageErrors(with("metadata", body("x", new Object())))).containsExactly("/metadata invalid_value");
      Map<Object, Object> intKeys = new HashMap<>();
      intKeys.put(1, "a");
      assertThat(messageErrors(with("metadata", body("x", intKeys)))).containsExactly("/metadata invalid_value");
    }

    /** An object nested {@code depth} levels: {"a":{"a":…{}}}. */
    static Map<String, Object> nested(int depth) {
      Map<String, Object> m = new HashMap<>();
      for (int i = 1; i < depth; i++) {
        m = new HashMap<>(Map.of("a", m));
      }
      return m;
    }
  }

  @Nested
  class UnknownFields {
    @Test
    void typosAreReportedWithEscapedPointersSortedByName() {
      Map<String, Object> b = text("hi");
      b.put("txt", "hi");
      b.put("a/b~c", 1);
      b.put("Sendat", "x");
      assertThat(messageErrors(b)).containsExactly("/Sendat unknown_field", "/a~1b~0c unknown_field", "/txt unknown_field");
    }

    @Test
    void pollFieldsAreUnknownToMessagesAndViceVersa() {
      assertThat(messageErrors(with("question", "q"))).containsExactly("/question unknown_field");
      Map<String, Object> poll = poll("Q?", List.of("a", "b"));
      poll.put("text", "x");
      assertThat(pollErrors(poll)).containsExactly("/text unknown_field");
    }
  }

  @Test
  void everyProblemIsReportedAtOnceInAStableOrder() {
    Map<String, Object> b = body("zzz", 1, "metadata", "m", "expiresAt", "never", "sendAt", 5, "text", "", "to", 1,
        "idempotencyKey", "a b");
    List<String> expected = List.of("/to invalid_type", "/text too_short", "/idempotencyKey invalid_format",
        "/header/Idempotency-Key invalid_format", "/sendAt invalid_type", "/expiresAt invalid_format",
        "/metadata invalid_type", "/zzz unknown_field");
    assertThat(errors(V.validateMessage(b, "x y", NOW))).containsExactlyElementsOf(expected);
    Map<String, Object> reordered = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>(b.keySet());
    java.util.Collections.reverse(keys);
    keys.forEach(k -> reordered.put(k, b.get(k)));
    assertThat(errors(V.validateMessage(reordered, "x y", NOW))).containsExactlyElementsOf(expected);
    assertThat(((ValidationResult.Invalid) V.validateMessage(b, "x y", NOW)).errors())
        .allSatisfy(e -> assertThat(e.message()).isNotBlank());
  }

  // ------------------------------------------------------------------ polls

  static Map<String, Object> poll(String question, List<?> options) {
    return body("to", PHONE, "question", question, "options", options);
  }

  @Nested
  class Polls {
    @Test
    void aPollIsValidAndItsLabelsAreStripped() {
      Map<String, Object> b = poll("  Confirm your order? ", List.of(" Yes", "No "));
      b.put("multipleAnswers", true);
      OutboundRequest r = valid(V.validatePoll(b, null, NOW));
      assertThat(r.kind()).isEqualTo(OutboundRequest.Kind.POLL);
      assertThat(r.content()).containsExactly(Map.entry("question", "Confirm your order?"),
          Map.entry("options", List.of("Yes", "No")), Map.entry("multipleAnswers", true));
    }

    @Test
    void multipleAnswersDefaultsToFalseAndMustBeABoolean() {
      assertThat(valid(V.validatePoll(poll("Q?", List.of("a", "b")), null, NOW)).content()).containsEntry("multipleAnswers", false);
      Map<String, Object> b = poll("Q?", List.of("a", "b"));
      b.put("multipleAnswers", "true");
      assertThat(pollErrors(b)).containsExactly("/multipleAnswers invalid_type");
    }

    @Test
    void questionIsRequired1To255() {
      assertThat(pollErrors(body("to", PHONE, "options", List.of("a", "b")))).containsExactly("/question required");
      assertThat(pollErrors(poll(" ", List.of("a", "b")))).containsExactly("/question too_short");
      assertThat(pollErrors(poll("q".repeat(256), List.of("a", "b")))).containsExactly("/question too_long");
      assertThat(V.validatePoll(poll("q".repeat(255), List.of("a", "b")), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(pollErrors(body("to", PHONE, "question", 3, "options", List.of("a", "b")))).containsExactly("/question invalid_type");
    }

    @Test
    void twoToTwelveOptions() {
      assertThat(pollErrors(body("to", PHONE, "question", "Q"))).containsExactly("/options required");
      assertThat(pollErrors(poll("Q", List.of("only")))).containsExactly("/options too_short");
      assertThat(pollErrors(poll("Q", List.of()))).containsExactly("/options too_short");
      assertThat(V.validatePoll(poll("Q", options(12)), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(pollErrors(poll("Q", options(13)))).containsExactly("/options too_long");
      assertThat(pollErrors(body("to", PHONE, "question", "Q", "options", "a,b"))).containsExactly("/options invalid_type");
    }

    @Test
    void eachOptionIs1To100Characters() {
      assertThat(pollErrors(poll("Q", List.of("a", " ", "o".repeat(101)))))
          .containsExactly("/options/1 too_short", "/options/2 too_long");
      assertThat(V.validatePoll(poll("Q", List.of("a", "o".repeat(100))), null, NOW)).isInstanceOf(ValidationResult.Valid.class);
      assertThat(pollErrors(poll("Q", Arrays.asList("a", 2, null, List.of()))))
          .containsExactly("/options/1 invalid_type", "/options/2 invalid_type", "/options/3 invalid_type");
    }

    @Test
    void optionsAreDistinctIgnoringCaseAndSurroundingSpace() {
      assertThat(pollErrors(poll("Q", List.of("Yes", "No", " yes ", "NO", "Maybe"))))
          .containsExactly("/options/2 duplicate", "/options/3 duplicate");
    }

    @Test
    void pollsShareTheCommonFields() {
      Map<String, Object> b = poll("Q", List.of("a", "b"));
      b.put("idempotencyKey", "poll:1");
      b.put("sendAt", NOW.plusSeconds(60).toString());
      b.put("expiresAt", NOW.plusSeconds(3600).toString());
      b.put("metadata", Map.of("orderId", "1001"));
      OutboundRequest r = valid(V.validatePoll(b, null, NOW));
      assertThat(r.explicitKey()).isEqualTo("poll:1");
      assertThat(r.sendAt()).isEqualTo(NOW.plusSeconds(60));
      assertThat(r.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
      assertThat(r.metadata()).isEqualTo(Map.of("orderId", "1001"));
      assertThat(r.canonicalPayload()).isEqualTo(CanonicalJson.write(Map.of(
          "kind", "poll", "to", CHAT,
          "content", Map.of("question", "Q", "options", List.of("a", "b"), "multipleAnswers", false),
          "sendAt", NOW.plusSeconds(60).toString(), "expiresAt", NOW.plusSeconds(3600).toString(),
          "metadata", Map.of("orderId", "1001"))));
    }

    static List<String> options(int n) {
      List<String> o = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        o.add("option " + i);
      }
      return o;
    }
  }

  @Test
  void theSameChatSpelledDifferentlyIsTheSamePayload() {
    OutboundRequest a = valid(V.validateMessage(body("to", "+49 151 1234 5678", "text", "hi"), null, NOW));
    OutboundRequest b = valid(V.validateMessage(body("to", "4915112345678@s.whatsapp.net", "text", "hi"), null, NOW));
    assertThat(a.canonicalPayload()).isEqualTo(b.canonicalPayload());
    assertThat(a.idempotencyKey("i")).isEqualTo(b.idempotencyKey("i"));
    assertThat(a.recipient().input()).isNotEqualTo(b.recipient().input());
  }

  @Test
  void hugeInputsAreRejectedNotProcessed() {
    assertThat(messageErrors(text("x".repeat(5_000_000)))).containsExactly("/text too_long");
    assertThat(messageErrors(body("to", "+" + "4".repeat(1_000_000), "text", "hi"))).containsExactly("/to invalid_format");
    assertThat(messageErrors(with("sendAt", "2".repeat(1_000_000)))).containsExactly("/sendAt invalid_format");
  }
}
