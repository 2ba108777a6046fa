/**
 * How healthy the hub (or one tenant's part of it) is: the rule that turns counts an operator
 * cares about (stuck sends, dead letters, send errors, latency, instances that are not READY,
 * failing webhooks) into {@code healthy | degraded | warning | critical} with the checks behind
 * it ({@link org.wahub.hub.health.HealthEvaluator}), and the rolling latency window the p95 comes
 * from ({@link org.wahub.hub.health.LatencyWindow}).
 */
package org.wahub.hub.health;
