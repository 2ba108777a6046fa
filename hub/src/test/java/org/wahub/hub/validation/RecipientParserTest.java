package org.wahub.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecipientParserTest {

  private static Recipient parsed(String raw) {
    RecipientParser.Result r = RecipientParser.parse(raw);
    assertThat(r).as(raw).isInstanceOf(RecipientParser.Parsed.class);
    return ((RecipientParser.Parsed) r).recipient();
  }

  private static RecipientParser.Rejected rejected(String raw) {
    RecipientParser.Result r = RecipientParser.parse(raw);
    assertThat(r).as(String.valueOf(raw)).isInstanceOf(RecipientParser.Rejected.class);
    return (RecipientParser.Rejected) r;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "+4915112345678       | 4915112345678@c.us",
      "+49 151 1234 5678    | 4915112345678@c.us",
      "+49-151-1234-5678    | 4915112345678@c.us",
      "+49 (0)151 1234 5678 | 4915112345678@c.us",
      "+49.151.1234.5678    | 4915112345678@c.us",
      "+1 (415) 555-0100    | 14155550100@c.us",
      "+447911123456        | 447911123456@c.us",
      "'  +33 6 12 34 56 78 ' | 33612345678@c.us"})
  void phoneNumbersInInternationalFormatBecomePersonChats(String raw, String chatId) {
    Recipient r = parsed(raw);
    assertThat(r.kind()).isEqualTo(Recipient.Kind.PHONE);
    assertThat(r.chatId()).isEqualTo(chatId);
    assertThat(r.e164()).isEqualTo("+" + chatId.replace("@c.us", ""));
    assertThat(r.input()).isEqualTo(raw.strip());
  }

  @ParameterizedTest
  @ValueSource(strings = {"4915112345678", "0151 1234 5678", "+49 151 CALL NOW", "+49/151/12345678", "++4915112345678",
      "+123", "+49151", "+4915112345678901", "+", "+49 151 1234 5678 ext 9"})
  void otherPhoneSpellingsAreRejectedAsInvalidFormat(String raw) {
    assertThat(rejected(raw).code()).isEqualTo(FieldError.INVALID_FORMAT);
  }

  @Test
  void contactIdsFoldSWhatsappNetIntoCUs() {
    Recipient a = parsed("4915112345678@c.us");
    Recipient b = parsed("4915112345678@s.whatsapp.net");
    assertThat(a.kind()).isEqualTo(Recipient.Kind.CONTACT_ID);
    assertThat(b.kind()).isEqualTo(Recipient.Kind.CONTACT_ID);
    assertThat(a.chatId()).isEqualTo(b.chatId()).isEqualTo("4915112345678@c.us");
    assertThat(parsed("4915112345678@C.US").chatId()).isEqualTo("4915112345678@c.us");
    assertThat(parsed("+4915112345678").chatId()).as("same chat as the phone number").isEqualTo(a.chatId());
  }

  @Test
  void contactIdsHave5To20Digits() {
    assertThat(parsed("12345@c.us").chatId()).isEqualTo("12345@c.us");
    assertThat(parsed("1".repeat(20) + "@c.us").kind()).isEqualTo(Recipient.Kind.CONTACT_ID);
    rejected("1234@c.us");
    rejected("1".repeat(21) + "@c.us");
    rejected("49151x5678@c.us");
    rejected("@c.us");
    rejected("+4915112345678@c.us");
  }

  @Test
  void groupIdsAreDigitsOrDigitsDashDigitsOf5To40Characters() {
    Recipient g = parsed("120363025246125486@g.us");
    assertThat(g.kind()).isEqualTo(Recipient.Kind.GROUP_ID);
    assertThat(g.isGroup()).isTrue();
    assertThat(g.e164()).isNull();
    assertThat(parsed("4915112345678-1609459200@g.us").chatId()).isEqualTo("4915112345678-1609459200@g.us");
    assertThat(parsed("12345@g.us").kind()).isEqualTo(Recipient.Kind.GROUP_ID);
    assertThat(parsed("1".repeat(40) + "@g.us").kind()).isEqualTo(Recipient.Kind.GROUP_ID);
    rejected("1234@g.us");
    rejected("1".repeat(41) + "@g.us");
    rejected("12-34-56@g.us");
    rejected("-123456@g.us");
    rejected("123456-@g.us");
  }

  @Test
  void unknownDomainsBlanksNullsAndHugeInputsAreRejected() {
    assertThat(rejected("someone@example.com").code()).isEqualTo(FieldError.INVALID_FORMAT);
    assertThat(rejected("12345@lid").code()).isEqualTo(FieldError.INVALID_FORMAT);
    assertThat(rejected("   ").code()).isEqualTo(FieldError.INVALID_FORMAT);
    assertThat(rejected(null).code()).isEqualTo(FieldError.REQUIRED);
    assertThat(rejected("+" + "1".repeat(100)).code()).isEqualTo(FieldError.INVALID_FORMAT);
    assertThat(RecipientParser.tryParse("nope")).isEmpty();
    assertThat(RecipientParser.tryParse("+4915112345678")).isPresent();
  }
}
