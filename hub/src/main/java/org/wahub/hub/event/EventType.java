package org.wahub.hub.event;

import java.util.Optional;

/**
 * Every kind of domain event the hub tells the outside about, by SSE and webhooks. The wire value
 * ({@code message.sent}) is the event's {@code type} in the body, the SSE {@code event:} field and
 * the {@code events.type} column; it is part of the API contract and never changes.
 */
public enum EventType {

  /** Accepted and queued. Only written when a subscription asks for it, so the intake pays nothing otherwise. */
  MESSAGE_QUEUED("message.queued"),
  /** The provider accepted the message. */
  MESSAGE_SENT("message.sent"),
  /** A delivery receipt arrived. */
  MESSAGE_DELIVERED("message.delivered"),
  /** A read receipt arrived. */
  MESSAGE_READ("message.read"),
  /** Permanently failed (or attempts exhausted): it is on the dead-letter list. */
  MESSAGE_FAILED("message.failed"),
  /** The hub cannot know whether the provider sent it; an operator decides. */
  MESSAGE_IN_DOUBT("message.in_doubt"),
  /** Not sent before its expiresAt. */
  MESSAGE_EXPIRED("message.expired"),
  /** Withdrawn by an operator. */
  MESSAGE_CANCELLED("message.cancelled"),
  /** An inbound message from a contact. */
  MESSAGE_RECEIVED("message.received"),
  /** A contact voted (or changed their vote) on a poll. */
  POLL_VOTE("poll.vote"),
  /** The instance moved from one state to another. */
  INSTANCE_STATE_CHANGED("instance.state_changed"),
  /** The instance needs its QR code scanned (with the code when the provider has one). */
  INSTANCE_NEEDS_QR("instance.needs_qr"),
  /** The reconnect ladder is exhausted: manual action is needed. */
  INSTANCE_FAILED("instance.failed");

  private final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  /** The wire value, e.g. {@code message.sent}. */
  public String wire() {
    return wire;
  }

  /** The type for an exact wire value; empty for anything else (case matters, no spaces). */
  public static Optional<EventType> parse(String wire) {
    if (wire == null) {
      return Optional.empty();
    }
    for (EventType t : values()) {
      if (t.wire.equals(wire)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** For log lines and error messages: the wire values, comma separated. */
  public static String allWire() {
    StringBuilder sb = new StringBuilder();
    for (EventType t : values()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(t.wire);
    }
    return sb.toString();
  }
}
