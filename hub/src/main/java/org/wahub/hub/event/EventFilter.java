package org.wahub.hub.event;

import org.wahub.hub.validation.FieldError;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a reader wants to see: some event types (empty = all) of one instance (null = all of the
 * tenant's). The tenant is never part of a filter: readers get it from their credentials.
 */
public record EventFilter(Set<EventType> types, String instanceId) {

  /** Every event. */
  public static final EventFilter ALL = new EventFilter(Set.of(), null);

  private static final int MAX_TYPES_LENGTH = 1000;

  public EventFilter {
    types = types.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(types));
  }

  public boolean matches(EventType type, String instance) {
    return (types.isEmpty() || types.contains(type)) && (instanceId == null || instanceId.equals(instance));
  }

  /** The wire values of {@link #types}, or null for "all", as the store's SQL takes them. */
  public String[] typeWires() {
    return types.isEmpty() ? null : types.stream().map(EventType::wire).toArray(String[]::new);
  }

  /** The outcome of {@link #parseTypes}: the types, or the errors. */
  public record Parsed(Set<EventType> types, List<FieldError> errors) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  /**
   * Parses a {@code types} query value: comma-separated exact wire values ({@code message.sent,
   * instance.state_changed}); null or absent means all. An empty list, an empty item or an unknown
   * type is an error (a typo must not silently subscribe to nothing or to everything).
   */
  public static Parsed parseTypes(String raw, String pointer) {
    if (raw == null) {
      return new Parsed(Set.of(), List.of());
    }
    List<FieldError> errors = new ArrayList<>();
    if (raw.length() > MAX_TYPES_LENGTH) {
      errors.add(new FieldError(pointer, FieldError.TOO_LONG, "at most " + MAX_TYPES_LENGTH + " characters"));
      return new Parsed(Set.of(), errors);
    }
    EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
    for (String item : raw.split(",", -1)) {
      String t = item.trim();
      Optional<EventType> type = EventType.parse(t);
      if (t.isEmpty()) {
        errors.add(new FieldError(pointer, FieldError.REQUIRED, "an empty event type; list types separated by commas"));
      } else if (type.isEmpty()) {
        errors.add(new FieldError(pointer, FieldError.INVALID_VALUE, "unknown event type '" + clip(t)
            + "'; one of: " + EventType.allWire()));
      } else {
        types.add(type.get());
      }
    }
    return errors.isEmpty() ? new Parsed(types, List.of()) : new Parsed(Set.of(), errors);
  }

  private static String clip(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "…";
  }
}
