package org.wahub.provider.adapter;

import io.vertx.core.json.JsonObject;
import org.wahub.api.BodyReader;
import org.wahub.auth.ApiKeys;
import org.wahub.provider.ProviderRoutes;
import org.wahub.provider.ProviderCapabilities;
import org.wahub.provider.ProviderConfigSpec;
import org.wahub.provider.ProviderSession;
import org.wahub.provider.ProviderType;
import org.wahub.provider.SessionContext;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;

/**
 * Any engine behind the adapter protocol (DESIGN §7). The hub generates the adapter's token on
 * create, shows it once and stores its hash; the adapter connects to the hub (docs/adapter-protocol.md).
 */
public final class AdapterType implements ProviderType {

  static final String NAME = "adapter";

  private static final ProviderConfigSpec SPEC = new ProviderConfigSpec() {
    @Override
    public Set<String> fields() {
      return Set.of();
    }

    @Override
    public Set<String> secrets() {
      return Set.of("tokenHash");
    }

    @Override
    public String apply(BodyReader r, JsonObject config, boolean creating) {
      if (!creating) {
        return null;
      }
      String token = ApiKeys.newToken();
      config.put("tokenHash", HexFormat.of().formatHex(ApiKeys.hash(token)));
      return token;
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
    // the protocol requires adapters to drop a second dispatch of one message id
    return new ProviderCapabilities(true, true, false, ProviderCapabilities.Polls.NATIVE, Duration.ZERO);
  }

  @Override
  public void mount(ProviderRoutes routes) {
    new AdapterRoutes(routes).mount();
  }

  @Override
  public ProviderSession open(SessionContext context) {
    return new AdapterSession(context);
  }
}
