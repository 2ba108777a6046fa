package org.wahub.provider.waha;

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

/**
 * WAHA's webhooks (PROVIDERS.md §2.4, §2.5): the signature check and the mapping of one event to
 * what the hub understands, both pure.
 *
 * <p><b>Signature.</b> {@code X-Webhook-Hmac} is the lowercase hex HMAC-SHA512 of the raw body with
 * the session's {@code hmac.key}; {@code X-Webhook-Hmac-Algorithm} says {@code sha512}. Compared in
 * constant time, over the bytes as received (never a re-encoding).
 *
 * <p><b>Events.</b> {@code session.status} → the session's status; {@code message} → an inbound
 * message; {@code message.ack} of our own messages → a receipt (1 sent, 2 delivered, 3 read, 4
 * played counts as read, -1 failed; 0 pending says nothing); {@code poll.vote} on a poll we sent →
 * the voter's whole current selection; {@code poll.vote.failed} → a vote that could not be read.
 * Everything else is acknowledged and ignored.
 *
 * <p><b>Event id.</b> The envelope's {@code id} ({@code evt_…}, documented but missing from WAHA
 * 2024.10); without it a key made of the content, which every retry of the event repeats
 * ({@code msg:}, {@code ack:}, {@code vote:}…); {@code X-Webhook-Request-Id} only when neither
 * exists (whether a retry repeats it is not documented).
 */
public final class WahaWebhook {

  public static final String SIGNATURE_HEADER = "X-Webhook-Hmac";
  public static final String ALGORITHM_HEADER = "X-Webhook-Hmac-Algorithm";
  public static final String REQUEST_ID_HEADER = "X-Webhook-Request-Id";
  public static final String ALGORITHM = "sha512";
  /** The events the hub subscribes a session to. */
  public static final List<String> EVENTS = List.of("session.status", "message", "message.ack", "poll.vote",
      "poll.vote.failed");

  private static final int MAX_OPTIONS = 64;
  /** Stands in for a missing key, so an unknown instance costs the same HMAC as a known one. */
  private static final byte[] NO_KEY = new byte[64];

  private WahaWebhook() {
  }

  // ---------------------------------------------------------------- signature

  /** Lowercase hex HMAC-SHA512 of {@code body} with {@code key} (UTF-8, as WAHA's Node crypto takes a string key). */
  public static String sign(String key, byte[] body) {
    return HexFormat.of().formatHex(mac(key.getBytes(StandardCharsets.UTF_8), body));
  }

