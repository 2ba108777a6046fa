package org.wahub.provider;

import io.vertx.core.json.JsonObject;
import org.wahub.api.BodyReader;
import org.wahub.instance.ProviderUrlRule;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validation of the field kinds provider configs are made of. A field that is present is checked
 * and stored (null removes it); an absent field keeps its stored value.
 */
public final class ConfigFields {

  private ConfigFields() {
  }

  public static void putInt(BodyReader r, JsonObject config, String name, int min, int max) {
    if (r.has(name)) {
      putOrRemove(config, name, r.integer(name, false, min, max));
    }
  }

  public static void putDouble(BodyReader r, JsonObject config, String name, double min, double max) {
    if (r.has(name)) {
      putOrRemove(config, name, r.number(name, false, min, max));
    }
  }

  public static void putBool(BodyReader r, JsonObject config, String name) {
    if (r.has(name)) {
      putOrRemove(config, name, r.bool(name, false));
    }
  }

  /** A string matching {@code pattern}; {@code hint} says what it must look like. */
  public static void putMatching(BodyReader r, JsonObject config, String name, int max, Pattern pattern, String hint) {
    if (!r.has(name)) {
      return;
    }
    String s = r.string(name, false, 1, max);
    if (s != null && !pattern.matcher(s).matches()) {
      r.error(name, "invalid_format", hint);
    } else {
      putOrRemove(config, name, s);
    }
  }

  /** One of {@code allowed}. */
  public static void putChoice(BodyReader r, JsonObject config, String name, Set<String> allowed) {
    if (!r.has(name)) {
      return;
    }
    String s = r.string(name, false, 1, 64);
    if (s != null && !allowed.contains(s)) {
      r.error(name, "invalid_value", "must be one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
    } else {
      putOrRemove(config, name, s);
    }
  }

  /** An absolute http(s) URL, stored without a trailing slash. */
  public static void putUrl(BodyReader r, JsonObject config, String name, boolean required) {
    if (!r.has(name)) {
      if (required) {
        r.error(name, "required", "is required");
      }
      return;
    }
    String url = r.string(name, false, 1, 2048);
    if (url == null) {
      return;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        r.error(name, "invalid_format", "must be an absolute http(s) URL");
        return;
      }
    } catch (Exception e) {
      r.error(name, "invalid_format", "must be an absolute http(s) URL");
      return;
    }
    // no user info, query or fragment: secrets must not ride along in, or be redirected by, a URL
    java.util.Optional<String> problem = ProviderUrlRule.urlProblem(url);
    if (problem.isPresent()) {
      r.error(name, "invalid_format", problem.get());
      return;
    }
    config.put(name, url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
  }

  public static void putSecret(BodyReader r, JsonObject config, String name, boolean required) {
    if (!r.has(name)) {
      if (required) {
        r.error(name, "required", "is required");
      }
      return;
    }
    putOrRemove(config, name, r.string(name, required, 1, 4096));
  }

  public static void putOrRemove(JsonObject config, String name, Object value) {
    if (value == null) {
      config.remove(name);
    } else {
      config.put(name, value);
    }
  }
}
