package org.wahub.provider.cloudapi;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.wahub.provider.Inbound;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Meta's webhook: the checks and the mapping of the documented payloads (PROVIDERS.md §1.6). */
class CloudApiWebhookTest {

  static final String NUMBER = "106540352242922";
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

  /** The envelope of one change of field {@code messages} for a phone number. */
  static JsonObject payload(String phoneNumberId, JsonObject value) {
    value.put("messaging_product", "whatsapp")
        .put("metadata", new JsonObject().put("display_phone_number", "15550783881").put("phone_number_id", phoneNumberId));
    return new JsonObject().put("object", "whatsapp_business_account").put("entry", new JsonArray().add(new JsonObject()
        .put("id", "102290129340398").put("changes", new JsonArray().add(new JsonObject().put("field", "messages").put("value", value)))));
  }

  static JsonObject status(String wamid, String status, String timestamp) {
    return new JsonObject().put("id", wamid).put("status", status).put("timestamp", timestamp).put("recipient_id", "16505551234");
  }

  @Test
  void theSignatureTestVectorOfProvidersMd() {
    String body = "{\"object\":\"whatsapp_business_account\",\"entry\":[]}";
    String expected = "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756";
    assertThat(CloudApiWebhook.signature("test_app_secret", body.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    Buffer raw = Buffer.buffer(body);
    assertThat(CloudApiWebhook.signatureValid("test_app_secret", raw, expected)).isTrue();
    assertThat(CloudApiWebhook.signatureValid("test_app_secret", raw, expected.toUpperCase().replace("SHA256=", "sha256="))).isTrue();
    assertThat(CloudApiWebhook.signatureValid("other_secret", raw, expected)).isFalse();
    assertThat(CloudApiWebhook.signatureValid("test_app_secret", Buffer.buffer(body + " "), expected)).isFalse();
    assertThat(CloudApiWebhook.signatureValid("test_app_secret", raw, "sha256=zz")).isFalse();
    assertThat(CloudApiWebhook.signatureValid("test_app_secret", raw, "sha1=" + expected.substring(7))).isFalse();
    assertThat(CloudApiWebhook.signatureValid(null, raw, expected)).isFalse();
  }

  @Test
  void theSubscriptionCheck() {
    assertThat(CloudApiWebhook.verifies("subscribe", "s3cret", "s3cret")).isTrue();
    assertThat(CloudApiWebhook.verifies("subscribe", "s3cres", "s3cret")).isFalse();
    assertThat(CloudApiWebhook.verifies("unsubscribe", "s3cret", "s3cret")).isFalse();
    assertThat(CloudApiWebhook.verifies("subscribe", "", null)).isFalse();
    assertThat(CloudApiWebhook.verifies("subscribe", "", "")).isFalse();
  }

  @Test
  void statusesBecomeReceiptsOfTheirWamid() {
    JsonObject failed = status("wamid.C", "failed", "1749416400").put("errors", new JsonArray().add(new JsonObject()
        .put("code", 131047).put("title", "Re-engagement message")
        .put("error_data", new JsonObject().put("details", "Message failed to send because more than 24 hours have passed"))));
    JsonObject value = new JsonObject().put("statuses", new JsonArray()
        .add(status("wamid.A", "delivered", "1749416383")).add(status("wamid.A", "read", "1749416390"))
        .add(failed).add(status("wamid.D", "played", "1749416401")));
    CloudApiWebhook.Mapped m = CloudApiWebhook.map(payload(NUMBER, value), NUMBER, NOW);
    assertThat(m.events()).containsExactly(
        new Inbound.Receipt("wamid.A:delivered", Instant.ofEpochSecond(1749416383), "wamid.A", Inbound.Receipt.Status.DELIVERED, null),
        new Inbound.Receipt("wamid.A:read", Instant.ofEpochSecond(1749416390), "wamid.A", Inbound.Receipt.Status.READ, null),
        new Inbound.Receipt("wamid.C:failed", Instant.ofEpochSecond(1749416400), "wamid.C", Inbound.Receipt.Status.FAILED,
            "131047: Re-engagement message (Message failed to send because more than 24 hours have passed)"));
    assertThat(m.ignored()).isEqualTo(1);
  }

  @Test
  void aReplyToAMappedPollIsTheVotersChoice() {
    JsonObject button = new JsonObject().put("from", "16505551234").put("id", "wamid.R1").put("timestamp", "1749416383")
        .put("type", "interactive").put("context", new JsonObject().put("from", "15550783881").put("id", "wamid.POLL"))
        .put("interactive", new JsonObject().put("type", "button_reply")
            .put("button_reply", new JsonObject().put("id", CloudApiMessages.replyId(1, "No")).put("title", "No")));
    String longOption = "Deliver to the pick-up station next to the bakery";
    JsonObject list = new JsonObject().put("from", "16505551234").put("id", "wamid.R2").put("timestamp", "1749416390")
        .put("type", "interactive").put("context", new JsonObject().put("from", "15550783881").put("id", "wamid.POLL2"))
        .put("interactive", new JsonObject().put("type", "list_reply").put("list_reply", new JsonObject()
            .put("id", CloudApiMessages.replyId(1, longOption)).put("title", CloudApiMessages.cut(longOption, 24))));
    CloudApiWebhook.Mapped m = CloudApiWebhook.map(payload(NUMBER, new JsonObject()
        .put("contacts", new JsonArray().add(new JsonObject().put("wa_id", "16505551234")))
        .put("messages", new JsonArray().add(button).add(list))), NUMBER, NOW);
    assertThat(m.events()).containsExactly(
        new Inbound.Vote("wamid.R1", Instant.ofEpochSecond(1749416383), "wamid.POLL", "16505551234@c.us", List.of("No")),
        new Inbound.Vote("wamid.R2", Instant.ofEpochSecond(1749416390), "wamid.POLL2", "16505551234@c.us", List.of(longOption)));
  }

  @Test
  void otherMessagesAreInboundMessages() {
    JsonObject text = new JsonObject().put("from", "16505551234").put("id", "wamid.T").put("timestamp", "1749416383")
        .put("type", "text").put("text", new JsonObject().put("body", "Does it come in another color?"));
    JsonObject otherButton = new JsonObject().put("from", "16505551234").put("id", "wamid.B").put("timestamp", "1749416384")
        .put("type", "interactive").put("context", new JsonObject().put("id", "wamid.X"))
        .put("interactive", new JsonObject().put("type", "button_reply")
            .put("button_reply", new JsonObject().put("id", "menu-1").put("title", "Menu")));
    JsonObject image = new JsonObject().put("from", "16505551234").put("id", "wamid.I").put("timestamp", "1749416385")
        .put("type", "image").put("image", new JsonObject().put("caption", "this one").put("id", "1234"));
    JsonObject bogus = new JsonObject().put("from", "not-a-number").put("id", "wamid.Z").put("type", "text");
    CloudApiWebhook.Mapped m = CloudApiWebhook.map(payload(NUMBER, new JsonObject()
        .put("messages", new JsonArray().add(text).add(otherButton).add(image).add(bogus))), NUMBER, NOW);
    assertThat(m.events()).containsExactly(
        new Inbound.Message("wamid.T", Instant.ofEpochSecond(1749416383), "16505551234@c.us", "+16505551234", "wamid.T",
            "Does it come in another color?", "text"),
        new Inbound.Message("wamid.B", Instant.ofEpochSecond(1749416384), "16505551234@c.us", "+16505551234", "wamid.B",
            "Menu", "interactive"),
        new Inbound.Message("wamid.I", Instant.ofEpochSecond(1749416385), "16505551234@c.us", "+16505551234", "wamid.I",
            "this one", "image"));
    assertThat(m.ignored()).isEqualTo(1);
  }

  @Test
  void changesForAnotherPhoneNumberAreNotTaken() {
    CloudApiWebhook.Mapped m = CloudApiWebhook.map(payload("999", new JsonObject().put("statuses", new JsonArray()
        .add(status("wamid.A", "delivered", "1749416383")))), NUMBER, NOW);
    assertThat(m.events()).isEmpty();
    assertThat(m.otherNumbers()).isEqualTo(1);
    assertThat(m.summary()).isEqualTo(new JsonObject().put("receipts", 0).put("messages", 0).put("votes", 0)
        .put("otherNumbers", 1).put("ignored", 0));
  }
}
