package org.wahub.bench.reliability;

import io.vertx.core.json.JsonObject;

/** A simulator instance a scenario creates, with the limits its send log is checked against. */
record InstanceSpec(String id, boolean dedupes, long latencyMs, double retriableFailureRate, int perMinute, int perHour,
                    int perDay, int minIntervalMs, int jitterMs, int maxQueueSize, String startState, long seed) {

  static InstanceSpec of(String id, boolean dedupes, long latencyMs, double failRate, int perMinute, int perHour, int perDay,
                         int minIntervalMs, int jitterMs, long seed) {
    return new InstanceSpec(id, dedupes, latencyMs, failRate, perMinute, perHour, perDay, minIntervalMs, jitterMs, 100_000,
        "READY", seed);
  }

  InstanceSpec withStartState(String state) {
    return new InstanceSpec(id, dedupes, latencyMs, retriableFailureRate, perMinute, perHour, perDay, minIntervalMs, jitterMs,
        maxQueueSize, state, seed);
  }

  JsonObject toJson() {
    return new JsonObject().put("id", id)
        .put("provider", new JsonObject().put("type", "simulator").put("latencyMs", latencyMs)
            .put("retriableFailureRate", retriableFailureRate).put("seed", seed).put("dedupesByMessageId", dedupes)
            .put("pairingMs", 0).put("startState", startState))
        .put("limits", new JsonObject().put("perMinute", perMinute).put("perHour", perHour).put("perDay", perDay))
        .put("pacing", new JsonObject().put("minIntervalMs", minIntervalMs).put("jitterMs", jitterMs))
        .put("maxQueueSize", maxQueueSize);
  }
}
