package org.wahub.provider.simulator;

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

/** The embedded default: a simulated WhatsApp session with fault injection (DESIGN §7). */
public final class SimulatorType implements ProviderType {

  private static final ProviderConfigSpec SPEC = new ProviderConfigSpec() {
    @Override
    public Set<String> fields() {
      return Set.of("latencyMs", "retriableFailureRate", "permanentFailureRate", "seed", "pairingMs",
          "softRestartMs", "hardRestartMs", "startState", "dedupesByMessageId",
          "deliveredAfterMs", "readAfterMs", "replyText", "replyProbability", "replyAfterMs",
          "voteProbability", "voteOption", "voteAfterMs");
    }

    @Override
    public Set<String> secrets() {
      return Set.of();
    }

    @Override
    public String apply(BodyReader r, JsonObject config, boolean creating) {
      ConfigFields.putInt(r, config, "latencyMs", 0, 60_000);
      ConfigFields.putDouble(r, config, "retriableFailureRate", 0, 1);
      ConfigFields.putDouble(r, config, "permanentFailureRate", 0, 1);
      ConfigFields.putInt(r, config, "seed", Integer.MIN_VALUE, Integer.MAX_VALUE);
      ConfigFields.putInt(r, config, "pairingMs", 0, 600_000);
      ConfigFields.putInt(r, config, "softRestartMs", 0, 600_000);
      ConfigFields.putInt(r, config, "hardRestartMs", 0, 600_000);
      ConfigFields.putBool(r, config, "dedupesByMessageId");
      ConfigFields.putChoice(r, config, "startState", Set.of("READY", "NEEDS_QR", "AUTH_FAILURE"));
      // the other side of the chats (issue 14 part 6): receipts, replies and votes after a send
      ConfigFields.putInt(r, config, "deliveredAfterMs", 0, 600_000);
      ConfigFields.putInt(r, config, "readAfterMs", 0, 600_000);
      if (r.has("replyText")) {
        ConfigFields.putOrRemove(config, "replyText", r.string("replyText", false, 1, 4096));
      }
      ConfigFields.putDouble(r, config, "replyProbability", 0, 1);
      ConfigFields.putInt(r, config, "replyAfterMs", 0, 600_000);
      ConfigFields.putDouble(r, config, "voteProbability", 0, 1);
      if (r.has("voteOption")) {
        ConfigFields.putOrRemove(config, "voteOption", r.string("voteOption", false, 1, 100));
      }
      ConfigFields.putInt(r, config, "voteAfterMs", 0, 600_000);
      double retriable = config.getDouble("retriableFailureRate", 0.0);
      double permanent = config.getDouble("permanentFailureRate", 0.0);
      if (retriable + permanent > 1.0) {
        r.error("permanentFailureRate", "out_of_range", "retriableFailureRate + permanentFailureRate must not exceed 1");
      }
      return null;
    }
  };

  @Override
  public String name() {
    return "simulator";
  }

  @Override
  public ProviderConfigSpec config() {
    return SPEC;
  }

  @Override
  public ProviderCapabilities capabilities(JsonObject config) {
    return new ProviderCapabilities(config.getBoolean("dedupesByMessageId", false), true, false,
        ProviderCapabilities.Polls.NATIVE, Duration.ZERO);
  }

  @Override
  public void mount(ProviderRoutes routes) {
    new SimulatorRoutes(routes).mount();
  }

  @Override
  public ProviderSession open(SessionContext context) {
    return new SimulatorSession(context, context.hub().simulatorAllowHalt());
  }
}
