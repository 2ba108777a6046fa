package org.wahub;

import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Typed view of the layered configuration. Keys are flat and equal to the environment variable
 * names (the seed documents' names are honoured as they are), so one table in the README covers
 * conf/config.json, the HUB_CONFIG file and the environment alike.
 */
public final class HubConfig {

  private final JsonObject raw;

  public HubConfig(JsonObject raw) {
    this.raw = raw.copy();
  }

  public JsonObject raw() {
    return raw.copy();
  }

  /** Returns a copy with {@code key} set; used by tests and by start-up once the database port is known. */
  public HubConfig with(String key, Object value) {
    JsonObject copy = raw.copy();
    copy.put(key, value);
    return new HubConfig(copy);
  }

  // ---- HTTP
  public int httpPort() { return intValue("HUB_HTTP_PORT", 8080); }
  public String httpHost() { return string("HUB_HTTP_HOST").orElse("0.0.0.0"); }
  public int maxBodyBytes() { return intValue("HUB_MAX_BODY_BYTES", 64 * 1024); }
  /** A request's head must arrive within this of its first byte (slowloris guard). */
  public Duration requestHeadTimeout() { return Duration.ofMillis(longValue("HUB_REQUEST_HEAD_TIMEOUT_MS", 10_000)); }
  /** A request's body must arrive within this of its head (at 64 KB: at least ~3 KB/s). */
  public Duration requestBodyTimeout() { return Duration.ofMillis(longValue("HUB_REQUEST_BODY_TIMEOUT_MS", 20_000)); }
  public int apiVerticles() { return intValue("HUB_API_VERTICLES", Runtime.getRuntime().availableProcessors()); }
  /**
   * Intake shards. Fewer shards mean bigger group commits and fewer fsyncs. On 2 cores two shards
   * gained nothing measurable at full load (16,000–16,900 accepted/s against 14,700–16,900 with one)
   * and p99 at 1,000 req/s was 7.9–9.2 ms against 4.1–8.0; one per four cores it is
   * (bench/intake.sh, --hub-env HUB_INTAKE_VERTICLES=2).
   */
  public int intakeVerticles() { return intValue("HUB_INTAKE_VERTICLES", Math.max(1, Runtime.getRuntime().availableProcessors() / 4)); }

  // ---- storage
  public Path dataDir() { return Path.of(string("HUB_DATA_DIR").orElse("./data")); }
  public Optional<String> dbUrl() { return string("HUB_DB_URL"); }
  /** True when the standard libpq variables name an external server. */
  public boolean pgEnvPresent() { return string("PGHOST").isPresent() || string("PGHOSTADDR").isPresent(); }
  public int embeddedPgPort() { return intValue("HUB_EMBEDDED_PG_PORT", 0); }
  public boolean embeddedPgFsync() { return bool("HUB_EMBEDDED_PG_FSYNC", true); }
  public int dbPoolSize() { return intValue("HUB_DB_POOL_SIZE", 16); }
  public Duration dbConnectTimeout() { return Duration.ofMillis(longValue("HUB_DB_CONNECT_TIMEOUT_MS", 3000)); }
  /** How long a request may wait for a pooled connection before the hub answers 503. */
  public Duration dbAcquireTimeout() { return Duration.ofMillis(longValue("HUB_DB_ACQUIRE_TIMEOUT_MS", 3000)); }

  // ---- auth
  public Optional<String> adminKey() { return string("HUB_ADMIN_KEY"); }

  // ---- intake
  public int maxQueueSize() { return intValue("MAX_QUEUE_SIZE", 200); }
  public int intakeMaxBatch() { return intValue("HUB_INTAKE_MAX_BATCH", 256); }
  public int intakeMaxInFlight() { return intValue("HUB_INTAKE_MAX_IN_FLIGHT", 1); }
  public Duration intakeTimeout() { return Duration.ofMillis(longValue("HUB_INTAKE_TIMEOUT_MS", 10_000)); }
  public Duration explicitKeyTtl() { return Duration.ofHours(longValue("IDEMPOTENCY_TTL_EXPLICIT_HOURS", 7 * 24)); }
  public Duration derivedKeyTtl() { return Duration.ofHours(longValue("IDEMPOTENCY_TTL_DERIVED_HOURS", 24)); }
  /** How often each node looks for idempotency keys past their retention (and later, other upkeep). */
  public Duration maintenanceInterval() { return Duration.ofMillis(longValue("HUB_MAINTENANCE_INTERVAL_MS", 60_000)); }

  // ---- per-instance defaults (DESIGN §5)
  public int maxSendsPerMinute() { return intValue("MAX_SENDS_PER_MINUTE_PER_INSTANCE", 6); }
  public int maxSendsPerHour() { return intValue("MAX_SENDS_PER_HOUR_PER_INSTANCE", 60); }
  public int maxSendsPerDay() { return intValue("MAX_SENDS_PER_DAY_PER_INSTANCE", 300); }
  public int minSendIntervalMs() { return intValue("MIN_SEND_INTERVAL_MS", 500); }
  public int sendJitterMs() { return intValue("SEND_JITTER_MS", 0); }

  // ---- delivery (DESIGN §4, §5, §7)
  /**
   * Divides every domain duration (limiter windows, retry backoff, reconnect delays and timeouts,
   * the restart window) by this factor: 60 turns a minute into a second. For tests and demos only;
   * pacing, latencies and the send timeout are given in ms and are not scaled.
   */
  public double timeScale() {
    double v = string("HUB_TIME_SCALE").map(Double::parseDouble).orElse(1.0);
    if (!(v >= 1.0 && v <= 1_000_000.0)) {
      throw new IllegalArgumentException("config HUB_TIME_SCALE must be between 1 and 1000000");
    }
    return v;
  }
  public long sendTimeoutMs() { return longValue("HUB_SEND_TIMEOUT_MS", 10_000); }
  /** How long a claim is owned; longer than any send may take, so only a dead process loses one. */
  public long leaseMs() { return longValue("HUB_LEASE_MS", sendTimeoutMs() + 20_000); }
  public long retryBaseBackoffMs() { return longValue("RETRY_BASE_BACKOFF_MS", 5_000); }
  public long retryMaxBackoffMs() { return longValue("RETRY_MAX_BACKOFF_MS", 120_000); }
  public int maxSendAttempts() { return intValue("MAX_SEND_ATTEMPTS", 5); }
  public long softRestartTimeoutMs() { return longValue("SOFT_RESTART_TIMEOUT_MS", 180_000); }
  public long hardRestartTimeoutMs() { return longValue("HARD_RESTART_TIMEOUT_MS", 180_000); }
  public int maxRestartsPerWindow() { return intValue("MAX_RESTARTS_PER_WINDOW", 4); }
  public long restartWindowMinutes() { return longValue("RESTART_WINDOW_MINUTES", 10); }
  public int maxReconnectAttempts() { return intValue("MAX_RECONNECT_ATTEMPTS", 5); }
  /** Delays before reconnect attempts 1, 2, …; the last one repeats. */
  public java.util.List<Long> reconnectDelaysMs() {
    String raw = string("RECONNECT_DELAYS_MS").orElse("60000,120000,180000,240000,300000");
    java.util.List<Long> out = new java.util.ArrayList<>();
    for (String part : raw.split(",")) {
      try {
        out.add(Long.parseLong(part.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("config RECONNECT_DELAYS_MS must be a comma-separated list of ms, got '" + raw + "'");
      }
    }
    return out;
  }
  public int circuitBreakerMaxFailures() { return intValue("CIRCUIT_BREAKER_MAX_FAILURES", 5); }
  public long circuitBreakerResetMs() { return longValue("CIRCUIT_BREAKER_RESET_MS", 60_000); }
  /** How many instance verticles the supervisor deploys at once at start (keeps event loops responsive). */
  public int supervisorDeployBatch() { return intValue("HUB_SUPERVISOR_DEPLOY_BATCH", 64); }

  // ---- generic accessors; values from the environment arrive as strings
  public Optional<String> string(String key) {
    Object v = raw.getValue(key);
    if (v == null) {
      return Optional.empty();
    }
    String s = v.toString().trim();
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  public int intValue(String key, int def) {
    return string(key).map(s -> {
      try {
        return Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("config " + key + " must be an integer, got '" + s + "'");
      }
    }).orElse(def);
  }

  public long longValue(String key, long def) {
    return string(key).map(s -> {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("config " + key + " must be an integer, got '" + s + "'");
      }
    }).orElse(def);
  }

  public boolean bool(String key, boolean def) {
    return string(key).map(s -> switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new IllegalArgumentException("config " + key + " must be true or false, got '" + s + "'");
    }).orElse(def);
  }
}
