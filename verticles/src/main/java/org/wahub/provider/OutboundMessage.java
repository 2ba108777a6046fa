package org.wahub.provider;

import io.vertx.core.json.JsonObject;

/**
 * A claimed message as a provider needs it. {@code id} is the hub's message id: providers that
 * deduplicate use it as their idempotency key.
 */
public record OutboundMessage(String id, String instanceId, String chatId, String recipient, String kind,
                              JsonObject content, int attempt) {
}
