package org.wahub.hub.validation;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.wahub.hub.idempotency.CanonicalJson;
import org.wahub.hub.idempotency.IdempotencyKey;

/**
 * A validated, normalized outbound message or poll, ready for intake.
 *
 * @param content     the kind-specific payload as a JSON tree (unmodifiable):
 *                    TEXT {@code {text}}, MEDIA {@code {url, mimetype[, filename][, caption]}},
 *                    LOCATION {@code {latitude, longitude[, name][, address]}},
 *                    CONTACT {@code {name, phone}} (phone as E.164),
 *                    TEMPLATE {@code {name, language[, components]}},
 *                    POLL {@code {question, options, multipleAnswers}}
 * @param explicitKey the caller's idempotency key (header or body), or null
 * @param sendAt      nullable; a past value means "now"
 * @param expiresAt   nullable
 * @param metadata    the caller's opaque object (unmodifiable), or null
 */
public record OutboundRequest(Kind kind, Recipient recipient, Map<String, Object> content, String explicitKey,
    Instant sendAt, Instant expiresAt, Map<String, Object> metadata) {

  public enum Kind {
    TEXT, MEDIA, LOCATION, CONTACT, POLL, TEMPLATE;

    private final String wire = name().toLowerCase(Locale.ROOT);

    /** The SQL/JSON value: the lowercase name. */
    public String wire() {
      return wire;
    }
  }

  public OutboundRequest {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(content, "content");
  }

  /**
   * Everything that makes two requests "the same", in canonical JSON: kind, chat id, content,
   * schedule and metadata. The key is left out (it is what is being compared), and so is how the
   * recipient was spelled: {@code +49 151…} and {@code 49151…@c.us} are the same chat.
   * Absent optional fields are omitted.
   */
  public String canonicalPayload() {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("kind", kind.wire());
    tree.put("to", recipient.chatId());
    tree.put("content", content);
    if (sendAt != null) {
      tree.put("sendAt", sendAt.toString());
    }
    if (expiresAt != null) {
      tree.put("expiresAt", expiresAt.toString());
    }
    if (metadata != null) {
      tree.put("metadata", metadata);
    }
    return CanonicalJson.write(tree);
  }

  /** The explicit key, or the key derived from instance, chat and canonical payload. */
  public String idempotencyKey(String instanceId) {
    return explicitKey != null
        ? explicitKey
        : IdempotencyKey.derive(instanceId, recipient.chatId(), canonicalPayload());
  }

  public boolean hasExplicitKey() {
    return explicitKey != null;
  }

  /** SHA-256 of the canonical payload: answers "same key, same payload?" on a replay. */
  public String payloadHash() {
    return IdempotencyKey.payloadHash(canonicalPayload());
  }
}
