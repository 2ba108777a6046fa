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
  /**
   * Bodies of provider webhooks ({@code /providers/...}): they carry the provider's batches (Meta
   * sends up to 1,000 updates, at most 3 MB, per POST), and one refused for its size would be
   * retried by the provider for days without ever fitting.
   */
  public int providerWebhookMaxBytes() { return intValue("HUB_PROVIDER_WEBHOOK_MAX_BYTES", 3 * 1024 * 1024); }
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
  public static final int MIN_ADMIN_KEY_LENGTH = 32;
  /** At least 32 printable ASCII characters without spaces (DESIGN §12); anything else stops the start. */
  public Optional<String> adminKey() {
    Optional<String> key = string("HUB_ADMIN_KEY");
    if (key.isPresent()) {
      String k = key.get();
      if (k.length() < MIN_ADMIN_KEY_LENGTH) {
        throw new IllegalArgumentException("config HUB_ADMIN_KEY must be at least " + MIN_ADMIN_KEY_LENGTH
            + " characters long (it has " + k.length() + "); make one with: openssl rand -base64 32");
      }
      if (k.length() > 200 || !k.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
        throw new IllegalArgumentException("config HUB_ADMIN_KEY must be printable ASCII without spaces, "
            + "at most 200 characters");
      }
    }
    return key;
  }
  /**
   * Connections of the key look-up pool, its own so that a flood of unknown keys never waits for
   * (or takes) a connection that claims and completions of sends need.
   */
  public int authPoolSize() { return intValue("HUB_AUTH_POOL_SIZE", 2); }
  /** Key look-ups in flight per process (running or waiting for the look-up pool); beyond it a request gets 429 auth_busy. */
  public int authMaxInFlight() { return intValue("HUB_AUTH_MAX_IN_FLIGHT", 32); }

  // ---- tenant quotas (DESIGN §12); a tenant's own value, set by the admin, wins
  public int tenantMaxInstances() { return intValue("HUB_TENANT_MAX_INSTANCES", 100); }
  /** Ceiling for an instance's maxQueueSize. */
  public int tenantMaxQueueSize() { return intValue("HUB_TENANT_MAX_QUEUE_SIZE", 10_000); }
  /** Messages a tenant may hand to the intake per minute, per node. */
  public int tenantAcceptedPerMinute() { return intValue("HUB_TENANT_ACCEPTED_PER_MINUTE", 6_000); }

  // ---- intake
  public int maxQueueSize() { return intValue("MAX_QUEUE_SIZE", 200); }
  public int intakeMaxBatch() { return intValue("HUB_INTAKE_MAX_BATCH", 256); }
  public int intakeMaxInFlight() { return intValue("HUB_INTAKE_MAX_IN_FLIGHT", 1); }
  public Duration intakeTimeout() { return Duration.ofMillis(longValue("HUB_INTAKE_TIMEOUT_MS", 10_000)); }
  public Duration explicitKeyTtl() { return Duration.ofHours(longValue("IDEMPOTENCY_TTL_EXPLICIT_HOURS", 7 * 24)); }
  public Duration derivedKeyTtl() { return Duration.ofHours(longValue("IDEMPOTENCY_TTL_DERIVED_HOURS", 24)); }
  /** How often each node runs each upkeep job, unless the job has its own HUB_MAINTENANCE_<JOB>_INTERVAL_MS. */
  public Duration maintenanceInterval() { return Duration.ofMillis(longValue("HUB_MAINTENANCE_INTERVAL_MS", 60_000)); }
  /** One upkeep job's interval ({@code keys}, {@code webhook_deliveries}, {@code archive}, {@code history}, …). */
  public Duration maintenanceInterval(String job) {
    String key = "HUB_MAINTENANCE_" + job.toUpperCase(java.util.Locale.ROOT) + "_INTERVAL_MS";
    long ms = longValue(key, maintenanceInterval().toMillis());
    if (ms < 1) {
      throw new IllegalArgumentException("config " + key + " must be at least 1 ms, got " + ms);
    }
    return Duration.ofMillis(ms);
  }
  /** When failed messages are archived and history rows pruned (DESIGN §9); validated at the start. */
  public org.wahub.hub.retention.RetentionPolicy retention() {
    try {
      return org.wahub.hub.retention.RetentionPolicy.ofDays(longValue("HUB_FAILED_ARCHIVE_DAYS", 30),
          longValue("HUB_HISTORY_RETENTION_DAYS", 90));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("config HUB_FAILED_ARCHIVE_DAYS / HUB_HISTORY_RETENTION_DAYS: " + e.getMessage(), e);
    }
  }

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
  /**
   * Whether the simulator's {@code crash_after_send} may halt the JVM ({@code "halt": true}): a
   * crash test for operators and the reliability harness, never something a tenant may do.
   */
  public boolean simulatorAllowHalt() { return bool("HUB_SIMULATOR_ALLOW_HALT", false); }
  /**
   * What one message may carry. Question, option and option-count limits are WhatsApp's and fixed;
   * text length, metadata size and how far ahead sendAt may lie are the operator's.
   */
  public org.wahub.hub.validation.OutboundValidator.Limits payloadLimits() {
    var d = org.wahub.hub.validation.OutboundValidator.Limits.defaults();
    return new org.wahub.hub.validation.OutboundValidator.Limits(intValue("HUB_MAX_TEXT_LENGTH", d.maxTextLength()),
        d.maxQuestionLength(), d.maxOptionLength(), d.minOptions(), d.maxOptions(),
        intValue("HUB_MAX_METADATA_BYTES", d.maxMetadataBytes()),
        Duration.ofDays(longValue("HUB_MAX_SCHEDULE_AHEAD_DAYS", d.maxScheduleAhead().toDays())));
  }
  public int supervisorDeployBatch() { return intValue("HUB_SUPERVISOR_DEPLOY_BATCH", 64); }

  // ---- outbound calls: providers and webhooks (DESIGN §12, org.wahub.outbound)
  /**
   * Comma-separated CIDRs and host names that outbound calls may reach although they are loopback,
   * private, link-local or otherwise not public (e.g. {@code 127.0.0.1/32,localhost,wa.internal}).
   */
  public String outboundAllow() { return string("HUB_OUTBOUND_ALLOW").orElse(""); }
  /** Nothing but the entries of HUB_OUTBOUND_ALLOW is reachable: an egress allow-list. */
  public boolean outboundAllowOnly() { return bool("HUB_OUTBOUND_ALLOW_ONLY", false); }
  public Duration outboundConnectTimeout() { return Duration.ofMillis(longValue("HUB_OUTBOUND_CONNECT_TIMEOUT_MS", 5_000)); }
  /** Whole exchange: resolve, connect, send, read the full answer. */
  public Duration outboundTimeout() { return Duration.ofMillis(longValue("HUB_OUTBOUND_TIMEOUT_MS", 10_000)); }
  /** Answers larger than this are cut off and fail; nothing outbound needs more than a JSON reply. */
  public int outboundMaxResponseBytes() { return intValue("HUB_OUTBOUND_MAX_RESPONSE_BYTES", 1_048_576); }

  // ---- how providers reach the hub (their inbound webhooks)
  /**
   * The hub's address as the providers' servers reach it (e.g. {@code https://hub.example.com}, or
   * with a path prefix behind a proxy), stored without a trailing slash. Providers whose webhooks the
   * hub configures itself (waha) point them at {@code <this>/providers/<type>/<instanceId>/webhook};
   * unset, they configure none. Absolute http(s), no user info, query or fragment (the same form as
   * a provider base URL); anything else stops the start.
   */
  public Optional<String> publicUrl() {
    return string("HUB_PUBLIC_URL").map(url -> {
      try {
        org.wahub.outbound.OutboundGuard.validateBaseUrl(url);
      } catch (org.wahub.outbound.OutboundRefused e) {
        throw new IllegalArgumentException("config HUB_PUBLIC_URL must be an absolute http(s) URL without user info, "
            + "query or fragment (" + e.getMessage() + ")");
      }
      return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    });
  }

  // ---- the adapter protocol (docs/adapter-protocol.md)
  /** A comment line on every adapter stream this often, so proxies and the adapter see it alive. */
  public Duration adapterHeartbeat() { return Duration.ofMillis(longValue("HUB_ADAPTER_HEARTBEAT_MS", 15_000)); }
  /** A dispatch the adapter has not acknowledged within this is dispatched again (adapters dedupe by messageId). */
  public Duration adapterAckTimeout() { return Duration.ofMillis(longValue("HUB_ADAPTER_ACK_TIMEOUT_MS", 5_000)); }

  // ---- operations: GET /metrics and GET /health (DESIGN §9)
  public static final int MIN_METRICS_KEY_LENGTH = 16;
  /**
   * When set, {@code GET /metrics} needs {@code Authorization: Bearer <this key>}; unset, it is public
   * (for a scraper on a private network). At least 16 printable ASCII characters without spaces;
   * anything else stops the start, so a typo never leaves the endpoint open or shut by surprise.
   */
  public Optional<String> metricsKey() {
    Optional<String> key = string("HUB_METRICS_KEY");
    key.ifPresent(k -> {
      if (k.length() < MIN_METRICS_KEY_LENGTH || k.length() > 200 || !k.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
        throw new IllegalArgumentException("config HUB_METRICS_KEY must be " + MIN_METRICS_KEY_LENGTH
            + " to 200 printable ASCII characters without spaces; make one with: openssl rand -base64 32");
      }
    });
    return key;
  }
  /**
   * Counters and queue gauges carry an {@code instance_id} label while the hub has at most this many
   * instances; above it they are hub-wide (until the next start), so a big fleet cannot flood
   * Prometheus with series.
   */
  public int metricsInstanceLabelsMax() { return intValue("HUB_METRICS_INSTANCE_LABELS_MAX", 100); }
  /** How often each node counts queues and instance states for the gauges and /health (one aggregate query). */
  public Duration statsRefreshInterval() { return Duration.ofMillis(longValue("HUB_STATS_REFRESH_MS", 15_000)); }
  /** The health rule's thresholds; a value above one fails its check (defaults: the seeds' alert levels). */
  public org.wahub.hub.health.HealthThresholds healthThresholds() {
    var d = org.wahub.hub.health.HealthThresholds.defaults();
    try {
      return new org.wahub.hub.health.HealthThresholds(
          longValue("HUB_HEALTH_STUCK_MAX", d.stuckSendingMax()),
          longValue("HUB_HEALTH_FAILED_MAX", d.failedMessagesMax()),
          longValue("HUB_HEALTH_ERRORS_PER_HOUR_MAX", d.sendErrorsPerHourMax()),
          longValue("HUB_HEALTH_P95_LATENCY_MS_MAX", d.p95SendLatencyMsMax()),
          longValue("HUB_HEALTH_NOT_READY_MAX", d.instancesNotReadyMax()),
          longValue("HUB_HEALTH_WEBHOOKS_FAILING_MAX", d.webhookEndpointsFailingMax()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("config HUB_HEALTH_*: " + e.getMessage(), e);
    }
  }
  // ---- webhooks (DESIGN §8); every call goes through the outbound guard as well
  /** One delivery attempt, from resolving the host to the end of the answer. */
  public Duration webhookTimeout() { return Duration.ofMillis(longValue("HUB_WEBHOOK_TIMEOUT_MS", 10_000)); }
  /** At most one NOTIFY per this gap tells the other nodes which tenants' events this node committed. */
  public Duration eventsNotifyGap() { return Duration.ofMillis(Math.max(1, longValue("HUB_EVENTS_NOTIFY_GAP_MS", 50))); }
  /** Under load, at most one fan-out round per this gap reads the events committed meanwhile. */
  public Duration webhookFanOutGap() { return Duration.ofMillis(Math.max(0, longValue("HUB_WEBHOOK_FANOUT_GAP_MS", 100))); }
  /**
   * Delays before retries 1, 2, …, in ms (the last one repeats), divided by HUB_TIME_SCALE. The
   * default is svix's: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
   */
  public java.util.List<Duration> webhookRetryDelays() {
    String raw = string("HUB_WEBHOOK_RETRY_DELAYS_MS").orElse("5000,300000,1800000,7200000,18000000,36000000,36000000");
    java.util.List<Duration> out = new java.util.ArrayList<>();
    double scale = timeScale();
    for (String part : raw.split(",")) {
      try {
        long ms = Long.parseLong(part.trim());
        if (ms < 0) {
          throw new NumberFormatException();
        }
        out.add(Duration.ofMillis(Math.round(ms / scale)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("config HUB_WEBHOOK_RETRY_DELAYS_MS must be a comma-separated list of ms, got '" + raw + "'");
      }
    }
    return out;
  }
  /** Attempts per delivery, the first included; then it is listed as failed (replayable). */
  public int webhookMaxAttempts() { return intValue("HUB_WEBHOOK_MAX_ATTEMPTS", 8); }
  /** Deliveries in flight to one endpoint at once, per node. */
  public int webhookConcurrencyPerEndpoint() { return intValue("HUB_WEBHOOK_CONCURRENCY_PER_ENDPOINT", 4); }
  /** Consecutive endpoint faults (time-outs, refused connections, 408/429/5xx) that open its breaker. */
  public int webhookBreakerFailures() { return intValue("HUB_WEBHOOK_BREAKER_FAILURES", 5); }
  /** How long an open breaker skips its endpoint before one trial delivery (divided by HUB_TIME_SCALE). */
  public Duration webhookBreakerReset() { return Duration.ofMillis(Math.round(longValue("HUB_WEBHOOK_BREAKER_RESET_MS", 60_000) / timeScale())); }
  /** Ended deliveries (succeeded, failed, cancelled) are pruned this long after they ended. */
  public Duration webhookDeliveryRetention() { return Duration.ofDays(longValue("HUB_WEBHOOK_DELIVERY_RETENTION_DAYS", 7)); }
  /** GET /events: a {@code : ping} comment this often on an idle stream (proxies drop silent connections). */
  public Duration eventsPing() { return Duration.ofMillis(Math.max(1, longValue("HUB_EVENTS_PING_MS", 15_000))); }
  /** GET /events: events read from the outbox per statement. */
  public int eventsPageSize() { return Math.max(1, Math.min(1000, intValue("HUB_EVENTS_PAGE_SIZE", 100))); }
  /** GET /events: a client whose write queue stays full this long is dropped (it reconnects with Last-Event-ID). */
  public Duration eventsSlowClient() { return Duration.ofMillis(Math.max(1, longValue("HUB_EVENTS_SLOW_CLIENT_MS", 10_000))); }
  /** Outbox events older than this are pruned by the maintenance round, unless webhook fan-out has not read them yet. */
  public Duration eventRetention() { return Duration.ofDays(longValue("HUB_EVENT_RETENTION_DAYS", 7)); }
  /** Webhook endpoints per tenant. */
  public int tenantMaxWebhooks() { return intValue("HUB_TENANT_MAX_WEBHOOKS", 20); }

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
