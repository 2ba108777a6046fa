package org.wahub.hub.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {

  // PROVIDERS.md §3: the Standard Webhooks library test vector
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330L;
  private static final byte[] PAYLOAD = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
  private static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  @Test
  void signsTheSpecTestVector() {
    WebhookSecret secret = WebhookSecret.parse(SECRET);
    assertThat(secret.key()).hasSize(24);
    assertThat(WebhookSigner.signature(ID, TIMESTAMP, PAYLOAD, secret)).isEqualTo(EXPECTED);
    assertThat(WebhookSigner.sign(ID, TIMESTAMP, PAYLOAD, List.of(secret))).isEqualTo(EXPECTED);
  }

  @Test
  void duringARotationBothKeysSignSpaceSeparatedNewFirst() {
    WebhookSecret old = WebhookSecret.parse(SECRET);
    WebhookSecret fresh = WebhookSecret.generate(new SplittableRandom(7));
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    WebhookKeys keys = WebhookKeys.of(old).rotate(fresh, t0, Duration.ofHours(24));

    String header = WebhookSigner.sign(ID, TIMESTAMP, PAYLOAD, keys.signingAt(t0.plusSeconds(3600)));
    String[] entries = header.split(" ");
    assertThat(entries).hasSize(2);
    assertThat(entries[0]).isEqualTo(WebhookSigner.signature(ID, TIMESTAMP, PAYLOAD, fresh));
    assertThat(entries[1]).isEqualTo(EXPECTED);

    // the old key stops signing when its overlap ends
    assertThat(keys.signingAt(t0.plus(Duration.ofHours(24)))).containsExactly(fresh);
    assertThat(keys.signingAt(t0.plus(Duration.ofHours(24)).minusMillis(1))).containsExactly(fresh, old);
  }

  @Test
  void aSecondRotationDropsTheOldestKey() {
    WebhookSecret a = WebhookSecret.generate(new SplittableRandom(1));
    WebhookSecret b = WebhookSecret.generate(new SplittableRandom(2));
    WebhookSecret c = WebhookSecret.generate(new SplittableRandom(3));
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    WebhookKeys keys = WebhookKeys.of(a).rotate(b, t0, Duration.ofHours(24)).rotate(c, t0.plusSeconds(60), Duration.ofHours(24));
    assertThat(keys.signingAt(t0.plusSeconds(61))).containsExactly(c, b);
  }

  @Test
  void theIdMustNotContainADot() {
    WebhookSecret secret = WebhookSecret.parse(SECRET);
    assertThatThrownBy(() -> WebhookSigner.signature("a.b", TIMESTAMP, PAYLOAD, secret))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WebhookSigner.sign(ID, TIMESTAMP, PAYLOAD, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
