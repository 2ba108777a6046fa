package org.wahub.provider.waha;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.wahub.HubConfig;
import org.wahub.provider.ProviderCapabilities;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The type's declarations and the HUB_PUBLIC_URL its webhooks are built from. */
class WahaTypeTest {

  static HubConfig config(String publicUrl) {
    return new HubConfig(new JsonObject().put("HUB_PUBLIC_URL", publicUrl));
  }

  @Test
  void capabilities() {
    ProviderCapabilities caps = new WahaType().capabilities(new JsonObject());
    assertThat(caps.deduplicatesByMessageId()).as("the in-doubt rule applies").isFalse();
    assertThat(caps.qr()).isTrue();
    assertThat(caps.pairingCode()).isTrue();
    assertThat(caps.polls()).isEqualTo(ProviderCapabilities.Polls.NATIVE);
    assertThat(new WahaType().config().secrets()).containsExactlyInAnyOrder("apiKey", "webhookHmacKey");
  }

  @Test
  void theWebhookUrlFollowsThePublicUrl() {
    assertThat(config("https://hub.example.com/").publicUrl()).contains("https://hub.example.com");
    assertThat(WahaType.webhookUrl(config("https://hub.example.com/wa-hub/").publicUrl().orElseThrow(), "shop1-main"))
        .isEqualTo("https://hub.example.com/wa-hub/providers/waha/shop1-main/webhook");
    assertThat(new HubConfig(new JsonObject()).publicUrl()).isEmpty();
    assertThat(config("  ").publicUrl()).isEmpty();
  }

  @Test
  void aMalformedPublicUrlIsRefused() {
    for (String bad : List.of("hub.example.com", "ftp://hub.example.com", "https://user:pw@hub.example.com",
        "https://hub.example.com/?x=1", "https://hub.example.com/#a")) {
      assertThatThrownBy(() -> config(bad).publicUrl()).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("HUB_PUBLIC_URL");
    }
  }
}