  /**
   * Whether {@code signatureHex} is the HMAC-SHA512 of {@code body} with {@code key}. False for a
   * missing key, signature or a named algorithm other than sha512; the MAC is computed in every
   * case, and compared with {@link MessageDigest#isEqual} (constant time).
   */
  public static boolean verify(String key, byte[] body, String signatureHex, String algorithm) {
    byte[] expected = mac(key == null || key.isEmpty() ? NO_KEY : key.getBytes(StandardCharsets.UTF_8), body);
    byte[] given;
    try {
      given = signatureHex == null ? new byte[0] : HexFormat.of().parseHex(signatureHex.trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      given = new byte[0];
    }
    boolean algorithmOk = algorithm == null || ALGORITHM.equalsIgnoreCase(algorithm.trim());
    boolean equal = MessageDigest.isEqual(expected, given);
    boolean hasKey = key != null && !key.isEmpty();
    return equal & algorithmOk & hasKey;
  }

  private static byte[] mac(byte[] key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA512");
      mac.init(new SecretKeySpec(key, "HmacSHA512"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA512 is part of every JRE", e);
    }
  }

  // ---------------------------------------------------------------- events

  /** What one event means to the session. */
  public sealed interface Effect {
  }

  /** The session's status changed (to be mapped by {@link WahaStatus}). */
  public record Status(String status) implements Effect {
  }

  /** Something to hand to the instance's inbound pipeline. */
  public record Received(Inbound inbound) implements Effect {
  }

  /** Acknowledged, nothing to do; {@code why} for the log. */
  public record Ignored(String why) implements Effect {
  }

  /** One event, mapped. {@code eventId} is null only for events that carry nothing the hub keeps. */
  public record Mapped(String event, String eventId, Effect effect) {
  }

  /**
   * Maps one event. {@code session} is the session this instance drives: an event of another one
   * (a misconfigured webhook) is ignored. {@code now} stands in for missing timestamps.
   */
  public static Mapped map(JsonObject envelope, String requestId, String session, Instant now) {
    String event = string(envelope, "event");
    if (event == null) {
      return new Mapped(null, null, new Ignored("no event name"));
    }
    String from = string(envelope, "session");
    if (from != null && !from.equals(session)) {
      return new Mapped(event, null, new Ignored("an event of session " + WahaStatus.shown(from)
          + ", not of this instance's session " + session));
    }
    JsonObject payload = envelope.getValue("payload") instanceof JsonObject p ? p : new JsonObject();
    Instant sentAt = envelope.getValue("timestamp") instanceof Number n ? instant(n.longValue(), now) : now;
    String given = string(envelope, "id");
    return switch (event) {
      case "session.status" -> {
        String status = string(payload, "status");
        yield new Mapped(event, given, status == null ? new Ignored("session.status without a status") : new Status(status));
      }
      case "message" -> message(event, payload, eventId(given, messageKey(payload), requestId), sentAt, now);
      case "message.ack" -> ack(event, payload, eventId(given, ackKey(payload), requestId), sentAt);
      case "poll.vote", "poll.vote.failed" -> vote(event, payload, given, requestId, sentAt, now);
      default -> new Mapped(event, given, new Ignored("event " + WahaStatus.shown(event) + " is not used by the hub"));
    };
  }

  private static Mapped message(String event, JsonObject p, String eventId, Instant sentAt, Instant now) {
    String id = string(p, "id");
    String chat = string(p, "from");
    if (Boolean.TRUE.equals(p.getValue("fromMe"))) {
      return new Mapped(event, eventId, new Ignored("a message this number sent"));
    }
    if (id == null || chat == null || eventId == null) {
      return new Mapped(event, eventId, new Ignored("a message without id or sender"));
    }
    String participant = string(p, "participant");
    Instant at = p.getValue("timestamp") instanceof Number n ? instant(n.longValue(), now) : sentAt;
    String kind = Boolean.TRUE.equals(p.getValue("hasMedia")) ? "media"
        : p.getValue("location") instanceof JsonObject ? "location"
        : p.getValue("vCards") instanceof JsonArray cards && !cards.isEmpty() ? "contact"
        : "text";
    String text = p.getValue("body") instanceof String b ? b : null;
    return new Mapped(event, eventId, new Received(new Inbound.Message(eventId, at, chat,
        participant != null ? participant : chat, id, text, kind)));
  }

  private static Mapped ack(String event, JsonObject p, String eventId, Instant at) {
    String id = string(p, "id");
    if (!Boolean.TRUE.equals(p.getValue("fromMe"))) {
      return new Mapped(event, eventId, new Ignored("the receipt of a message this number received"));
    }
    if (id == null || eventId == null || !(p.getValue("ack") instanceof Number ack)) {
      return new Mapped(event, eventId, new Ignored("a receipt without message id or ack"));
    }
    Inbound.Receipt.Status status = switch (ack.intValue()) {
      case -1 -> Inbound.Receipt.Status.FAILED;
      case 1 -> Inbound.Receipt.Status.SENT;
      case 2 -> Inbound.Receipt.Status.DELIVERED;
      case 3, 4 -> Inbound.Receipt.Status.READ; // 4 PLAYED (voice) implies read
      default -> null; // 0 PENDING says nothing new
    };
    if (status == null) {
      return new Mapped(event, eventId, new Ignored("ack " + ack.intValue() + " (pending or unknown)"));
    }
    return new Mapped(event, eventId, new Received(new Inbound.Receipt(eventId, at, id, status,
        status == Inbound.Receipt.Status.FAILED ? "WAHA reported ack -1 (ERROR)" : null)));
  }

  private static Mapped vote(String event, JsonObject p, String given, String requestId, Instant sentAt, Instant now) {
    JsonObject vote = p.getValue("vote") instanceof JsonObject v ? v : new JsonObject();
    JsonObject poll = p.getValue("poll") instanceof JsonObject o ? o : new JsonObject();
    String pollId = string(poll, "id");
    String voter = string(vote, "participant") != null ? string(vote, "participant") : string(vote, "from");
    List<String> options = new ArrayList<>();
    if (vote.getValue("selectedOptions") instanceof JsonArray selected) {
      for (Object o : selected) {
        if (o instanceof String s && options.size() < MAX_OPTIONS) {
          options.add(s);
        }
      }
    }
    Instant at = vote.getValue("timestamp") instanceof Number n ? instant(n.longValue(), now) : sentAt;
    boolean failed = event.equals("poll.vote.failed");
    String eventId = eventId(given, pollId == null || voter == null ? null
        : (failed ? "vote-failed:" : "vote:") + pollId + ":" + voter + ":" + at.toEpochMilli()
            + (failed ? "" : ":" + Integer.toHexString(options.hashCode())), requestId);
    if (!Boolean.TRUE.equals(poll.getValue("fromMe"))) {
      return new Mapped(event, eventId, new Ignored("a vote on a poll this number did not send"));
    }
    if (Boolean.TRUE.equals(vote.getValue("fromMe"))) {
      return new Mapped(event, eventId, new Ignored("this number's own vote"));
    }
    if (pollId == null || voter == null || eventId == null) {
      return new Mapped(event, eventId, new Ignored("a vote without poll id or voter"));
    }
    return new Mapped(event, eventId, new Received(failed
        ? new Inbound.VoteFailed(eventId, at, pollId, voter)
        : new Inbound.Vote(eventId, at, pollId, voter, options)));
  }

  private static String messageKey(JsonObject p) {
    String id = string(p, "id");
    return id == null ? null : "msg:" + id;
  }

  private static String ackKey(JsonObject p) {
    String id = string(p, "id");
    return id == null || !(p.getValue("ack") instanceof Number ack) ? null : "ack:" + id + ":" + ack.intValue();
  }

  private static String eventId(String given, String derived, String requestId) {
    if (given != null) {
      return given;
    }
    return derived != null ? derived : requestId;
  }

  /**
   * A WAHA timestamp: seconds for message and vote timestamps today, milliseconds for the envelope
   * (and votes may move to ms, the docs warn). Anything below 10^11 is taken as seconds (10^11 s is
   * the year 5138, 10^11 ms is 1973). Zero or negative: {@code fallback}.
   */
  static Instant instant(long value, Instant fallback) {
    if (value <= 0) {
      return fallback;
    }
    return value < 100_000_000_000L ? Instant.ofEpochSecond(value) : Instant.ofEpochMilli(value);
  }

  private static String string(JsonObject o, String name) {
    return o.getValue(name) instanceof String s && !s.isEmpty() ? s : null;
  }
}
