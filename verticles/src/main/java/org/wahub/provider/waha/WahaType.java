package org.wahub.provider.waha;

import io.vertx.core.json.JsonObject;
import org.wahub.api.BodyReader;
import org.wahub.provider.ConfigFields;
import org.wahub.provider.ProviderCapabilities;
import org.wahub.provider.ProviderConfigSpec;
import org.wahub.provider.ProviderRoutes;
import org.wahub.provider.ProviderSession;
import org.wahub.provider.ProviderType;
import org.wahub.provider.SessionContext;

import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A WAHA server (WhatsApp HTTP API, devlikeapro; PROVIDERS.md §2): one WAHA session per instance,
 * {@code default} (the only one WAHA Core serves: one container per instance) or a named one (WAHA
 * Plus). Config: {@code baseUrl}, {@code apiKey} (sent as {@code X-Api-Key}), {@code session},
 * {@code webhookHmacKey} (signs the events WAHA posts to
 * {@code <HUB_PUBLIC_URL>/providers/waha/:instanceId/webhook}).
 */
public final class WahaType implements ProviderType {

  public static final String NAME = "waha";

  private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private static final ProviderConfigSpec SPEC = new ProviderConfigSpec() {
    @Override
    public Set<String> fields() {
      return Set.of("baseUrl", "apiKey", "session", "webhookHmacKey");
    }

    @Override
    public Set<String> secrets() {
      return Set.of("apiKey", "webhookHmacKey");
    }

    @Override
    public Set<String> urlFields() {
      return Set.of("baseUrl");
    }

    @Override
    public Set<String> urlSecrets() {
      return Set.of("apiKey", "webhookHmacKey");
    }

    @Override
    public String apply(BodyReader r, JsonObject config, boolean creating) {
      ConfigFields.putUrl(r, config, "baseUrl", creating);
      ConfigFields.putMatching(r, config, "session", 64, SESSION, "letters, digits, _ and - only");
      config.put("session", config.getString("session", "default"));
      ConfigFields.putSecret(r, config, "apiKey", false);
      ConfigFields.putSecret(r, config, "webhookHmacKey", false);
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

  /**
   * Does not deduplicate by message id: WAHA 2026 lets NOWEB and GOWS send with an id reserved by
   * {@code GET /api/{session}/new-message-id}, but nothing documents that a second send with that id
   * is dropped (and WEBJS has no such id), so a send whose answer was lost stays in doubt for a
   * person to decide. QR and pairing code: yes. Polls: WAHA's own {@code sendPoll}.
   */
  @Override
  public ProviderCapabilities capabilities(JsonObject config) {
    return new ProviderCapabilities(false, true, true, ProviderCapabilities.Polls.NATIVE, Duration.ZERO);
  }

  @Override
  public void mount(ProviderRoutes routes) {
    new WahaRoutes(routes).mount();
  }

  @Override
  public ProviderSession open(SessionContext context) {
    JsonObject config = context.config();
    long loopTimeout = context.hub().sendTimeoutMs();
    // a little under the send loop's own time-out, so WahaErrors (not the loop's generic time-out) decides
    Duration sendTimeout = Duration.ofMillis(Math.max(100, loopTimeout - Math.min(500, loopTimeout / 5)));
    WahaClient client = new WahaClient(context.vertx(), context.outbound(), config.getString("baseUrl"),
        config.getString("apiKey"), config.getString("session", "default"), sendTimeout);
    String webhookUrl = context.hub().publicUrl().map(base -> webhookUrl(base, context.instanceId())).orElse(null);
    return new WahaSession(context.vertx(), context.instanceId(), context.events(), client, webhookUrl,
        config.getString("webhookHmacKey"));
  }

  /** Where WAHA posts an instance's events (instance ids are URL-safe by their pattern). */
  public static String webhookUrl(String publicUrl, String instanceId) {
    return publicUrl + "/providers/waha/" + instanceId + "/webhook";
  }
}
