package org.wahub.api;

import io.vertx.core.json.JsonObject;
import org.wahub.hub.validation.FieldError;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Collects every field error of a management request body (tenants, keys, instances) instead of
 * stopping at the first, so a caller fixes a request in one round. Outbound messages use the
 * stricter hub/ OutboundValidator instead.
 */
public final class BodyReader {

  private final JsonObject body;
  private final String base;
  private final List<FieldError> errors;

  public BodyReader(JsonObject body) {
    this(body, "", new ArrayList<>());
  }

  private BodyReader(JsonObject body, String base, List<FieldError> errors) {
    this.body = body;
    this.base = base;
    this.errors = errors;
  }

  /** A reader for a nested object that adds its errors to this reader's list; null when absent or wrong. */
  public BodyReader nested(String name, boolean required) {
    Object v = body.getValue(name);
    if (v == null) {
      if (required || body.containsKey(name)) {
        error(name, v == null && !body.containsKey(name) ? "required" : "invalid_type", "must be an object");
      }
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      error(name, "invalid_type", "must be an object");
      return null;
    }
    return new BodyReader(o, base + "/" + name, errors);
  }

  /**
   * A reader for item {@code index} of the array {@code name} that adds its errors to this reader's
   * list (pointers {@code /name/index/...}); null, with an error, when the item is not an object.
   */
  public BodyReader element(String name, int index, Object item) {
    if (!(item instanceof JsonObject o)) {
      errors.add(new FieldError(base + "/" + name + "/" + index, "invalid_type", "must be an object"));
      return null;
    }
    return new BodyReader(o, base + "/" + name + "/" + index, errors);
  }

  public boolean has(String name) {
    return body.containsKey(name);
  }

  public String string(String name, boolean required, int min, int max) {
    Object v = body.getValue(name);
    if (v == null) {
      if (required) {
        error(name, "required", "is required");
      } else if (body.containsKey(name)) {
        return null;
      }
      return null;
    }
    if (!(v instanceof String s)) {
      error(name, "invalid_type", "must be a string");
      return null;
    }
    int len = s.codePointCount(0, s.length());
    if (len < min) {
      error(name, "too_short", "must have at least " + min + " characters");
      return null;
    }
    if (len > max) {
      error(name, "too_long", "must have at most " + max + " characters");
      return null;
    }
    return s;
  }

  public Integer integer(String name, boolean required, long min, long max) {
    Object v = body.getValue(name);
    if (v == null) {
      if (required) {
        error(name, "required", "is required");
      }
      return null;
    }
    if (!(v instanceof Number n) || !isIntegral(n)) {
      error(name, "invalid_type", "must be an integer");
      return null;
    }
    double d = n.doubleValue();
    if (d < min || d > max) {
      error(name, "out_of_range", "must be between " + min + " and " + max);
      return null;
    }
    return n.intValue();
  }

  public Double number(String name, boolean required, double min, double max) {
    Object v = body.getValue(name);
    if (v == null) {
      if (required) {
        error(name, "required", "is required");
      }
      return null;
    }
    if (!(v instanceof Number n)) {
      error(name, "invalid_type", "must be a number");
      return null;
    }
    double d = n.doubleValue();
    if (!(d >= min && d <= max)) {
      error(name, "out_of_range", "must be between " + min + " and " + max);
      return null;
    }
    return d;
  }

  public Boolean bool(String name, boolean required) {
    Object v = body.getValue(name);
    if (v == null) {
      if (required) {
        error(name, "required", "is required");
      }
      return null;
    }
    if (!(v instanceof Boolean b)) {
      error(name, "invalid_type", "must be true or false");
      return null;
    }
    return b;
  }

  public void rejectUnknown(Set<String> allowed) {
    for (String name : body.fieldNames()) {
      if (!allowed.contains(name)) {
        error(name, "unknown_field", "is not a known field");
      }
    }
  }

  public void error(String name, String code, String message) {
    errors.add(new FieldError(base + "/" + name.replace("~", "~0").replace("/", "~1"), code, message));
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** Throws a 400 with every collected error, if there is any. */
  public void throwIfInvalid() {
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
  }

  private static boolean isIntegral(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return true;
    }
    if (n instanceof java.math.BigInteger) {
      return true;
    }
    double d = n.doubleValue();
    return !Double.isInfinite(d) && d == Math.rint(d);
  }
}
