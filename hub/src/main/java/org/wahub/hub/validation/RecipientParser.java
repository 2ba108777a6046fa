package org.wahub.hub.validation;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns the {@code to} of a request into a {@link Recipient}, or says why it cannot.
 *
 * <ul>
 * <li>Phone numbers must be international ({@code +} first; a national number is ambiguous
 * without a region, and guessing one sends to the wrong person). Spaces, dashes, dots and
 * parentheses are accepted as formatting ({@code +49 151 1234 5678}, {@code +1 (415) 555-0100});
 * letters are not. The number must be valid for its country according to libphonenumber.</li>
 * <li>Contact ids: {@code <5-20 digits>@c.us} or {@code @s.whatsapp.net} (the same chat).</li>
 * <li>Group ids: {@code <digits>@g.us} or {@code <digits>-<digits>@g.us}, 5-40 characters
 * before the {@code @}.</li>
 * </ul>
 * Domains are matched case-insensitively and surrounding whitespace is ignored.
 */
public final class RecipientParser {

  /** Longer than any phone number or chat id, however formatted. */
  static final int MAX_INPUT_LENGTH = 64;

  /** The outcome of {@link #parse}. */
  public sealed interface Result permits Parsed, Rejected {
  }

  public record Parsed(Recipient recipient) implements Result {
    public Parsed {
      Objects.requireNonNull(recipient, "recipient");
    }
  }

  /** {@code code} is a {@link FieldError} code. */
  public record Rejected(String code, String message) implements Result {
  }

  private RecipientParser() {
  }

  public static Optional<Recipient> tryParse(String raw) {
    return parse(raw) instanceof Parsed p ? Optional.of(p.recipient()) : Optional.empty();
  }

  public static Result parse(String raw) {
    if (raw == null) {
      return new Rejected(FieldError.REQUIRED, "is required");
    }
    String s = raw.strip();
    if (s.isEmpty()) {
      return new Rejected(FieldError.INVALID_FORMAT, "must not be blank");
    }
    if (s.length() > MAX_INPUT_LENGTH) {
      return new Rejected(FieldError.INVALID_FORMAT, "is too long for a phone number or chat id");
    }
    int at = s.lastIndexOf('@');
    return at >= 0 ? parseChatId(s, s.substring(0, at), s.substring(at + 1).toLowerCase(Locale.ROOT)) : parsePhone(s);
  }

  private static Result parseChatId(String input, String local, String domain) {
    switch (domain) {
      case "c.us", "s.whatsapp.net" -> {
        if (!allDigits(local) || local.length() < 5 || local.length() > 20) {
          return new Rejected(FieldError.INVALID_FORMAT, "a contact id is 5 to 20 digits before @" + domain);
        }
        return new Parsed(new Recipient(input, local + "@c.us", Recipient.Kind.CONTACT_ID));
      }
      case "g.us" -> {
        if (!isGroupLocal(local) || local.length() < 5 || local.length() > 40) {
          return new Rejected(FieldError.INVALID_FORMAT,
              "a group id is <digits> or <digits>-<digits>, 5 to 40 characters, before @g.us");
        }
        return new Parsed(new Recipient(input, local + "@g.us", Recipient.Kind.GROUP_ID));
      }
      default -> {
        return new Rejected(FieldError.INVALID_FORMAT,
            "a chat id ends in @c.us, @s.whatsapp.net or @g.us");
      }
    }
  }

  private static Result parsePhone(String input) {
    if (input.charAt(0) != '+') {
      return new Rejected(FieldError.INVALID_FORMAT,
          "a phone number must be in international format starting with +, e.g. +4915112345678");
    }
    int digits = 0;
    for (int i = 1; i < input.length(); i++) {
      char c = input.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
        return new Rejected(FieldError.INVALID_FORMAT,
            "a phone number may contain only digits, spaces, dashes, dots and parentheses after the +");
      }
    }
    if (digits < 3 || digits > 15) {
      return new Rejected(FieldError.INVALID_FORMAT, "an E.164 phone number has 3 to 15 digits");
    }
    Recipient plain = plainInternational(input);
    return plain != null ? new Parsed(plain) : parseWithLibphonenumber(input);
  }

  /**
   * The common case without libphonenumber's general parser (which spends ~6 µs on patterns for
   * extensions, letters and national formats that a {@code +<country code><number>} cannot
   * contain): the country code is the one prefix of 1–3 digits that is assigned (codes are
   * prefix-free), and the rest is the national number as it stands. Returns null — and the full
   * parser decides — whenever the parser could read the digits differently: a national part that
   * starts with 0 or with the country's trunk prefix (the parser may strip it), or a number that
   * is not valid as it stands. A differential property test holds this to the full parser.
   */
  static Recipient plainInternational(String input) {
    StringBuilder digits = new StringBuilder(16);
    for (int i = 1; i < input.length(); i++) {
      char c = input.charAt(i);
      if (c >= '0' && c <= '9') {
        digits.append(c);
      }
    }
    PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    for (int ccLength = 1; ccLength <= 3 && ccLength < digits.length(); ccLength++) {
      int cc = Integer.parseInt(digits, 0, ccLength, 10);
      String region = util.getRegionCodeForCountryCode(cc);
      if (PhoneNumberUtil.REGION_CODE_FOR_NON_GEO_ENTITY.equals(region) || !"ZZ".equals(region)) {
        String national = digits.substring(ccLength);
        if (national.charAt(0) == '0' || startsWithTrunkPrefix(util, cc, national)) {
          return null;
        }
        PhoneNumber number = new PhoneNumber().setCountryCode(cc).setNationalNumber(Long.parseLong(national));
        return util.isValidNumber(number) ? new Recipient(input, digits + "@c.us", Recipient.Kind.PHONE) : null;
      }
    }
    return null;
  }

  private static boolean startsWithTrunkPrefix(PhoneNumberUtil util, int cc, String national) {
    for (String region : util.getRegionCodesForCountryCode(cc)) {
      if (PhoneNumberUtil.REGION_CODE_FOR_NON_GEO_ENTITY.equals(region)) {
        continue; // global numbers (+800, +882, …) have no trunk prefix, and asking logs a warning
      }
      String prefix = util.getNddPrefixForRegion(region, true);
      if (prefix != null && !prefix.isEmpty() && national.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** The general path: libphonenumber parses, validates and formats. */
  static Result parseWithLibphonenumber(String input) {
    PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    PhoneNumber number;
    try {
      number = util.parse(input, "ZZ");
    } catch (NumberParseException e) {
      return new Rejected(FieldError.INVALID_FORMAT, "is not a phone number");
    }
    if (!util.isValidNumber(number)) {
      return new Rejected(FieldError.INVALID_FORMAT, "is not a valid phone number for its country");
    }
    String e164 = util.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
    return new Parsed(new Recipient(input, e164.substring(1) + "@c.us", Recipient.Kind.PHONE));
  }

  private static boolean allDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return !s.isEmpty();
  }

  private static boolean isGroupLocal(String s) {
    int dash = s.indexOf('-');
    if (dash < 0) {
      return allDigits(s);
    }
    return allDigits(s.substring(0, dash)) && allDigits(s.substring(dash + 1));
  }
}
