package org.wahub.provider.waha;

import io.vertx.core.json.JsonObject;

/**
 * The message id in WAHA's answer to a send (PROVIDERS.md §2.3). The answer is the engine's own
 * object: a string {@code id} (NOWEB polls, GOWS), whatsapp-web.js's {@code id._serialized}
 * (WEBJS, WPP), or Baileys' {@code key} (NOWEB text). Ids are kept in WAHA's serialized form
 * {@code {fromMe}_{chatId}_{id}}, the form its {@code message.ack} and {@code poll.vote} events
 * name a message by, so receipts and votes find the message they belong to.
 */
final class WahaMessageIds {

  private WahaMessageIds() {
  }

  /** The id of the sent message, or null when the answer carries none we know. */
  static String of(JsonObject answer, String chatId) {
    if (answer == null) {
      return null;
    }
    Object id = answer.getValue("id");
    if (id instanceof String s && !s.isEmpty()) {
      return s;
    }
    if (id instanceof JsonObject o && o.getValue("_serialized") instanceof String s && !s.isEmpty()) {
      return s;
    }
    if (answer.getValue("key") instanceof JsonObject key && key.getValue("id") instanceof String raw && !raw.isEmpty()) {
      boolean fromMe = !Boolean.FALSE.equals(key.getValue("fromMe"));
      String remote = key.getValue("remoteJid") instanceof String r && !r.isEmpty() ? r : chatId;
      // Baileys names people @s.whatsapp.net; WAHA's events name them @c.us
      if (remote.endsWith("@s.whatsapp.net")) {
        remote = remote.substring(0, remote.length() - "@s.whatsapp.net".length()) + "@c.us";
      }
      return fromMe + "_" + remote + "_" + raw;
    }
    return null;
  }
}
