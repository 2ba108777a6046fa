package org.wahub.webhook;

import io.vertx.core.json.JsonObject;
import org.wahub.hub.message.MessageIds;
import org.wahub.hub.webhook.EventTypeFilter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.wahub.event.EventLog;
import org.wahub.webhook.WebhookDeliveryStore.HookRow;
import org.wahub.webhook.WebhookDeliveryStore.NewDelivery;

/**
 * Which endpoints get which events of a page, and the exact body each delivery will send: an
 * endpoint gets an event of its tenant when its filter matches the type (hub/ EventTypeFilter), its
 * instance filter (if any) names the event's instance, and the event happened at or after the
 * endpoint was created or last enabled.
 */
final class WebhookFanOut implements WebhookDeliveryStore.FanOutPlanner {

  /** The largest body stored (the column's limit); a bigger event is sent without its data, marked truncated. */
  static final int MAX_BODY_BYTES = 262_144;

  private final MessageIds ids;

  WebhookFanOut(MessageIds ids) {
    this.ids = ids;
  }

  @Override
  public List<NewDelivery> plan(List<EventLog.Event> events, List<HookRow> hooks) {
    Map<String, List<HookRow>> byTenant = new HashMap<>();
    Map<String, EventTypeFilter> filters = new HashMap<>();
    for (HookRow h : hooks) {
      byTenant.computeIfAbsent(h.tenantId(), t -> new ArrayList<>()).add(h);
      filters.put(h.id(), EventTypeFilter.trusted(h.eventTypes(), WebhookEventTypes.EXPLICIT_ONLY));
    }
    List<NewDelivery> out = new ArrayList<>();
    for (EventLog.Event e : events) {
      List<HookRow> candidates = byTenant.get(e.tenantId());
      if (candidates == null) {
        continue;
      }
      String body = null;
      for (HookRow h : candidates) {
        if (h.instanceId() != null && !h.instanceId().equals(e.instanceId())) {
          continue;
        }
        if (e.at() != null && h.eventsSince() != null && e.at().isBefore(h.eventsSince())) {
          continue;
        }
        if (!filters.get(h.id()).matches(e.type())) {
          continue;
        }
        if (body == null) {
          body = body(e);
        }
        out.add(new NewDelivery(ids.next(), h.id(), e, orderKey(e), body));
      }
    }
    return out;
  }

  /** Events with the same key reach an endpoint in order: one message's, else one instance's. */
  static String orderKey(EventLog.Event e) {
    if (e.messageId() != null) {
      return "message:" + e.messageId();
    }
    return e.instanceId() == null ? null : "instance:" + e.instanceId();
  }

  /**
   * {@code {"type","timestamp","data"}}, exactly as the SSE stream shows the event
   * ({@link EventLog.Event#body()}); an event too big to store goes without its data, marked truncated.
   */
  static String body(EventLog.Event e) {
    String body = e.body().encode();
    if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
      JsonObject data = new JsonObject();
      if (e.instanceId() != null) {
        data.put("instanceId", e.instanceId());
      }
      if (e.messageId() != null) {
        data.put("messageId", e.messageId().toString());
      }
      body = envelope(e.type(), e.at(), data.put("truncated", true));
    }
    return body;
  }

  static String ping(String webhookId, Instant now) {
    return envelope(EventTypeFilter.TEST, now, new JsonObject().put("webhookId", webhookId)
        .put("message", "a test event from wa-hub; answer 2xx to acknowledge it"));
  }

  private static String envelope(String type, Instant at, JsonObject data) {
    return new JsonObject().put("type", type).put("timestamp", at == null ? null : at.toString()).put("data", data).encode();
  }
}
