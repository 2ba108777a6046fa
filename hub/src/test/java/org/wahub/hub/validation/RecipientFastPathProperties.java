package org.wahub.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The fast path for plain international numbers must never disagree with libphonenumber's full
 * parser: whenever it answers, the parser accepts the same input as the same chat.
 */
class RecipientFastPathProperties {

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private static void agrees(String input) {
    Recipient fast = RecipientParser.plainInternational(input);
    if (fast == null) {
      return;
    }
    RecipientParser.Result full = RecipientParser.parseWithLibphonenumber(input);
    assertThat(full).as(input).isInstanceOf(RecipientParser.Parsed.class);
    assertThat(((RecipientParser.Parsed) full).recipient()).as(input).isEqualTo(fast);
  }

  /** Every example number of every region and type, and mutations of it: the fast path agrees and mostly answers. */
  @Test
  void agreesOnEveryRegionsExampleNumbersAndTheirNeighbours() {
    Random random = new Random(20261124);
    int tried = 0;
    int answered = 0;
    List<String> inputs = new ArrayList<>();
    for (String region : UTIL.getSupportedRegions()) {
      for (PhoneNumberType type : PhoneNumberType.values()) {
        PhoneNumber example = UTIL.getExampleNumberForType(region, type);
        if (example == null) {
          continue;
        }
        String e164 = UTIL.format(example, PhoneNumberFormat.E164);
        String cc = Integer.toString(example.getCountryCode());
        String national = e164.substring(1 + cc.length());
        inputs.add(e164);
        inputs.add(UTIL.format(example, PhoneNumberFormat.INTERNATIONAL));
        String ndd = "001".equals(region) ? null : UTIL.getNddPrefixForRegion(region, true);
        if (ndd != null) {
          inputs.add("+" + cc + ndd + national);
          inputs.add("+" + cc + " (" + ndd + ") " + national);
        }
        for (int i = 0; i < 40; i++) {
          inputs.add("+" + cc + mutate(national, random));
        }
      }
    }
    for (String input : inputs) {
      tried++;
      agrees(input);
      if (RecipientParser.plainInternational(input) != null) {
        answered++;
      }
    }
    System.out.printf("fast path answered %,d of %,d inputs, all as the full parser does%n", answered, tried);
    assertThat(tried).isGreaterThan(50_000);
    // not vacuous: most valid-looking numbers take the fast path
    assertThat(answered).isGreaterThan(tried / 3);
  }

  @Property(tries = 5000)
  void agreesOnArbitraryDigitStrings(@ForAll("plusDigits") String input) {
    agrees(input);
  }

  @Provide
  Arbitrary<String> plusDigits() {
    Arbitrary<String> cc = Arbitraries.of(new ArrayList<>(UTIL.getSupportedCallingCodes())).map(String::valueOf);
    Arbitrary<String> rest = Arbitraries.strings().withChars("0123456789").ofMinLength(1).ofMaxLength(13);
    Arbitrary<String> sep = Arbitraries.of("", "", "", " ", "-", ".", "(", ")");
    return Combinators.combine(cc, rest, sep).as((c, r, s) -> "+" + c + s + r);
  }

  private static String mutate(String national, Random random) {
    StringBuilder b = new StringBuilder(national);
    switch (random.nextInt(4)) {
      case 0 -> { // new last digits: another subscriber of the same range
        for (int k = 1 + random.nextInt(Math.min(4, b.length())); k > 0; k--) {
          b.setCharAt(b.length() - k, (char) ('0' + random.nextInt(10)));
        }
      }
      case 1 -> b.append((char) ('0' + random.nextInt(10)));
      case 2 -> {
        if (b.length() > 1) {
          b.deleteCharAt(b.length() - 1);
        }
      }
      default -> b.setCharAt(0, (char) ('0' + random.nextInt(10)));
    }
    return b.toString();
  }
}
