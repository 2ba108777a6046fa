package org.wahub.hub.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SendErrorTest {

  @ParameterizedTest
  @ValueSource(strings = {"timeout", "disconnected", "provider_unavailable", "rate_limited", "network",
      "circuit_open", "unknown"})
  void transientCodesAreRetriable(String code) {
    SendError e = SendError.classify(code, "x");
    assertThat(e.kind()).isEqualTo(SendError.Kind.RETRIABLE);
    assertThat(e.code()).isEqualTo(code);
  }

  @ParameterizedTest
  @ValueSource(strings = {"invalid_recipient", "not_on_whatsapp", "blocked", "bad_media", "unsupported",
      "payload_rejected", "auth"})
  void finalCodesArePermanent(String code) {
    SendError e = SendError.classify(code, "x");
    assertThat(e.kind()).isEqualTo(SendError.Kind.PERMANENT);
    assertThat(e.code()).isEqualTo(code);
  }

  @Test
  void unknownCodesAreRetriableSoATransientErrorIsNeverLostToAGuess() {
    assertThat(SendError.classify("brand_new_provider_code", "?").kind()).isEqualTo(SendError.Kind.RETRIABLE);
    assertThat(SendError.classify(null, null).code()).isEqualTo("unknown");
  }

  @Test
  void codesAreNormalizedToLowercaseSnakeCase() {
    assertThat(SendError.classify("Not-On-WhatsApp", "").code()).isEqualTo("not_on_whatsapp");
    assertThat(SendError.classify("Not-On-WhatsApp", "").kind()).isEqualTo(SendError.Kind.PERMANENT);
    assertThat(SendError.retriable("  RATE  LIMITED!! ", "").code()).isEqualTo("rate_limited");
    assertThat(SendError.retriable("__x__", "").code()).isEqualTo("x");
    assertThat(SendError.retriable("%%%", "").code()).isEqualTo("unknown");
    assertThat(SendError.retriable("a".repeat(100), "").code()).hasSize(64);
    assertThat(SendError.retriable("a".repeat(63) + "-b", "").code()).isEqualTo("a".repeat(63));
  }

  @Test
  void reasonsAreCutAt500CharactersWithoutSplittingASurrogatePair() {
    assertThat(SendError.permanent("blocked", "r".repeat(600)).reason()).hasSize(500);
    String emojiAtTheCut = "r".repeat(499) + "\uD83D\uDE00" + "tail";
    assertThat(SendError.permanent("blocked", emojiAtTheCut).reason()).isEqualTo("r".repeat(499));
    assertThat(SendError.permanent("blocked", null).reason()).isEmpty();
  }

  @Test
  void factoriesSetTheKind() {
    assertThat(List.of(SendError.retriable("blocked", "").kind(), SendError.permanent("timeout", "").kind()))
        .containsExactly(SendError.Kind.RETRIABLE, SendError.Kind.PERMANENT);
    assertThat(SendError.retriable("timeout", "").isRetriable()).isTrue();
  }
}
