package org.wahub.provider.cloudapi;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every body the mapping builds is what Meta's OpenAPI document describes (validated with a JSON
 * Schema library, {@link CloudApiSpec}), and the validation really refuses what the document does
 * not allow.
 */
class CloudApiMessagesTest {

  static final String TO = "+4915112345678";

  static JsonObject body(String kind, JsonObject content) {
    JsonObject b = CloudApiMessages.body(TO, kind, content, null);
    assertThat(CloudApiSpec.problems(b)).as(b.encodePrettily()).isEmpty();
    return b;
  }

  static JsonObject poll(String question, String... options) {
    return new JsonObject().put("question", question).put("options", new JsonArray(List.of((Object[]) options)))
        .put("multipleAnswers", false);
  }

  @Test
  void text() {
    JsonObject b = body("text", new JsonObject().put("text", "Your order ships today"));
    assertThat(b.getString("messaging_product")).isEqualTo("whatsapp");
    assertThat(b.getString("recipient_type")).isEqualTo("individual");
    assertThat(b.getString("to")).isEqualTo(TO);
    assertThat(b.getJsonObject("text")).isEqualTo(new JsonObject().put("preview_url", false).put("body", "Your order ships today"));
    assertThat(body("text", new JsonObject().put("text", "see https://example.com/o/1")).getJsonObject("text")
        .getBoolean("preview_url")).isTrue();
  }

  @Test
  void mediaByLinkChoosesTheTypeFromTheMimetype() {
    JsonObject image = body("media", new JsonObject().put("url", "https://example.com/a.png").put("mimetype", "image/png")
        .put("caption", "Your invoice"));
    assertThat(image.getString("type")).isEqualTo("image");
    assertThat(image.getJsonObject("image")).isEqualTo(new JsonObject().put("link", "https://example.com/a.png")
        .put("caption", "Your invoice"));
    JsonObject doc = body("media", new JsonObject().put("url", "https://example.com/inv.pdf").put("mimetype", "application/pdf")
        .put("filename", "inv.pdf").put("caption", "Invoice"));
    assertThat(doc.getString("type")).isEqualTo("document");
    assertThat(doc.getJsonObject("document").getString("filename")).isEqualTo("inv.pdf");
    assertThat(body("media", new JsonObject().put("url", "https://example.com/v.mp4").put("mimetype", "video/mp4"))
        .getString("type")).isEqualTo("video");
    JsonObject audio = body("media", new JsonObject().put("url", "https://example.com/v.ogg").put("mimetype", "audio/ogg; codecs=opus")
        .put("caption", "dropped"));
    assertThat(audio.getString("type")).isEqualTo("audio");
    assertThat(audio.getJsonObject("audio").containsKey("caption")).isFalse();
    assertThat(body("media", new JsonObject().put("url", "https://example.com/s.webp").put("mimetype", "image/webp"))
        .getString("type")).isEqualTo("sticker");
    assertThat(body("media", new JsonObject().put("url", "https://example.com/x.gif").put("mimetype", "image/gif"))
        .getString("type")).isEqualTo("document");
  }

  @Test
  void locationAndContact() {
    JsonObject loc = body("location", new JsonObject().put("latitude", 52.52).put("longitude", 13.405).put("name", "Shop"));
    assertThat(loc.getJsonObject("location").getString("latitude")).isEqualTo("52.52");
    JsonObject contact = body("contact", new JsonObject().put("name", "Anna Shop").put("phone", "+4930123456"));
    assertThat(contact.getJsonArray("contacts").getJsonObject(0).getJsonArray("phones").getJsonObject(0).getString("phone"))
        .isEqualTo("+4930123456");
  }

