package org.wahub.hub.validation;

import java.util.Objects;

/**
 * A validated recipient.
 *
 * @param input  what the caller wrote (trimmed)
 * @param chatId the WhatsApp chat identity, the per-chat FIFO key: {@code <digits>@c.us} for a
 *               person (from a phone number or a contact id; {@code @s.whatsapp.net} is folded
 *               into {@code @c.us}), {@code <id>@g.us} for a group
 */
public record Recipient(String input, String chatId, Kind kind) {

  public enum Kind {
    /** An E.164 phone number such as {@code +4915112345678}. */
    PHONE,
    /** A person's WhatsApp id, {@code <digits>@c.us} or {@code <digits>@s.whatsapp.net}. */
    CONTACT_ID,
    /** A group id, {@code <digits>-<digits>@g.us} or {@code <digits>@g.us}. */
    GROUP_ID
  }

  public Recipient {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(chatId, "chatId");
    Objects.requireNonNull(kind, "kind");
  }

  public boolean isGroup() {
    return kind == Kind.GROUP_ID;
  }

  /** {@code +<digits>} for a person (phone or contact id); null for a group. */
  public String e164() {
    return isGroup() ? null : "+" + chatId.substring(0, chatId.indexOf('@'));
  }
}
