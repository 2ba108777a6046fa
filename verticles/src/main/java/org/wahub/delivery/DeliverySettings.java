package org.wahub.delivery;

import org.wahub.HubConfig;
import org.wahub.hub.instance.ReconnectPolicy;
import org.wahub.hub.limit.Window;
import org.wahub.hub.retry.RetryPolicy;
import org.wahub.instance.Instance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules one instance is delivered under: its own limits and pacing, the hub-wide retry and
 * reconnect policies, all with {@code HUB_TIME_SCALE} applied to the domain durations.
 */
record DeliverySettings(List<Window> windows, Duration minInterval, Duration jitter, RetryPolicy retry,
                        ReconnectPolicy reconnect, long sendTimeoutMs, long leaseMs, int breakerMaxFailures,
                        long breakerResetMs, double timeScale) {

  static DeliverySettings of(HubConfig config, Instance instance) {
    double scale = config.timeScale();
    List<Window> windows = List.of(
        new Window(Window.PER_MINUTE, scaled(Duration.ofMinutes(1), scale), instance.perMinute()),
        new Window(Window.PER_HOUR, scaled(Duration.ofHours(1), scale), instance.perHour()),
        new Window(Window.PER_DAY, scaled(Duration.ofHours(24), scale), instance.perDay()));
    RetryPolicy retry = new RetryPolicy(scaled(Duration.ofMillis(config.retryBaseBackoffMs()), scale),
        scaled(Duration.ofMillis(config.retryMaxBackoffMs()), scale), config.maxSendAttempts(), 0.2);
    List<Duration> delays = new ArrayList<>();
    for (long ms : config.reconnectDelaysMs()) {
      delays.add(scaled(Duration.ofMillis(ms), scale));
    }
    ReconnectPolicy reconnect = new ReconnectPolicy(delays, config.maxRestartsPerWindow(),
        scaled(Duration.ofMinutes(config.restartWindowMinutes()), scale), config.maxReconnectAttempts(),
        scaled(Duration.ofMillis(config.softRestartTimeoutMs()), scale),
        scaled(Duration.ofMillis(config.hardRestartTimeoutMs()), scale));
    return new DeliverySettings(windows, Duration.ofMillis(instance.minIntervalMs()), Duration.ofMillis(instance.jitterMs()),
        retry, reconnect, config.sendTimeoutMs(), config.leaseMs(), config.circuitBreakerMaxFailures(),
        config.circuitBreakerResetMs(), scale);
  }

  static Duration scaled(Duration d, double scale) {
    if (scale == 1.0) {
      return d;
    }
    return Duration.ofNanos(Math.max(1_000_000L, (long) (d.toNanos() / scale)));
  }

  /** The longest limiter window: how far back the attempt history must be read on start. */
  Duration longestWindow() {
    return windows.stream().map(Window::length).max(Duration::compareTo).orElse(Duration.ZERO);
  }
}
