package org.wahub.hub.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WebhookSecretProperties {

  /** A generated secret has 32 key bytes and survives encode → parse unchanged. */
  @Property(tries = 500)
  void generatedSecretsRoundTrip(@ForAll long seed) {
    WebhookSecret s = WebhookSecret.generate(new SplittableRandom(seed));
    assertThat(s.key()).hasSize(WebhookSecret.GENERATED_BYTES);
    assertThat(s.encoded()).startsWith("whsec_");
    assertThat(WebhookSecret.parse(s.encoded())).isEqualTo(s);
    assertThat(WebhookSecret.parse(s.encoded()).key()).isEqualTo(s.key());
  }

  /** Any key of 24..64 bytes parses, with or without base64 padding; shorter or longer never does. */
  @Property(tries = 500)
  void keyLengthBounds(@ForAll @Size(min = 0, max = 80) byte[] key, @ForAll boolean padded) {
    String b64 = padded ? Base64.getEncoder().encodeToString(key)
        : Base64.getEncoder().withoutPadding().encodeToString(key);
    boolean ok = key.length >= 24 && key.length <= 64;
    assertThat(WebhookSecret.problem("whsec_" + b64).isEmpty()).isEqualTo(ok);
    if (ok) {
      assertThat(WebhookSecret.parse("whsec_" + b64).key()).isEqualTo(key);
    }
  }

  /** Nothing a caller sent is ever repeated in a message or by toString. */
  @Property(tries = 300)
  void neverEchoesTheText(@ForAll @IntRange(min = 4, max = 70) int len, @ForAll long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] key = new byte[len];
    r.nextBytes(key);
    String text = "whsec_" + Base64.getEncoder().encodeToString(key) + (r.nextBoolean() ? "!!" : "");
    WebhookSecret.problem(text).ifPresent(p -> assertThat(p).doesNotContain(text.substring(6)));
    if (WebhookSecret.problem(text).isEmpty()) {
      assertThat(WebhookSecret.parse(text).toString()).doesNotContain(text.substring(6));
    }
  }

  @Test
  void rejectsOtherForms() {
    assertThat(WebhookSecret.problem(null)).isPresent();
    assertThat(WebhookSecret.problem("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).contains("must start with whsec_");
    assertThat(WebhookSecret.problem("whsec_not base64!")).isPresent();
    assertThatThrownBy(() -> WebhookSecret.parse("whsec_AAAA")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("24 to 64 bytes");
  }
}
