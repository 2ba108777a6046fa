package org.wahub.hub.event;

import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.message.MessageStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Which domain events a change emits. The glue writes exactly these, in this order, with the change. */
public final class EventRules {

  private EventRules() {
  }

  /**
   * The event of a message entering {@code status}; empty for SENDING (internal: an attempt is
   * under way). QUEUED maps to {@link EventType#MESSAGE_QUEUED}, which the intake writes only when
   * a subscription asks for it; a retry back to QUEUED emits nothing.
   */
  public static Optional<EventType> forMessageStatus(MessageStatus status) {
    return Optional.ofNullable(switch (status) {
      case QUEUED -> EventType.MESSAGE_QUEUED;
      case SENDING -> null;
      case SENT -> EventType.MESSAGE_SENT;
      case DELIVERED -> EventType.MESSAGE_DELIVERED;
      case READ -> EventType.MESSAGE_READ;
      case FAILED -> EventType.MESSAGE_FAILED;
      case CANCELLED -> EventType.MESSAGE_CANCELLED;
      case EXPIRED -> EventType.MESSAGE_EXPIRED;
      case IN_DOUBT -> EventType.MESSAGE_IN_DOUBT;
    });
  }

  /**
   * The events of an instance state change: always {@link EventType#INSTANCE_STATE_CHANGED}; then
   * {@link EventType#INSTANCE_NEEDS_QR} when it now waits for a scan, and
   * {@link EventType#INSTANCE_FAILED} when the ladder gave up. A "change" to the same state emits
   * nothing.
   */
  public static List<EventType> forStateChange(InstanceState from, InstanceState to) {
    List<EventType> out = new ArrayList<>(2);
    if (from == to) {
      return out;
    }
    out.add(EventType.INSTANCE_STATE_CHANGED);
    if (to == InstanceState.NEEDS_QR) {
      out.add(EventType.INSTANCE_NEEDS_QR);
    } else if (to == InstanceState.FAILED) {
      out.add(EventType.INSTANCE_FAILED);
    }
    return out;
  }
}
