package org.wahub.bench.reliability;

import io.vertx.core.json.JsonObject;

/**
 * An instance a scenario creates, with the limits its send log is checked against: a simulator by
 * default, or any provider config given with {@link #withProvider}.
 */
record InstanceSpec(String id, boolean dedupes, long latencyMs, double retriableFailureRate, int perMinute, int perHour,
                    int perDay, int minIntervalMs, int jitterMs, int maxQueueSize, String startState, long seed,
                    JsonObject provider) {

  static InstanceSpec of(String id, boolean dedupes, long latencyMs, double failRate, int perMinute, int perHour, int perDay,
                         int minIntervalMs, int jitterMs, long seed) {
    return new InstanceSpec(id, dedupes, latencyMs, failRate, perMinute, perHour, perDay, minIntervalMs, jitterMs, 100_000,
        "READY", seed, null);
  }

  InstanceSpec withStartState(String state) {
    return new InstanceSpec(id, dedupes, latencyMs, retriableFailureRate, perMinute, perHour, perDay, minIntervalMs, jitterMs,
        maxQueueSize, state, seed, provider);
  }

  /** The same limits on another provider (its send log then comes from that provider's fake). */
  InstanceSpec withProvider(JsonObject config) {
    return new InstanceSpec(id, dedupes, latencyMs, retriableFailureRate, perMinute, perHour, perDay, minIntervalMs, jitterMs,
        maxQueueSize, startState, seed, config);
  }

  JsonObject toJson() {
    return new JsonObject().put("id", id)
        .put("provider", provider != null ? provider.copy() : new JsonObject().put("type", "simulator").put("latencyMs", latencyMs)
            .put("retriableFailureRate", retriableFailureRate).put("seed", seed).put("dedupesByMessageId", dedupes)
            .put("pairingMs", 0).put("startState", startState))
        .put("limits", new JsonObject().put("perMinute", perMinute).put("perHour", perHour).put("perDay", perDay))
        .put("pacing", new JsonObject().put("minIntervalMs", minIntervalMs).put("jitterMs", jitterMs))
        .put("maxQueueSize", maxQueueSize);
  }
}
