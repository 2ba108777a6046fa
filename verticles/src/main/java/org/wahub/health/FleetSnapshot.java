package org.wahub.health;

import org.wahub.hub.instance.InstanceState;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One aggregate over every instance, as of {@code at}: what the queue and instance gauges show
 * and what {@code GET /health} evaluates. Immutable, so any event loop may read it.
 *
 * @param webhookEndpointsFailing failing or disabled webhook endpoints per tenant (see
 *                                {@link FleetStats#WEBHOOK_FAILING_BY_TENANT}); a tenant without
 *                                one is absent.
 * @param tookNanos               how long the aggregate took to read
 */
public record FleetSnapshot(Instant at, List<InstanceStats> instances, Map<String, Long> webhookEndpointsFailing,
                            long tookNanos) {

  public FleetSnapshot {
    instances = List.copyOf(instances);
    webhookEndpointsFailing = Map.copyOf(webhookEndpointsFailing);
  }

  /**
   * One instance: its state and its messages now ({@code queued}, {@code sending}, {@code stuck} =
   * sending past its lease, {@code failed}, {@code inDoubt}), and in the last hour
   * ({@code sent1h}, {@code errors1h} = attempts retried, failed or left in doubt).
   */
  public record InstanceStats(String id, String tenantId, InstanceState state, long queued, long sending, long stuck,
                              long failed, long inDoubt, long sent1h, long errors1h) {
  }
}
