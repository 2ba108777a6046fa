package org.wahub.hub.validation;

import java.util.List;
import java.util.Objects;

/** The outcome of {@link OutboundValidator}: a normalized request, or every problem found. */
public sealed interface ValidationResult permits ValidationResult.Valid, ValidationResult.Invalid {

  record Valid(OutboundRequest request) implements ValidationResult {
    public Valid {
      Objects.requireNonNull(request, "request");
    }
  }

  /** All errors, never empty, in a stable order (the contract's field order, unknown fields last). */
  record Invalid(List<FieldError> errors) implements ValidationResult {
    public Invalid {
      errors = List.copyOf(errors);
      if (errors.isEmpty()) {
        throw new IllegalArgumentException("an invalid result needs at least one error");
      }
    }
  }

  default boolean isValid() {
    return this instanceof Valid;
  }
}
