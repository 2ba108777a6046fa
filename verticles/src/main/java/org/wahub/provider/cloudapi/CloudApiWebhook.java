package org.wahub.provider.cloudapi;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.wahub.provider.Inbound;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Meta's webhook (PROVIDERS.md §1.6): the subscription check, the signature, and the mapping of a
 * verified payload to the hub's {@link Inbound} events. Pure.
 *
 * <p>Mapping, per {@code entry[].changes[]} with {@code field:"messages"} whose
 * {@code metadata.phone_number_id} is this instance's number (Meta sends one app's events to one
 * URL; changes for other numbers are counted, not taken):
 * <ul>
 * <li>{@code statuses[]} sent/delivered/read/failed → {@link Inbound.Receipt} of the wamid, event id
 *     {@code <wamid>:<status>} (Meta repeats a status until it got a 200); {@code failed} carries
 *     its first error as {@code <code>: <title> (<details>)}; other statuses ({@code played}) are
 *     ignored;</li>
 * <li>a {@code button_reply}/{@code list_reply} whose id is one of our poll ids
 *     ({@link CloudApiMessages#replyId}) → {@link Inbound.Vote} on the poll's wamid
 *     ({@code context.id}) with that option as the voter's whole selection (a reply replaces the
 *     voter's earlier one);</li>
 * <li>any other message → {@link Inbound.Message}: text, other replies (their title), template
 *     quick replies (their text), media (their caption), with Meta's type as the kind.</li>
 * </ul>
 * Event ids of messages and votes are the inbound wamid. Timestamps are Unix seconds as strings.
 */
final class CloudApiWebhook {

  static final String SIGNATURE_HEADER = "X-Hub-Signature-256";
  private static final String SIGNATURE_PREFIX = "sha256=";
  private static final Pattern WA_ID = Pattern.compile("[0-9]{1,32}");

  private CloudApiWebhook() {
  }

  /** What a payload held for this instance, and how much of it was not taken. */
  record Mapped(List<Inbound> events, int otherNumbers, int ignored) {
    JsonObject summary() {
      int receipts = 0;
      int messages = 0;
      int votes = 0;
      for (Inbound e : events) {
        if (e instanceof Inbound.Receipt) {
          receipts++;
        } else if (e instanceof Inbound.Vote) {
          votes++;
        } else {
          messages++;
        }
      }
      return new JsonObject().put("receipts", receipts).put("messages", messages).put("votes", votes)
          .put("otherNumbers", otherNumbers).put("ignored", ignored);
    }
  }

  /**
   * The subscription check: {@code hub.mode=subscribe} and {@code hub.verify_token} equal to the
   * instance's verify token, compared in constant time. A missing configured token never matches.
   */
  static boolean verifies(String mode, String givenToken, String configuredToken) {
    byte[] given = (givenToken == null ? "" : givenToken).getBytes(StandardCharsets.UTF_8);
    byte[] expected = (configuredToken == null ? "" : configuredToken).getBytes(StandardCharsets.UTF_8);
    boolean equal = MessageDigest.isEqual(sha256(given), sha256(expected)); // equal lengths: no length leak
    return "subscribe".equals(mode) & expected.length > 0 & equal;
  }

  /**
   * {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>},
   * compared in constant time. A missing secret or a malformed header never verifies.
   */
  static boolean signatureValid(String appSecret, Buffer rawBody, String header) {
    if (appSecret == null || appSecret.isEmpty() || header == null
        || !header.regionMatches(true, 0, SIGNATURE_PREFIX, 0, SIGNATURE_PREFIX.length())) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(header.substring(SIGNATURE_PREFIX.length()).trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] expected = hmac(appSecret, rawBody == null ? new byte[0] : rawBody.getBytes());
    return MessageDigest.isEqual(expected, given);
  }

  /** {@code sha256=<lowercase hex>} for a body: what Meta sends (and what tests sign with). */
  static String signature(String appSecret, byte[] body) {
    return SIGNATURE_PREFIX + HexFormat.of().formatHex(hmac(appSecret, body));
  }

  private static byte[] hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
    }
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The events of a verified payload for the instance whose number is {@code phoneNumberId}. */
  static Mapped map(JsonObject payload, String phoneNumberId, Instant now) {
    List<Inbound> events = new ArrayList<>();
    int other = 0;
    int ignored = 0;
    for (JsonObject entry : objects(payload.getValue("entry"))) {
      for (JsonObject change : objects(entry.getValue("changes"))) {
        if (!(change.getValue("value") instanceof JsonObject value) || !"messages".equals(change.getValue("field"))) {
          ignored++;
          continue;
        }
        String number = value.getValue("metadata") instanceof JsonObject m && m.getValue("phone_number_id") != null
            ? String.valueOf(m.getValue("phone_number_id")) : null;
        if (number != null && !number.equals(phoneNumberId)) {
          other++;
          continue;
        }
        for (JsonObject status : objects(value.getValue("statuses"))) {
          Inbound e = receipt(status, now);
          if (e == null) {
            ignored++;
          } else {
            events.add(e);
          }
        }
        for (JsonObject message : objects(value.getValue("messages"))) {
          Inbound e = message(message, now);
          if (e == null) {
            ignored++;
          } else {
            events.add(e);
          }
        }
      }
    }
    return new Mapped(events, other, ignored);
  }

  private static Inbound receipt(JsonObject status, Instant now) {
    String wamid = string(status, "id");
    String state = string(status, "status");
    if (wamid == null || state == null) {
      return null;
    }
    Inbound.Receipt.Status mapped = switch (state.toLowerCase(Locale.ROOT)) {
      case "sent" -> Inbound.Receipt.Status.SENT;
      case "delivered" -> Inbound.Receipt.Status.DELIVERED;
      case "read" -> Inbound.Receipt.Status.READ;
      case "failed" -> Inbound.Receipt.Status.FAILED;
      default -> null; // "played" (voice) and anything newer: nothing the hub tracks
    };
    if (mapped == null) {
      return null;
    }
    String error = null;
    if (mapped == Inbound.Receipt.Status.FAILED) {
      List<JsonObject> errors = objects(status.getValue("errors"));
      error = errors.isEmpty() ? "failed" : describe(errors.get(0));
    }
    return new Inbound.Receipt(wamid + ":" + state.toLowerCase(Locale.ROOT), at(status, now), wamid, mapped, error);
  }

  private static String describe(JsonObject error) {
    Object code = error.getValue("code");
    String title = string(error, "title");
    if (title == null) {
      title = string(error, "message");
    }
    String details = error.getValue("error_data") instanceof JsonObject d ? string(d, "details") : null;
    return (code == null ? "" : code + ": ") + (title == null ? "" : title)
        + (details == null || details.equals(title) ? "" : " (" + details + ")");
  }

  private static Inbound message(JsonObject message, Instant now) {
    String wamid = string(message, "id");
    String from = string(message, "from");
    if (wamid == null || from == null || !WA_ID.matcher(from).matches()) {
      return null;
    }
    String type = string(message, "type");
    type = type == null ? "unknown" : type;
    Instant at = at(message, now);
    String chatId = from + "@c.us";
    String text = null;
    switch (type) {
      case "text" -> text = message.getValue("text") instanceof JsonObject t ? string(t, "body") : null;
      case "interactive" -> {
        JsonObject reply = reply(message);
        String option = reply == null ? null : CloudApiMessages.optionOf(string(reply, "id"));
        String poll = message.getValue("context") instanceof JsonObject c ? string(c, "id") : null;
        if (option != null && poll != null) {
          return new Inbound.Vote(wamid, at, poll, chatId, List.of(clean(option)));
        }
        text = reply == null ? null : string(reply, "title");
      }
      case "button" -> text = message.getValue("button") instanceof JsonObject b ? string(b, "text") : null;
      default -> text = message.getValue(type) instanceof JsonObject media ? string(media, "caption") : null;
    }
    return new Inbound.Message(wamid, at, chatId, "+" + from, wamid, text == null ? null : clean(text), type);
  }

  /** The {@code button_reply} or {@code list_reply} object of an interactive reply. */
  private static JsonObject reply(JsonObject message) {
    if (!(message.getValue("interactive") instanceof JsonObject interactive)) {
      return null;
    }
    String kind = string(interactive, "type");
    return kind != null && interactive.getValue(kind) instanceof JsonObject r ? r : null;
  }

  private static Instant at(JsonObject o, Instant now) {
    Object ts = o.getValue("timestamp");
    try {
      return ts == null ? now : Instant.ofEpochSecond(Long.parseLong(String.valueOf(ts).trim()));
    } catch (NumberFormatException e) {
      return now;
    }
  }

  private static String string(JsonObject o, String name) {
    return o.getValue(name) instanceof String s ? s : null;
  }

  /** PostgreSQL text cannot hold NUL: a stray one must not make an inbound event unstorable. */
  private static String clean(String s) {
    return s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
  }

  private static List<JsonObject> objects(Object array) {
    List<JsonObject> out = new ArrayList<>();
    if (array instanceof JsonArray a) {
      for (Object o : a) {
        if (o instanceof JsonObject j) {
          out.add(j);
        }
      }
    }
    return out;
  }
}
