package org.wahub.webhook;

import org.junit.jupiter.api.Test;
import org.wahub.support.WebhookReceiver;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The test receiver's own verifier (not the hub's signer) against the spec's test vector (PROVIDERS.md §3). */
class WebhookReceiverTest {

  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final String TS = "1614265330";
  static final String BODY = "{\"test\": 2432232314}";
  static final String SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  @Test
  void verifiesTheSpecVectorAndRejectsTampering() {
    Clock then = Clock.fixed(Instant.ofEpochSecond(1614265330L + 10), ZoneOffset.UTC);
    assertThat(WebhookReceiver.verify(List.of(SECRET), ID, TS, BODY, SIG, then)).isTrue();
    assertThat(WebhookReceiver.verify(List.of(SECRET), ID, TS, BODY, "v1a,xyz " + SIG, then)).isTrue();
    assertThat(WebhookReceiver.verify(List.of(SECRET), ID, TS, BODY.replace(" ", ""), SIG, then)).isFalse();
    assertThat(WebhookReceiver.verify(List.of(SECRET), "msg_other", TS, BODY, SIG, then)).isFalse();
    assertThat(WebhookReceiver.verify(List.of(SECRET), ID, TS, BODY, SIG, Clock.systemUTC())).as("too old").isFalse();
    assertThat(WebhookReceiver.verify(List.of(SECRET), ID, TS, BODY, "v2," + SIG.substring(3), then)).isFalse();
  }
}
