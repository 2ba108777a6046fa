package org.wahub.provider;

import io.vertx.core.json.JsonObject;
import org.wahub.api.BodyReader;

import java.util.Set;

/**
 * The config block of one provider type: its fields, which are secrets (write-only: stored, never
 * returned), which are URLs (changing their host requires the secrets again), and the validation
 * that turns a request's block into the stored config.
 */
public interface ProviderConfigSpec {

  /** Every field the block may carry (besides {@code type}). */
  Set<String> fields();

  /** Fields that are stored but never shown. */
  Set<String> secrets();

  /** Fields that hold a URL the hub calls with the secrets. */
  default Set<String> urlFields() {
    return Set.of();
  }

  /** The secrets sent to those URLs: a PATCH that moves a URL to another origin must give them again. */
  default Set<String> urlSecrets() {
    return Set.of();
  }

  /**
   * Validates the fields present in {@code reader} into {@code config} (a copy of the stored config
   * for a PATCH, empty for a create), reporting errors on the reader, and applies defaults.
   *
   * @return a secret to show once (an adapter token), or null
   */
  String apply(BodyReader reader, JsonObject config, boolean creating);
}
