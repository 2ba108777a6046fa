package org.wahub.provider.cloudapi;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.wahub.hub.validation.FieldError;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A hub message as the body of Meta's send call ({@code POST /{version}/{phone-number-id}/messages},
 * PROVIDERS.md §1.1), validated in the tests against the message schemas of Meta's OpenAPI
 * document. Pure.
 *
 * <ul>
 * <li>text → {@code text} (a link preview when the text has a link);</li>
 * <li>media by link: {@code image/jpeg|png} → {@code image}, {@code image/webp} → {@code sticker},
 *     {@code video/mp4|3gpp} → {@code video}, {@code audio/*} → {@code audio} (no caption: WhatsApp
 *     shows none on audio), anything else → {@code document} with its file name;</li>
 * <li>location → {@code location} (coordinates as decimal strings, the spec's type); contact →
 *     {@code contacts} with one card;</li>
 * <li>template → {@code template} with {@code language:{policy:"deterministic", code}} and the
 *     components as given;</li>
 * <li>poll (one answer) → interactive <em>reply buttons</em> when it has at most 3 options of at
 *     most 20 characters, else an interactive <em>list</em> (at most 10 rows; a row's title holds 24
 *     characters, a longer option is cut there with "…" and shown whole, up to 72, as the row's
 *     description). Each button or row id is {@code poll:<index>:<option>}, so a reply names the
 *     option in full, whatever the title showed. Polls with more than 10 options or several answers
 *     are refused at intake ({@link #pollProblem}).</li>
 * </ul>
 */
final class CloudApiMessages {

  static final int MAX_BUTTONS = 3;
  static final int MAX_BUTTON_TITLE = 20;
  static final int MAX_LIST_ROWS = 10;
  static final int MAX_ROW_TITLE = 24;
  static final int MAX_ROW_DESCRIPTION = 72;
  static final String POLL_REPLY_PREFIX = "poll:";
  static final String DEFAULT_LIST_BUTTON = "Choose";

  private CloudApiMessages() {
  }

  /** Thrown for a message this provider cannot send at all; the send fails as permanent {@code unsupported}. */
  static final class Unsupported extends RuntimeException {
    Unsupported(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The Graph body for one message.
   *
   * @param recipient  E.164 ({@code +4915…}) for a person; a group id is refused
   * @param listButton the label of a poll list's button (≤ 20 characters)
   */
  static JsonObject body(String recipient, String kind, JsonObject content, String listButton) {
    if (recipient == null || !recipient.startsWith("+")) {
      throw new Unsupported("cloud-api sends to phone numbers only (WhatsApp groups need Meta's Groups API)");
    }
    JsonObject body = new JsonObject().put("messaging_product", "whatsapp").put("recipient_type", "individual")
        .put("to", recipient);
    switch (kind) {
      case "text" -> {
        String text = content.getString("text");
        body.put("type", "text").put("text", new JsonObject().put("preview_url", hasLink(text)).put("body", text));
      }
      case "media" -> media(body, content);
      case "location" -> {
        JsonObject location = new JsonObject()
            .put("latitude", decimal(content.getValue("latitude")))
            .put("longitude", decimal(content.getValue("longitude")));
        putIfPresent(location, "name", content.getString("name"));
        putIfPresent(location, "address", content.getString("address"));
        body.put("type", "location").put("location", location);
      }
      case "contact" -> {
        String name = content.getString("name");
        JsonObject card = new JsonObject()
            .put("name", new JsonObject().put("formatted_name", name).put("first_name", name))
            .put("phones", new JsonArray().add(new JsonObject().put("phone", content.getString("phone"))));
        body.put("type", "contacts").put("contacts", new JsonArray().add(card));
      }
      case "template" -> {
        JsonObject template = new JsonObject().put("name", content.getString("name"))
            // Meta's schema requires the policy; "deterministic" is its only value
            .put("language", new JsonObject().put("policy", "deterministic").put("code", content.getString("language")));
        JsonArray components = content.getJsonArray("components");
        if (components != null && !components.isEmpty()) {
          template.put("components", components.copy());
        }
        body.put("type", "template").put("template", template);
      }
      case "poll" -> body.put("type", "interactive").put("interactive", poll(content, listButton));
      default -> throw new Unsupported("cloud-api cannot send a " + kind + " message");
    }
    return body;
  }

  /**
   * Why a poll cannot be mapped (several answers, more than 10 options), or empty. Asked at intake
   * (a 400 there) and again before sending.
   */
  static Optional<FieldError> pollProblem(Map<String, Object> content) {
    if (Boolean.TRUE.equals(content.get("multipleAnswers"))) {
      return Optional.of(new FieldError("/multipleAnswers", FieldError.UNSUPPORTED_BY_PROVIDER,
          "cloud-api instances send polls as interactive reply buttons or a list, which take one answer: "
              + "multipleAnswers must be false"));
    }
    Object options = content.get("options");
    int count = options instanceof List<?> list ? list.size() : options instanceof JsonArray array ? array.size() : 0;
    if (count > MAX_LIST_ROWS) {
      return Optional.of(new FieldError("/options", FieldError.UNSUPPORTED_BY_PROVIDER,
          "cloud-api instances send polls as interactive reply buttons (up to " + MAX_BUTTONS
              + " options) or a list (up to " + MAX_LIST_ROWS + " options); this poll has " + count));
    }
    return Optional.empty();
  }

  /** Whether the poll goes out as reply buttons (else as a list). */
  static boolean asButtons(List<String> options) {
    return options.size() <= MAX_BUTTONS && options.stream().allMatch(o -> length(o) <= MAX_BUTTON_TITLE);
  }

  private static JsonObject poll(JsonObject content, String listButton) {
    Optional<FieldError> problem = pollProblem(content.getMap());
    if (problem.isPresent()) {
      throw new Unsupported(problem.get().message());
    }
    List<String> options = content.getJsonArray("options").stream().map(String::valueOf).toList();
    JsonObject interactive = new JsonObject().put("body", new JsonObject().put("text", content.getString("question")));
    if (asButtons(options)) {
      JsonArray buttons = new JsonArray();
      for (int i = 0; i < options.size(); i++) {
        buttons.add(new JsonObject().put("type", "reply")
            .put("reply", new JsonObject().put("id", replyId(i, options.get(i))).put("title", options.get(i))));
      }
      return interactive.put("type", "button").put("action", new JsonObject().put("buttons", buttons));
    }
    JsonArray rows = new JsonArray();
    for (int i = 0; i < options.size(); i++) {
      String option = options.get(i);
      JsonObject row = new JsonObject().put("id", replyId(i, option)).put("title", cut(option, MAX_ROW_TITLE));
      if (length(option) > MAX_ROW_TITLE) {
        row.put("description", cut(option, MAX_ROW_DESCRIPTION));
      }
      rows.add(row);
    }
    String button = listButton == null || listButton.isBlank() ? DEFAULT_LIST_BUTTON : cut(listButton, MAX_BUTTON_TITLE);
    return interactive.put("type", "list").put("action", new JsonObject().put("button", button)
        .put("sections", new JsonArray().add(new JsonObject().put("rows", rows))));
  }

  /** {@code poll:<index>:<option>}: at most 5 + 2 + 1 + 100 characters (ids take 200). */
  static String replyId(int index, String option) {
    return POLL_REPLY_PREFIX + index + ":" + option;
  }

  /** The option a poll reply id names, or null when the id is not one of ours. */
  static String optionOf(String replyId) {
    if (replyId == null || !replyId.startsWith(POLL_REPLY_PREFIX)) {
      return null;
    }
    int colon = replyId.indexOf(':', POLL_REPLY_PREFIX.length());
    if (colon < 0) {
      return null;
    }
    try {
      Integer.parseInt(replyId.substring(POLL_REPLY_PREFIX.length(), colon));
    } catch (NumberFormatException e) {
      return null;
    }
    return replyId.substring(colon + 1);
  }

  private static void media(JsonObject body, JsonObject content) {
    String mimetype = content.getString("mimetype", "").toLowerCase(Locale.ROOT);
    int semicolon = mimetype.indexOf(';');
    String type = (semicolon < 0 ? mimetype : mimetype.substring(0, semicolon)).trim();
    String url = content.getString("url");
    String caption = content.getString("caption");
    JsonObject media = new JsonObject().put("link", url);
    String graphType;
    if (type.equals("image/jpeg") || type.equals("image/png")) {
      graphType = "image";
      putIfPresent(media, "caption", caption);
    } else if (type.equals("image/webp")) {
      graphType = "sticker";
    } else if (type.equals("video/mp4") || type.equals("video/3gpp")) {
      graphType = "video";
      putIfPresent(media, "caption", caption);
    } else if (type.startsWith("audio/")) {
      graphType = "audio";
    } else {
      graphType = "document";
      putIfPresent(media, "caption", caption);
      putIfPresent(media, "filename", content.getString("filename"));
    }
    body.put("type", graphType).put(graphType, media);
  }

  private static boolean hasLink(String text) {
    String lower = text == null ? "" : text.toLowerCase(Locale.ROOT);
    return lower.contains("https://") || lower.contains("http://");
  }

  /** The spec types coordinates as strings; a plain decimal, never an exponent. */
  private static String decimal(Object value) {
    if (value instanceof Number n) {
      return new BigDecimal(n.toString()).toPlainString();
    }
    return String.valueOf(value);
  }

  private static void putIfPresent(JsonObject o, String name, String value) {
    if (value != null) {
      o.put(name, value);
    }
  }

  static int length(String s) {
    return s.codePointCount(0, s.length());
  }

  /** At most {@code max} code points: cut to {@code max - 1} and "…" when longer. */
  static String cut(String s, int max) {
    if (length(s) <= max) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
  }
}
