package org.wahub.instance;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.wahub.api.BodyReader;
import org.wahub.provider.ProviderConfigSpec;
import org.wahub.provider.ProviderRegistry;
import org.wahub.provider.ProviderType;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The provider block of an instance (DESIGN §7): the type must be registered, the fields are the
 * type's own ({@link ProviderConfigSpec}), secrets are write-only (stored, never returned).
 */
public final class ProviderConfigs {

  private ProviderConfigs() {
  }

  /** Result of validating a provider block: the config to store and, for adapters, the token to show once. */
  public record Validated(String type, JsonObject config, String oneTimeToken) {
  }

  /**
   * Validates a provider block for a create ({@code current} null) or a PATCH ({@code current} the
   * stored config: fields not given keep their value, a secret set to null is removed). The
   * generic rules live here; each type's fields are validated by its {@link ProviderConfigSpec}.
   */
  public static Validated validate(BodyReader reader, String currentType, JsonObject current) {
    ProviderRegistry registry = ProviderRegistry.defaults();
    String type = reader.has("type") || currentType == null ? reader.string("type", true, 1, 32) : currentType;
    if (type == null) {
      return null;
    }
    Optional<ProviderType> found = registry.find(type);
    if (found.isEmpty()) {
      reader.error("type", "invalid_value", "must be one of " + String.join(", ", registry.names()));
      return null;
    }
    if (currentType != null && !currentType.equals(type)) {
      reader.error("type", "invalid_value", "the provider type of an instance cannot change (was " + currentType + ")");
      return null;
    }
    ProviderConfigSpec spec = found.get().config();
    Set<String> allowed = new HashSet<>(spec.fields());
    allowed.add("type");
    reader.rejectUnknown(allowed);
    JsonObject config = current == null ? new JsonObject() : current.copy();
    String token = spec.apply(reader, config, current == null);
    return new Validated(type, config, token);
  }

  /** Fields of the type holding URLs the hub calls (changing their origin needs the secrets again). */
  public static Set<String> urlFields(String type) {
    return ProviderRegistry.defaults().find(type).map(t -> t.config().urlFields()).orElse(Set.of());
  }

  /** The secrets that travel to the type's URLs ({@link ProviderUrlRule}). */
  public static Set<String> urlSecrets(String type) {
    return ProviderRegistry.defaults().find(type).map(t -> t.config().urlSecrets()).orElse(Set.of());
  }

  /** The provider block as the API shows it: type, non-secret fields, and which secrets are set. */
  public static JsonObject publicView(String type, JsonObject config) {
    JsonObject out = new JsonObject().put("type", type);
    JsonArray secretsSet = new JsonArray();
    Set<String> secrets = ProviderRegistry.defaults().find(type).map(t -> t.config().secrets()).orElse(Set.of());
    for (String field : new TreeSet<>(config.fieldNames())) {
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
}
