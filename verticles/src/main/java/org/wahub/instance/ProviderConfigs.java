package org.wahub.instance;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.wahub.api.BodyReader;
import org.wahub.auth.ApiKeys;

import java.net.URI;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The provider block of an instance: which fields each provider type takes, which of them are
 * secrets (write-only: stored, never returned), and their defaults (DESIGN §7).
 */
public final class ProviderConfigs {

  public static final Set<String> TYPES = Set.of("simulator", "cloud-api", "waha", "adapter");

  private static final Map<String, Set<String>> FIELDS = Map.of(
      "simulator", Set.of("latencyMs", "retriableFailureRate", "permanentFailureRate", "seed", "pairingMs",
          "softRestartMs", "hardRestartMs", "startState", "dedupesByMessageId"),
      "cloud-api", Set.of("baseUrl", "apiVersion", "phoneNumberId", "accessToken", "appSecret", "verifyToken"),
      "waha", Set.of("baseUrl", "apiKey", "session", "webhookHmacKey"),
      "adapter", Set.of());

  private static final Map<String, Set<String>> SECRETS = Map.of(
      "simulator", Set.of(),
      "cloud-api", Set.of("accessToken", "appSecret", "verifyToken"),
      "waha", Set.of("apiKey", "webhookHmacKey"),
      "adapter", Set.of("tokenHash"));

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,32}");
  private static final Pattern API_VERSION = Pattern.compile("v[0-9]{1,3}\\.[0-9]{1,3}");
  private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private ProviderConfigs() {
  }

  /** Result of validating a provider block: the config to store and, for adapters, the token to show once. */
  public record Validated(String type, JsonObject config, String oneTimeToken) {
  }

  /**
   * Validates a provider block for a create ({@code current} null) or a PATCH ({@code current} the
   * stored config: fields not given keep their value, a secret set to null is removed).
   */
  public static Validated validate(BodyReader reader, String currentType, JsonObject current) {
    String type = reader.has("type") || currentType == null ? reader.string("type", true, 1, 32) : currentType;
    if (type == null) {
      return null;
    }
    if (!TYPES.contains(type)) {
      reader.error("type", "invalid_value", "must be one of " + String.join(", ", List.copyOf(new java.util.TreeSet<>(TYPES))));
      return null;
    }
    if (currentType != null && !currentType.equals(type)) {
      reader.error("type", "invalid_value", "the provider type of an instance cannot change (was " + currentType + ")");
      return null;
    }
    Set<String> allowed = new java.util.HashSet<>(FIELDS.get(type));
    allowed.add("type");
    reader.rejectUnknown(allowed);

    JsonObject config = current == null ? new JsonObject() : current.copy();
    String token = null;
    switch (type) {
      case "simulator" -> {
        putInt(reader, config, "latencyMs", 0, 60_000);
        putDouble(reader, config, "retriableFailureRate", 0, 1);
        putDouble(reader, config, "permanentFailureRate", 0, 1);
        putLong(reader, config, "seed");
        putInt(reader, config, "pairingMs", 0, 600_000);
        putInt(reader, config, "softRestartMs", 0, 600_000);
        putInt(reader, config, "hardRestartMs", 0, 600_000);
        putBool(reader, config, "dedupesByMessageId");
        if (reader.has("startState")) {
          String s = reader.string("startState", false, 1, 32);
          if (s != null && !Set.of("READY", "NEEDS_QR", "AUTH_FAILURE").contains(s)) {
            reader.error("startState", "invalid_value", "must be READY, NEEDS_QR or AUTH_FAILURE");
          } else {
            putOrRemove(config, "startState", s);
          }
        }
        Double r = config.getDouble("retriableFailureRate", 0.0);
        Double p = config.getDouble("permanentFailureRate", 0.0);
        if (r + p > 1.0) {
          reader.error("permanentFailureRate", "out_of_range", "retriableFailureRate + permanentFailureRate must not exceed 1");
        }
      }
      case "cloud-api" -> {
        putUrl(reader, config, "baseUrl");
        config.put("baseUrl", config.getString("baseUrl", "https://graph.facebook.com"));
        if (reader.has("apiVersion")) {
          String v = reader.string("apiVersion", false, 1, 16);
          if (v != null && !API_VERSION.matcher(v).matches()) {
            reader.error("apiVersion", "invalid_format", "must look like v25.0");
          } else {
            putOrRemove(config, "apiVersion", v);
          }
        }
        config.put("apiVersion", config.getString("apiVersion", "v25.0"));
        if (reader.has("phoneNumberId") || current == null) {
          String id = reader.string("phoneNumberId", true, 1, 32);
          if (id != null && !DIGITS.matcher(id).matches()) {
            reader.error("phoneNumberId", "invalid_format", "must be the numeric phone number id");
          } else if (id != null) {
            config.put("phoneNumberId", id);
          }
        }
        putSecret(reader, config, "accessToken", current == null);
        putSecret(reader, config, "appSecret", false);
        putSecret(reader, config, "verifyToken", false);
      }
      case "waha" -> {
        if (reader.has("baseUrl") || current == null) {
          if (!reader.has("baseUrl")) {
            reader.error("baseUrl", "required", "is required");
          }
          putUrl(reader, config, "baseUrl");
        }
        if (reader.has("session")) {
          String s = reader.string("session", false, 1, 64);
          if (s != null && !SESSION.matcher(s).matches()) {
            reader.error("session", "invalid_format", "letters, digits, _ and - only");
          } else {
            putOrRemove(config, "session", s);
          }
        }
        config.put("session", config.getString("session", "default"));
        putSecret(reader, config, "apiKey", false);
        putSecret(reader, config, "webhookHmacKey", false);
      }
      case "adapter" -> {
        if (current == null) {
          token = ApiKeys.newToken();
          config.put("tokenHash", HexFormat.of().formatHex(ApiKeys.hash(token)));
        }
      }
      default -> throw new IllegalStateException(type);
    }
    return new Validated(type, config, token);
  }

  /** The provider block as the API shows it: type, non-secret fields, and which secrets are set. */
  public static JsonObject publicView(String type, JsonObject config) {
    JsonObject out = new JsonObject().put("type", type);
    JsonArray secretsSet = new JsonArray();
    Set<String> secrets = SECRETS.getOrDefault(type, Set.of());
    for (String field : new java.util.TreeSet<>(config.fieldNames())) {
      if (secrets.contains(field)) {
        secretsSet.add(field.equals("tokenHash") ? "token" : field);
      } else {
        out.put(field, config.getValue(field));
      }
    }
    if (!secretsSet.isEmpty()) {
      out.put("secretsSet", secretsSet);
    }
    return out;
  }

  private static void putInt(BodyReader r, JsonObject config, String name, int min, int max) {
    if (r.has(name)) {
      putOrRemove(config, name, r.integer(name, false, min, max));
    }
  }

  private static void putLong(BodyReader r, JsonObject config, String name) {
    if (r.has(name)) {
      putOrRemove(config, name, r.integer(name, false, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }
  }

  private static void putDouble(BodyReader r, JsonObject config, String name, double min, double max) {
    if (r.has(name)) {
      putOrRemove(config, name, r.number(name, false, min, max));
    }
  }

  private static void putBool(BodyReader r, JsonObject config, String name) {
    if (r.has(name)) {
      putOrRemove(config, name, r.bool(name, false));
    }
  }

  private static void putUrl(BodyReader r, JsonObject config, String name) {
    if (!r.has(name)) {
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
    config.put(name, url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
  }

  private static void putSecret(BodyReader r, JsonObject config, String name, boolean required) {
    if (!r.has(name)) {
      if (required) {
        r.error(name, "required", "is required");
      }
      return;
    }
    putOrRemove(config, name, r.string(name, required, 1, 4096));
  }

  private static void putOrRemove(JsonObject config, String name, Object value) {
    if (value == null) {
      config.remove(name);
    } else {
      config.put(name, value);
    }
  }
}
