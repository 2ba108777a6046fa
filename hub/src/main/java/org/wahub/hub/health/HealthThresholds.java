package org.wahub.hub.health;

/**
 * The most of each thing the hub tolerates before a check leaves {@code healthy}; a value above
 * its threshold fails the check. The defaults are the seeds' alert thresholds (DESIGN §9).
 *
 * @param stuckSendingMax          messages still {@code sending} after their lease ran out
 * @param failedMessagesMax        messages in the dead-letter list ({@code failed})
 * @param sendErrorsPerHourMax     failed attempts (retried, failed, in doubt) in the last hour
 * @param p95SendLatencyMsMax      95th percentile of the provider's answer time, last hour
 * @param instancesNotReadyMax     instances that should run but are not READY (STOPPED ones do not count)
 * @param webhookEndpointsFailingMax webhook endpoints that are failing or disabled
 */
public record HealthThresholds(long stuckSendingMax, long failedMessagesMax, long sendErrorsPerHourMax,
                               long p95SendLatencyMsMax, long instancesNotReadyMax, long webhookEndpointsFailingMax) {

  public HealthThresholds {
    requireNonNegative("stuckSendingMax", stuckSendingMax);
    requireNonNegative("failedMessagesMax", failedMessagesMax);
    requireNonNegative("sendErrorsPerHourMax", sendErrorsPerHourMax);
    requireNonNegative("p95SendLatencyMsMax", p95SendLatencyMsMax);
    requireNonNegative("instancesNotReadyMax", instancesNotReadyMax);
    requireNonNegative("webhookEndpointsFailingMax", webhookEndpointsFailingMax);
  }

  /** Stuck > 5, failed > 10, errors > 10 per hour, p95 > 2000 ms, any instance not READY, any failing webhook. */
  public static HealthThresholds defaults() {
    return new HealthThresholds(5, 10, 10, 2000, 0, 0);
  }

  static void requireNonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
  }
}