  @Test
  void templateCarriesTheDeterministicLanguagePolicyAndTheComponents() {
    JsonArray components = new JsonArray()
        .add(new JsonObject().put("type", "header").put("parameters", new JsonArray()
            .add(new JsonObject().put("type", "image").put("image", new JsonObject().put("link", "https://example.com/h.jpg")))))
        .add(new JsonObject().put("type", "body").put("parameters", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "4711"))));
    JsonObject b = body("template", new JsonObject().put("name", "order_update").put("language", "en_US")
        .put("components", components));
    assertThat(b.getJsonObject("template").getJsonObject("language"))
        .isEqualTo(new JsonObject().put("policy", "deterministic").put("code", "en_US"));
    assertThat(b.getJsonObject("template").getJsonArray("components")).isEqualTo(components);
  }

  @Test
  void aPollOfUpToThreeShortOptionsBecomesReplyButtons() {
    JsonObject b = body("poll", poll("Confirm your order?", "Yes", "No", "Call me"));
    JsonObject interactive = b.getJsonObject("interactive");
    assertThat(interactive.getString("type")).isEqualTo("button");
    assertThat(interactive.getJsonObject("body").getString("text")).isEqualTo("Confirm your order?");
    JsonArray buttons = interactive.getJsonObject("action").getJsonArray("buttons");
    assertThat(buttons).hasSize(3);
    assertThat(buttons.getJsonObject(2).getJsonObject("reply"))
        .isEqualTo(new JsonObject().put("id", "poll:2:Call me").put("title", "Call me"));
  }

  @Test
  void aLongerPollBecomesAListWithTheWholeOptionInTheId() {
    String longOption = "Deliver to the pick-up station next to the bakery";
    JsonObject b = body("poll", poll("Where to?", "Home", longOption));
    JsonObject interactive = b.getJsonObject("interactive");
    assertThat(interactive.getString("type")).isEqualTo("list");
    JsonObject action = interactive.getJsonObject("action");
    assertThat(action.getString("button")).isEqualTo(CloudApiMessages.DEFAULT_LIST_BUTTON);
    JsonObject row = action.getJsonArray("sections").getJsonObject(0).getJsonArray("rows").getJsonObject(1);
    assertThat(row.getString("title")).hasSize(24).endsWith("…");
    assertThat(row.getString("description")).isEqualTo(longOption);
    assertThat(CloudApiMessages.optionOf(row.getString("id"))).isEqualTo(longOption);

    String[] ten = new String[10];
    for (int i = 0; i < 10; i++) {
      ten[i] = "Option " + i;
    }
    assertThat(body("poll", poll("Pick", ten)).getJsonObject("interactive").getString("type")).isEqualTo("list");
    assertThat(body("poll", poll("Pick", "1", "2", "3", "4")).getJsonObject("interactive").getString("type")).isEqualTo("list");
  }

  @Test
  void pollsThatCannotBeMappedAreNamed() {
    assertThat(CloudApiMessages.pollProblem(Map.of("options", List.of("a", "b"), "multipleAnswers", true)))
        .hasValueSatisfying(e -> assertThat(e.pointer()).isEqualTo("/multipleAnswers"));
    assertThat(CloudApiMessages.pollProblem(Map.of("options", List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"),
        "multipleAnswers", false))).hasValueSatisfying(e -> assertThat(e.pointer()).isEqualTo("/options"));
    assertThat(CloudApiMessages.pollProblem(Map.of("options", List.of("a", "b"), "multipleAnswers", false))).isEmpty();
    assertThatThrownBy(() -> CloudApiMessages.body(TO, "poll", poll("q", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"), null))
        .isInstanceOf(CloudApiMessages.Unsupported.class);
  }

  @Test
  void groupsAreNotSentToCloudApi() {
    assertThatThrownBy(() -> CloudApiMessages.body("120363025246125486@g.us", "text", new JsonObject().put("text", "hi"), null))
        .isInstanceOf(CloudApiMessages.Unsupported.class);
  }

  @Test
  void theSpecValidationRefusesWhatTheDocumentDoesNotAllow() {
    JsonObject good = CloudApiMessages.body(TO, "text", new JsonObject().put("text", "hi"), null);
    assertThat(CloudApiSpec.problems(good)).isEmpty();
    // an unknown member of the type's part (additionalProperties: false)
    assertThat(CloudApiSpec.problems(good.copy().put("colour", "red"))).isNotEmpty();
    // the envelope without its required recipient
    JsonObject noTo = good.copy();
    noTo.remove("to");
    assertThat(CloudApiSpec.problems(noTo)).isNotEmpty();
    // four reply buttons (maxItems 3), a button title of 21 characters (maxLength 20)
    JsonObject buttons = CloudApiMessages.body(TO, "poll", poll("q", "a", "b", "c"), null);
    buttons.getJsonObject("interactive").getJsonObject("action").getJsonArray("buttons")
        .add(new JsonObject().put("type", "reply").put("reply", new JsonObject().put("id", "x").put("title", "d")));
    assertThat(CloudApiSpec.problems(buttons)).isNotEmpty();
    JsonObject longTitle = CloudApiMessages.body(TO, "poll", poll("q", "a", "b"), null);
    longTitle.getJsonObject("interactive").getJsonObject("action").getJsonArray("buttons").getJsonObject(0)
        .getJsonObject("reply").put("title", "x".repeat(21));
    assertThat(CloudApiSpec.problems(longTitle)).isNotEmpty();
    // a template language without its policy
    JsonObject template = CloudApiMessages.body(TO, "template", new JsonObject().put("name", "t").put("language", "en"), null);
    template.getJsonObject("template").getJsonObject("language").remove("policy");
    assertThat(CloudApiSpec.problems(template)).isNotEmpty();
  }
}
