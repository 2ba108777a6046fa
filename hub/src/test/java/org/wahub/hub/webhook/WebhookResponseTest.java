package org.wahub.hub.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class WebhookResponseTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  /** Every status has exactly one meaning; only 408, 429 and 5xx count against the breaker. */
  @Property(tries = 600)
  void everyStatusIsClassified(@ForAll @IntRange(min = 100, max = 599) int status) {
    WebhookResponse.Outcome o = WebhookResponse.classify(status, null, NOW);
    if (status >= 200 && status < 300) {
      assertThat(o).isEqualTo(new WebhookResponse.Delivered(status));
    } else if (status == 410) {
      assertThat(o).isEqualTo(new WebhookResponse.Gone(410));
    } else {
      WebhookResponse.Failed f = (WebhookResponse.Failed) o;
      assertThat(f.code()).isEqualTo("http_" + status);
      assertThat(f.status()).isEqualTo(status);
      assertThat(f.endpointFault()).isEqualTo(status == 408 || status == 429 || status >= 500);
    }
  }

  @Test
  void readsRetryAfterInSecondsOrAsADate() {
    WebhookResponse.Failed f = (WebhookResponse.Failed) WebhookResponse.classify(429, "120", NOW);
    assertThat(f.retryAfter()).contains(Duration.ofSeconds(120));
    assertThat(f.endpointFault()).isTrue();
    assertThat(WebhookResponse.retryAfter("Thu, 01 Jan 2026 00:05:00 GMT", NOW)).contains(Duration.ofMinutes(5));
    assertThat(WebhookResponse.retryAfter("Wed, 31 Dec 2025 23:00:00 GMT", NOW)).contains(Duration.ZERO);
    assertThat(WebhookResponse.retryAfter("soon", NOW)).isEmpty();
    assertThat(WebhookResponse.retryAfter("-5", NOW)).isEmpty();
    assertThat(WebhookResponse.retryAfter(null, NOW)).isEmpty();
    assertThat(WebhookResponse.retryAfter("99999999999999999999", NOW)).isPresent();
  }

  @Test
  void noAnswerIsAFaultAndAnUnusableAnswerIsNot() {
    assertThat(((WebhookResponse.Failed) WebhookResponse.noAnswer("timeout", "no answer in 10 s")).endpointFault()).isTrue();
    assertThat(((WebhookResponse.Failed) WebhookResponse.unusableAnswer("response_too_large", "big")).endpointFault()).isFalse();
    assertThat(((WebhookResponse.Failed) WebhookResponse.classify(302, null, NOW)).detail()).contains("not followed");
    assertThat(((WebhookResponse.Failed) WebhookResponse.classify(503, null, NOW)).retryAfter()).isEqualTo(Optional.empty());
  }
}
