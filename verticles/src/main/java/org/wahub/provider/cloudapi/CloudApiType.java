package org.wahub.provider.cloudapi;

import io.vertx.core.json.JsonObject;
import org.wahub.api.BodyReader;
import org.wahub.hub.validation.FieldError;
import org.wahub.provider.ConfigFields;
import org.wahub.provider.ProviderCapabilities;
import org.wahub.provider.ProviderConfigSpec;
import org.wahub.provider.ProviderRoutes;
import org.wahub.provider.ProviderSession;
import org.wahub.provider.ProviderType;
import org.wahub.provider.SessionContext;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Meta's WhatsApp Business Cloud API (DESIGN §7, PROVIDERS.md §1): sends text, media by link,
 * location, contact, template and polls mapped to interactive replies ({@link CloudApiMessages}),
 * sorts Graph's errors ({@link GraphErrors}) and takes Meta's webhook
 * ({@link CloudApiRoutes}, {@link CloudApiWebhook}).
 *
 * <p>Config: {@code phoneNumberId}, {@code accessToken} (secret), {@code appSecret} (secret: checks
 * the webhook's signature), {@code verifyToken} (secret: the webhook's subscription check),
 * {@code apiVersion}, {@code baseUrl} (Graph's host; tests point it at a fake) and
 * {@code listButtonText} (the label of a poll list's button).
 */
public final class CloudApiType implements ProviderType {

  static final String NAME = "cloud-api";
  static final String DEFAULT_BASE_URL = "https://graph.facebook.com";
  static final String DEFAULT_API_VERSION = "v25.0";

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,32}");
  private static final Pattern API_VERSION = Pattern.compile("v[0-9]{1,3}\\.[0-9]{1,3}");

  private static final ProviderConfigSpec SPEC = new ProviderConfigSpec() {
    @Override
    public Set<String> fields() {
      return Set.of("baseUrl", "apiVersion", "phoneNumberId", "accessToken", "appSecret", "verifyToken", "listButtonText");
    }

    @Override
    public Set<String> secrets() {
      return Set.of("accessToken", "appSecret", "verifyToken");
    }

    @Override
    public Set<String> urlFields() {
      return Set.of("baseUrl");
    }

    @Override
    public Set<String> urlSecrets() {
      return Set.of("accessToken", "appSecret");
    }

    @Override
    public String apply(BodyReader r, JsonObject config, boolean creating) {
      ConfigFields.putUrl(r, config, "baseUrl", false);
      config.put("baseUrl", config.getString("baseUrl", DEFAULT_BASE_URL));
      ConfigFields.putMatching(r, config, "apiVersion", 16, API_VERSION, "must look like v25.0");
      config.put("apiVersion", config.getString("apiVersion", DEFAULT_API_VERSION));
      if (r.has("phoneNumberId") || creating) {
        String id = r.string("phoneNumberId", true, 1, 32);
        if (id != null && !DIGITS.matcher(id).matches()) {
          r.error("phoneNumberId", "invalid_format", "must be the numeric phone number id");
        } else if (id != null) {
          config.put("phoneNumberId", id);
        }
      }
      ConfigFields.putSecret(r, config, "accessToken", creating);
      ConfigFields.putSecret(r, config, "appSecret", false);
      ConfigFields.putSecret(r, config, "verifyToken", false);
      if (r.has("listButtonText")) {
        ConfigFields.putOrRemove(config, "listButtonText", r.string("listButtonText", false, 1, CloudApiMessages.MAX_BUTTON_TITLE));
      }
      return null;
    }
  };

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderConfigSpec config() {
    return SPEC;
  }

  @Override
  public ProviderCapabilities capabilities(JsonObject config) {
    // Meta allows about one message per 6 s to one recipient (pair rate limit, code 131056)
    return new ProviderCapabilities(false, false, false, ProviderCapabilities.Polls.MAPPED, Duration.ofSeconds(6));
  }

  /** Polls with several answers or more than 10 options cannot be mapped: a 400 at intake. */
  @Override
  public Optional<FieldError> refuses(String kind, Map<String, Object> content) {
    return "poll".equals(kind) ? CloudApiMessages.pollProblem(content) : Optional.empty();
  }

  @Override
  public void mount(ProviderRoutes routes) {
    new CloudApiRoutes(routes).mount();
  }

  @Override
  public ProviderSession open(SessionContext context) {
    return new CloudApiSession(context);
  }
}
