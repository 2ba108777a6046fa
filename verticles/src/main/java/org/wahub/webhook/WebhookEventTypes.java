package org.wahub.webhook;

import org.wahub.hub.event.EventType;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The event types an endpoint may subscribe to (every {@link EventType}), and the one that must be
 * named to be received ({@code message.queued}: see hub/ EventTypeFilter).
 */
final class WebhookEventTypes {

  static final Set<String> KNOWN = Arrays.stream(EventType.values()).map(EventType::wire).collect(Collectors.toUnmodifiableSet());

  static final Set<String> EXPLICIT_ONLY = Set.of(EventType.MESSAGE_QUEUED.wire());

  private WebhookEventTypes() {
  }
}
