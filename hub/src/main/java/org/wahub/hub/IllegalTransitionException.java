package org.wahub.hub;

import java.util.Objects;

/**
 * A state machine was asked for a move its table forbids. This is a programming error in the
 * caller (it should have checked {@code canTransitionTo} or trusted the database), never a
 * reaction to user input, so it is unchecked.
 */
public final class IllegalTransitionException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String from;
  private final String to;

  public IllegalTransitionException(Enum<?> from, Enum<?> to) {
    this(from.getDeclaringClass().getSimpleName(), from.name(), to == null ? "null" : to.name());
  }

  public IllegalTransitionException(String machine, String from, String to) {
    super(machine + ": illegal transition " + from + " -> " + to);
    this.from = Objects.requireNonNull(from, "from");
    this.to = Objects.requireNonNull(to, "to");
  }

  /** The state the machine was in ({@code Enum.name()}). */
  public String from() {
    return from;
  }

  /** The state that was asked for ({@code Enum.name()}, or "null"). */
  public String to() {
    return to;
  }
}
