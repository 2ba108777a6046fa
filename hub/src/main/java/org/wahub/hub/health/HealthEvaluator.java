package org.wahub.hub.health;

import org.wahub.hub.instance.InstanceState;

import java.util.List;
import java.util.Objects;

/**
 * The health rule (DESIGN §9). Each check compares one value with its threshold: at or below it
 * the check is healthy, above it the check takes the severity of what it means for delivery.
 * The overall status is the worst check. A status is a non-decreasing function of every input,
 * so more trouble never reads as better health.
 *
 * <ul>
 * <li>{@code stuck_sending} above its threshold is <b>critical</b>: sends hang and nothing
 *     rescues them.</li>
 * <li>{@code failed_messages} and {@code send_errors_1h} are <b>warning</b>s: messages did not go
 *     out and an operator should look at why.</li>
 * <li>{@code p95_send_latency_ms} is <b>degraded</b>: the provider is slow, but sends go out.</li>
 * <li>{@code instances_not_ready} counts instances that should run but are not READY (STOPPED is
 *     an operator's choice and does not count). Above its threshold it is <b>critical</b> when no
 *     instance is READY and at least one is down (DISCONNECTED or waiting for a human: nothing
 *     can be sent), a <b>warning</b> when one waits for a human (NEEDS_QR, AUTH_FAILURE, FAILED),
 *     else <b>degraded</b> (instances starting, restarting or reconnecting on their own).</li>
 * <li>{@code webhook_endpoints_failing} is a <b>warning</b>: events are not reaching a receiver.</li>
 * </ul>
 */
public final class HealthEvaluator {

  public static final String STUCK_SENDING = "stuck_sending";
  public static final String FAILED_MESSAGES = "failed_messages";
  public static final String SEND_ERRORS_1H = "send_errors_1h";
  public static final String P95_SEND_LATENCY_MS = "p95_send_latency_ms";
  public static final String INSTANCES_NOT_READY = "instances_not_ready";
  public static final String WEBHOOK_ENDPOINTS_FAILING = "webhook_endpoints_failing";

  private final HealthThresholds thresholds;

  public HealthEvaluator(HealthThresholds thresholds) {
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
  }

  public HealthThresholds thresholds() {
    return thresholds;
  }

  public HealthReport evaluate(HealthInputs in) {
    Objects.requireNonNull(in, "in");
    List<HealthCheck> checks = List.of(
        simple(STUCK_SENDING, in.stuckSending(), thresholds.stuckSendingMax(), HealthStatus.CRITICAL,
            in.stuckSending() + " messages are still sending after their lease ran out"),
        simple(FAILED_MESSAGES, in.failedMessages(), thresholds.failedMessagesMax(), HealthStatus.WARNING,
            in.failedMessages() + " messages failed and wait in the dead-letter list (retry or cancel them)"),
        simple(SEND_ERRORS_1H, in.sendErrorsLastHour(), thresholds.sendErrorsPerHourMax(), HealthStatus.WARNING,
            in.sendErrorsLastHour() + " send attempts failed in the last hour"),
        simple(P95_SEND_LATENCY_MS, in.p95SendLatencyMs(), thresholds.p95SendLatencyMsMax(), HealthStatus.DEGRADED,
            "the provider took " + in.p95SendLatencyMs() + " ms or more for 5 % of the sends in the last hour"),
        instances(in),
        simple(WEBHOOK_ENDPOINTS_FAILING, in.webhookEndpointsFailing(), thresholds.webhookEndpointsFailingMax(),
            HealthStatus.WARNING, in.webhookEndpointsFailing() + " webhook endpoints are failing or disabled"));
    HealthStatus overall = HealthStatus.HEALTHY;
    for (HealthCheck c : checks) {
      overall = overall.worst(c.status());
    }
    return new HealthReport(overall, checks);
  }

  private static HealthCheck simple(String name, long value, long threshold, HealthStatus above, String message) {
    boolean failing = value > threshold;
    return new HealthCheck(name, value, threshold, failing ? above : HealthStatus.HEALTHY, failing ? message : null);
  }

  private HealthCheck instances(HealthInputs in) {
    long human = in.instances(InstanceState.NEEDS_QR) + in.instances(InstanceState.AUTH_FAILURE)
        + in.instances(InstanceState.FAILED);
    long down = human + in.instances(InstanceState.DISCONNECTED);
    long notReady = down + in.instances(InstanceState.STARTING) + in.instances(InstanceState.RESTARTING);
    long ready = in.instances(InstanceState.READY);
    long threshold = thresholds.instancesNotReadyMax();
    if (notReady <= threshold) {
      return new HealthCheck(INSTANCES_NOT_READY, notReady, threshold, HealthStatus.HEALTHY, null);
    }
    HealthStatus status;
    String message;
    if (ready == 0 && down > 0) {
      status = HealthStatus.CRITICAL;
      message = "no instance is READY and " + down + " are down: nothing can be sent";
    } else if (human > 0) {
      status = HealthStatus.WARNING;
      message = human + " instances wait for an operator (NEEDS_QR, AUTH_FAILURE or FAILED)";
    } else {
      status = HealthStatus.DEGRADED;
      message = notReady + " instances are starting, restarting or reconnecting";
    }
    return new HealthCheck(INSTANCES_NOT_READY, notReady, threshold, status, message);
  }
}
