package org.wahub.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * Reads a request body as a JSON object, or fails with the right problem: 415 for another media
 * type, 400 for malformed JSON, a non-object, or strings PostgreSQL cannot store (NUL, lone
 * surrogates) — those must never reach the database as a 500.
 */
public final class Bodies {

  private Bodies() {
  }

  public static JsonObject object(RoutingContext ctx) {
    return object(ctx, false);
  }

  /** Like {@link #object(RoutingContext)}, but an absent body reads as {@code {}}. */
  public static JsonObject optionalObject(RoutingContext ctx) {
    return object(ctx, true);
  }

  private static JsonObject object(RoutingContext ctx, boolean allowEmpty) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body == null || body.length() == 0) {
      if (allowEmpty) {
        return new JsonObject();
      }
      String type = ctx.request().getHeader("Content-Type");
      if (type != null && !isJson(type)) {
        throw ApiError.unsupportedMediaType(type);
      }
      throw ApiError.malformedJson("the request needs a JSON object body");
    }
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !isJson(type)) {
      throw ApiError.unsupportedMediaType(type);
    }
    Object parsed;
    try {
      parsed = RequestJson.parse(body);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw ApiError.malformedJson("the body is not valid UTF-8");
    } catch (Exception e) {
      // syntax errors, repeated member names, trailing data, Jackson's limits (nesting, number length)
      throw ApiError.malformedJson("the body is not valid JSON"
          + (e.getMessage() != null && e.getMessage().startsWith("Duplicate field") ? ": a member name appears twice" : ""));
    }
    if (!(parsed instanceof java.util.Map<?, ?> map)) {
      throw ApiError.malformedJson("the body must be a JSON object");
    }
    @SuppressWarnings("unchecked")
    JsonObject json = new JsonObject((java.util.Map<String, Object>) map);
    String bad = firstUnstorableString(json, "", 0);
    if (bad != null) {
      throw ApiError.badRequest("invalid_string",
          "the string at " + bad + " contains a NUL character or an unpaired surrogate");
    }
    return json;
  }

  public static boolean isJson(String contentType) {
    String base = contentType;
    int semi = base.indexOf(';');
    if (semi >= 0) {
      base = base.substring(0, semi);
    }
    base = base.trim().toLowerCase(java.util.Locale.ROOT);
    return base.equals("application/json") || (base.startsWith("application/") && base.endsWith("+json"));
  }

  /** JSON pointer of the first string (key or value) PostgreSQL would reject, or null. */
  static String firstUnstorableString(Object node, String pointer, int depth) {
    if (depth > 200) {
      return pointer;
    }
    if (node instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        String p = pointer + "/" + escape(e.getKey());
        if (!storable(e.getKey())) {
          return p;
        }
        String bad = firstUnstorableString(e.getValue(), p, depth + 1);
        if (bad != null) {
          return bad;
        }
      }
    } else if (node instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        String bad = firstUnstorableString(a.getValue(i), pointer + "/" + i, depth + 1);
        if (bad != null) {
          return bad;
        }
      }
    } else if (node instanceof String s && !storable(s)) {
      return pointer.isEmpty() ? "/" : pointer;
    }
    return null;
  }

  static boolean storable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
