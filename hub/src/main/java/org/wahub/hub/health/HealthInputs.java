package org.wahub.hub.health;

import org.wahub.hub.instance.InstanceState;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the health rule looks at, for the whole hub or one tenant's instances. All counts are
 * non-negative; a state missing from {@code instancesByState} counts as zero.
 *
 * @param stuckSending            messages still {@code sending} after their lease ran out
 * @param failedMessages          messages in {@code failed} (the dead-letter list)
 * @param sendErrorsLastHour      attempts in the last hour that did not end in {@code sent}
 * @param p95SendLatencyMs        95th percentile of the provider's answer time in the last hour (0 without sends)
 * @param instancesByState        how many instances are in each state
 * @param webhookEndpointsFailing webhook endpoints that are failing or disabled
 */
public record HealthInputs(long stuckSending, long failedMessages, long sendErrorsLastHour, long p95SendLatencyMs,
                           Map<InstanceState, Long> instancesByState, long webhookEndpointsFailing) {

  public HealthInputs {
    HealthThresholds.requireNonNegative("stuckSending", stuckSending);
    HealthThresholds.requireNonNegative("failedMessages", failedMessages);
    HealthThresholds.requireNonNegative("sendErrorsLastHour", sendErrorsLastHour);
    HealthThresholds.requireNonNegative("p95SendLatencyMs", p95SendLatencyMs);
    HealthThresholds.requireNonNegative("webhookEndpointsFailing", webhookEndpointsFailing);
    Objects.requireNonNull(instancesByState, "instancesByState");
    EnumMap<InstanceState, Long> copy = new EnumMap<>(InstanceState.class);
    for (InstanceState s : InstanceState.values()) {
      Long n = instancesByState.get(s);
      long v = n == null ? 0 : n;
      HealthThresholds.requireNonNegative("instancesByState." + s, v);
      copy.put(s, v);
    }
    instancesByState = Collections.unmodifiableMap(copy);
  }

  /** Nothing at all: an idle hub without instances. */
  public static HealthInputs none() {
    return new HealthInputs(0, 0, 0, 0, Map.of(), 0);
  }

  public long instances(InstanceState state) {
    return instancesByState.get(state);
  }
}
