package org.wahub.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.wahub.health.FleetSnapshot;
import org.wahub.hub.health.LatencyWindow;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.retry.RetryPolicy;
import org.wahub.hub.retry.SendError;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * wa-hub's own metrics, all in one class so an operator finds every series here, next to the
 * Vert.x (HTTP server and client, pools) and JVM metrics in the same registry.
 *
 * <h2>Series (Prometheus names)</h2>
 * Counters, per instance ({@code instance_id}) while the hub has at most
 * {@code HUB_METRICS_INSTANCE_LABELS_MAX} instances, hub-wide above that:
 * <ul>
 * <li>{@code wahub_messages_accepted_total}, {@code wahub_messages_replayed_total} — intake (202s; replays
 *     include the 200 of a key whose message is already done)</li>
 * <li>{@code wahub_messages_sent_total}, {@code wahub_messages_failed_total{reason}},
 *     {@code wahub_messages_retried_total{reason}}, {@code wahub_messages_in_doubt_total},
 *     {@code wahub_messages_expired_total} — what became of send attempts; {@code reason} is a
 *     closed set ({@link #reasonClass})</li>
 * <li>{@code wahub_send_deferrals_total{reason}} — the send gate held a due message back
 *     ({@code rate_limit}, {@code pacing}, {@code circuit_open}, {@code provider_rate_limit}, …: the
 *     status endpoint's {@code waitingFor})</li>
 * <li>{@code wahub_instance_restarts_total{type,trigger}}, {@code wahub_instance_disconnects_total}</li>
 * </ul>
 * Gauges, from one aggregate query per refresh ({@code HUB_STATS_REFRESH_MS}), never one callback per instance:
 * {@code wahub_queue_messages{status[,instance_id]}} (queued, sending, failed, in_doubt),
 * {@code wahub_instances{state}}, {@code wahub_messages_stuck_sending}.
 * Hub-wide histograms (buckets fixed, so p95/p99 come from {@code histogram_quantile}):
 * {@code wahub_send_queue_wait_seconds} (sent − max(accepted, sendAt)),
 * {@code wahub_send_provider_duration_seconds} (hand-off to the provider's answer),
 * {@code wahub_intake_batch_size}, {@code wahub_intake_commit_seconds}; and
 * {@code wahub_intake_refused_total{reason}}, {@code wahub_stats_refresh_seconds}.
 *
 * <h2>For the events and webhook code</h2>
 * {@link #eventsWritten(String, int)} → {@code wahub_events_written_total{type}};
 * {@link #webhookDelivery(String, long)} → {@code wahub_webhook_deliveries_total{outcome}} and
 * {@code wahub_webhook_delivery_lag_seconds}. Call them where the outbox rows are written and where a
 * delivery attempt ends.
 *
 * <h2>Cost</h2>
 * Hot paths never build a meter: the per-instance handles ({@link InstanceMeters}) keep theirs
 * and check one volatile generation number; intake looks its counter up in a map. Meters whose
 * label set depends on the instance count are re-resolved only when that count crosses the
 * threshold (once: above it the hub stays hub-wide until restarted, so a fleet hovering at the
 * threshold does not reset its counters every refresh) or an instance disappears.
 *
 * <p>Thread-safe: instances, intake and API verticles on every event loop call it.
 */
public final class HubMetrics implements AutoCloseable {

  public static final String INSTANCE_LABEL = "instance_id";

  static final String ACCEPTED = "wahub.messages.accepted";
  static final String REPLAYED = "wahub.messages.replayed";
  static final String SENT = "wahub.messages.sent";
  static final String FAILED = "wahub.messages.failed";
  static final String RETRIED = "wahub.messages.retried";
  static final String IN_DOUBT = "wahub.messages.in_doubt";
  static final String EXPIRED = "wahub.messages.expired";
  static final String DEFERRALS = "wahub.send.deferrals";
  static final String RESTARTS = "wahub.instance.restarts";
  static final String DISCONNECTS = "wahub.instance.disconnects";

  private static final Map<String, String> HELP = Map.ofEntries(
      Map.entry(ACCEPTED, "Messages and polls accepted (202, newly stored)"),
      Map.entry(REPLAYED, "Requests answered from an existing idempotency key (202 replay or 200 with the finished message)"),
      Map.entry(SENT, "Messages the provider accepted"),
      Map.entry(FAILED, "Messages that failed for good (dead-letter list), by reason class"),
      Map.entry(RETRIED, "Failed send attempts that will be retried, by reason class"),
      Map.entry(IN_DOUBT, "Messages whose outcome nobody can know (a human decides)"),
      Map.entry(EXPIRED, "Messages not sent before their expiresAt"),
      Map.entry(DEFERRALS, "Times the send gate held a due message back, by reason (waitingFor)"),
      Map.entry(RESTARTS, "Session restarts by type (soft, hard) and trigger (manual, automatic)"),
      Map.entry(DISCONNECTS, "Sessions that dropped"));

  /** Failure codes kept as label values; any other code counts as {@code other} (providers send free text). */
  private static final Set<String> KNOWN_REASONS = Set.of(SendError.TIMEOUT, SendError.DISCONNECTED,
      SendError.PROVIDER_UNAVAILABLE, SendError.RATE_LIMITED, SendError.NETWORK, SendError.CIRCUIT_OPEN,
      SendError.UNKNOWN, SendError.INVALID_RECIPIENT, SendError.NOT_ON_WHATSAPP, SendError.BLOCKED,
      SendError.BAD_MEDIA, SendError.UNSUPPORTED, SendError.PAYLOAD_REJECTED, SendError.AUTH,
      SendError.NEEDS_TEMPLATE, RetryPolicy.ATTEMPTS_EXHAUSTED, "interrupted");

  private static final List<String> QUEUE_STATUSES = List.of("queued", "sending", "failed", "in_doubt");

  private final MeterRegistry registry;
  private final int instanceLabelsMax;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** Meters whose tags may include the instance: dropped and rebuilt when the label mode changes. */
  private final ConcurrentHashMap<Key, Counter> keyed = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private volatile long generation;
  /** Until the first refresh says how many instances there are, hub-wide (the safe side for cardinality). */
  private volatile boolean perInstance;
  private boolean hubWideForGood;

  private final Timer queueWait;
  private final Timer providerCall;
  private final DistributionSummary intakeBatch;
  private final Timer intakeCommit;
  private final Timer statsRefresh;
  private final Timer webhookLag;
  private final ConcurrentHashMap<String, Counter> intakeRefused = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> eventsWritten = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> webhookDeliveries = new ConcurrentHashMap<>();
  private final EnumMap<InstanceState, AtomicLong> instancesByState = new EnumMap<>(InstanceState.class);
  private final AtomicLong stuckSending = new AtomicLong();
  private final MultiGauge queueGauge;
  private final Map<Tags, AtomicLong> queueRows = new HashMap<>();
  private final ConcurrentHashMap<String, LatencyWindow> latencyByTenant = new ConcurrentHashMap<>();

  public HubMetrics(MeterRegistry registry, int instanceLabelsMax) {
    this.registry = registry;
    this.instanceLabelsMax = instanceLabelsMax;
    queueWait = Timer.builder("wahub.send.queue.wait")
        .description("From when a message could first be sent (accepted, or its sendAt) to when the provider accepted it")
        .serviceLevelObjectives(ms(100), ms(500), s(1), s(2), s(5), s(10), s(30), s(60), s(120), s(300), s(600),
            s(1800), s(3600), s(3 * 3600), s(6 * 3600), s(24 * 3600))
        .register(registry);
    providerCall = Timer.builder("wahub.send.provider.duration")
        .description("From handing a message to the provider to its answer (or the send timeout)")
        .serviceLevelObjectives(ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), s(1), s(2), s(5), s(10), s(30))
        .register(registry);
    intakeBatch = DistributionSummary.builder("wahub.intake.batch.size")
        .description("Requests per group commit of the intake")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
        .register(registry);
    intakeCommit = Timer.builder("wahub.intake.commit")
        .description("Duration of one group-commit statement of the intake")
        .serviceLevelObjectives(ms(1), ms(2), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), s(1), s(5))
        .register(registry);
    statsRefresh = Timer.builder("wahub.stats.refresh")
        .description("Duration of the aggregate query behind the queue and instance gauges and /health")
        .register(registry);
    webhookLag = Timer.builder("wahub.webhook.delivery.lag")
        .description("From an event's commit to its webhook delivery's answer")
        .serviceLevelObjectives(ms(10), ms(50), ms(100), ms(250), ms(500), s(1), s(5), s(30), s(60), s(300),
            s(900), s(3600), s(6 * 3600), s(24 * 3600))
        .register(registry);
    for (InstanceState state : InstanceState.values()) {
      AtomicLong n = new AtomicLong();
      instancesByState.put(state, n);
      Gauge.builder("wahub.instances", n, AtomicLong::get).description("Instances by state")
          .tag("state", state.name()).register(registry);
    }
    Gauge.builder("wahub.messages.stuck.sending", stuckSending, AtomicLong::get)
        .description("Messages still sending after their lease ran out").register(registry);
    queueGauge = MultiGauge.builder("wahub.queue.messages")
        .description("Messages per status: queued and sending are the queue, failed and in_doubt wait for an operator")
        .register(registry);
    publishQueue(List.of());
  }

  // ---------------------------------------------------------------- the registry and Vert.x

  /**
   * The registry behind GET /metrics; Main hands the same one to Vert.x (HTTP and pool metrics).
   * Three of Micrometer's JVM series break Prometheus' naming rules ({@code promtool check metrics}
   * rejects {@code jvm_compilation_time_ms_total} and {@code process_cpu_time_ns_total} for their
   * abbreviated units, {@code system_cpu_count} for a {@code _count} suffix on a gauge); they are
   * dropped, nothing else reads them.
   */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(MeterFilter.deny(id -> NOT_PROMETHEUS_CLEAN.contains(id.getName())));
    return registry;
  }

  private static final Set<String> NOT_PROMETHEUS_CLEAN = Set.of("jvm.compilation.time", "process.cpu.time",
      "system.cpu.count");

  /**
   * A Vert.x whose HTTP server/client, pool, verticle and JVM metrics go to {@code registry}. The
   * event bus is left out: every intake request crosses it, and its per-message counters would
   * sit on that hot path for little an operator needs. Requests are labelled by route template
   * (never by path, which holds ids) besides method and code.
   */
  public static Vertx vertx(VertxOptions options, PrometheusMeterRegistry registry) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // BackendRegistries keeps registries by name for the whole JVM: one name per Vert.x
        .setRegistryName("wahub-" + System.identityHashCode(registry))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .addLabels(Label.HTTP_ROUTE)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET);
    return Vertx.builder().with(new VertxOptions(options).setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry)).build();
  }

  /**
   * A registry for a hub started on a Vert.x without metrics (tests, embedding): the hub's own
   * series and the JVM's, no Vert.x ones. Its JVM binders are released by {@link #close()}.
   */
  public static HubMetrics standalone(int instanceLabelsMax) {
    PrometheusMeterRegistry registry = newRegistry();
    HubMetrics m = new HubMetrics(registry, instanceLabelsMax);
    for (MeterBinder b : List.of(new ClassLoaderMetrics(), new JvmMemoryMetrics(), new JvmGcMetrics(),
        new JvmThreadMetrics(), new JvmInfoMetrics(), new ProcessorMetrics(), new UptimeMetrics())) {
      b.bindTo(registry);
      if (b instanceof AutoCloseable c) {
        m.closeables.add(c);
      }
    }
    m.closeables.add(registry::close);
    return m;
  }

  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing is best effort: a binder that cannot unhook itself only leaks a listener
      }
    }
  }

  // ---------------------------------------------------------------- intake

  /** A request stored a new message (202). */
  public void accepted(String instanceId) {
    counter(ACCEPTED, instanceId).increment();
  }

  /** A request was answered from its idempotency key (202 replay, or 200 with the finished message). */
  public void replayed(String instanceId) {
    counter(REPLAYED, instanceId).increment();
  }

  /** A valid request the intake did not store: key_conflict, queue_full, unknown_instance, unavailable. */
  public void intakeRefused(String reason) {
    intakeRefused.computeIfAbsent(label(reason), r -> Counter.builder("wahub.intake.refused")
        .description("Valid requests the intake did not store, by reason").tag("reason", r).register(registry))
        .increment();
  }

  /** One group commit of {@code size} requests that took {@code nanos}. */
  public void intakeBatch(int size, long nanos) {
    intakeBatch.record(size);
    intakeCommit.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  // ---------------------------------------------------------------- events and webhooks (called by that code)

  /** {@code count} domain events of {@code type} (e.g. {@code message.sent}) written to the outbox. */
  public void eventsWritten(String type, int count) {
    eventsWritten.computeIfAbsent(label(type), t -> Counter.builder("wahub.events.written")
        .description("Domain events written to the outbox, by type").tag("type", t).register(registry))
        .increment(count);
  }

  /**
   * A webhook delivery attempt ended with {@code outcome} (a closed set such as {@code delivered},
   * {@code retrying}, {@code failed}, {@code disabled}); {@code lagMs} is from the event's commit to
   * now, or negative when unknown.
   */
  public void webhookDelivery(String outcome, long lagMs) {
    webhookDeliveries.computeIfAbsent(label(outcome), o -> Counter.builder("wahub.webhook.deliveries")
        .description("Webhook delivery attempts by outcome").tag("outcome", o).register(registry))
        .increment();
    if (lagMs >= 0) {
      webhookLag.record(lagMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  // ---------------------------------------------------------------- instances

  /** The handle an instance's verticle counts through; cheap to keep, confined to that verticle. */
  public InstanceMeters instance(String instanceId, String tenantId) {
    return new InstanceMeters(this, instanceId, tenantId);
  }

  long generation() {
    return generation;
  }

  void sendAnswered(String tenantId, Instant at, long nanos) {
    providerCall.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    LatencyWindow w = latencyByTenant.computeIfAbsent(tenantId == null ? "" : tenantId, t -> LatencyWindow.lastHour());
    synchronized (w) {
      w.record(at, nanos / 1_000_000);
    }
  }

  void queueWait(Duration wait) {
    queueWait.record(wait.isNegative() ? Duration.ZERO : wait);
  }

  /**
   * 95th percentile of the provider's answer time over the last hour on this node, in ms: for
   * one tenant's instances, or all ({@code tenantId} null). 0 without sends.
   */
  public long p95SendLatencyMs(String tenantId, Instant now) {
    LatencyWindow.Snapshot s = LatencyWindow.Snapshot.empty();
    for (Map.Entry<String, LatencyWindow> e : latencyByTenant.entrySet()) {
      if (tenantId == null || tenantId.equals(e.getKey())) {
        synchronized (e.getValue()) {
          s = s.plus(e.getValue().snapshot(now));
        }
      }
    }
    return s.percentile(0.95);
  }

  /**
   * The counter {@code name} for an instance, with {@code extra} tag pairs: labelled by instance
   * while per-instance labels are on, hub-wide otherwise. Registered once per tag combination.
   */
  Counter counter(String name, String instanceId, String... extra) {
    boolean labelled = perInstance;
    Key key = new Key(name, labelled ? instanceId : null, List.of(extra));
    Counter c = keyed.get(key);
    if (c != null) {
      return c;
    }
    synchronized (lock) {
      // the mode may have flipped since it was read: register under the mode that holds now
      key = new Key(name, perInstance ? instanceId : null, List.of(extra));
      return keyed.computeIfAbsent(key, k -> {
        Tags tags = Tags.of(extra);
        if (k.instanceId() != null) {
          tags = tags.and(INSTANCE_LABEL, k.instanceId());
        }
        return Counter.builder(k.name()).description(HELP.get(k.name())).tags(tags).register(registry);
      });
    }
  }

  private record Key(String name, String instanceId, List<String> extra) {
  }

  // ---------------------------------------------------------------- the periodic aggregate

  /**
   * A new aggregate of the fleet: updates the gauges and decides whether counters carry the
   * instance. Called by the refresh job, one at a time.
   */
  public void fleet(FleetSnapshot snapshot) {
    synchronized (lock) {
      int count = snapshot.instances().size();
      if (count > instanceLabelsMax) {
        hubWideForGood = true;
      }
      boolean want = !hubWideForGood;
      Set<String> ids = new HashSet<>();
      snapshot.instances().forEach(i -> ids.add(i.id()));
      if (want != perInstance) {
        // Prometheus wants one label set per name: every old series goes before a new one comes
        dropKeyed(k -> true);
        queueGauge.register(List.of(), false);
        queueRows.clear();
        perInstance = want;
        generation++;
      } else if (perInstance) {
        // deleted instances must not keep their series (and their cardinality) until the next restart
        dropKeyed(k -> k.instanceId() != null && !ids.contains(k.instanceId()));
      }
      EnumMap<InstanceState, Long> states = new EnumMap<>(InstanceState.class);
      long stuck = 0;
      for (FleetSnapshot.InstanceStats i : snapshot.instances()) {
        states.merge(i.state(), 1L, Long::sum);
        stuck += i.stuck();
      }
      instancesByState.forEach((s, n) -> n.set(states.getOrDefault(s, 0L)));
      stuckSending.set(stuck);
      publishQueue(snapshot.instances());
      statsRefresh.record(snapshot.tookNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private void dropKeyed(java.util.function.Predicate<Key> which) {
    boolean dropped = false;
    for (Map.Entry<Key, Counter> e : keyed.entrySet()) {
      if (which.test(e.getKey())) {
        registry.remove(e.getValue());
        keyed.remove(e.getKey());
        dropped = true;
      }
    }
    if (dropped) {
      generation++; // handles holding a dropped counter fetch a fresh one
    }
  }

  private void publishQueue(List<FleetSnapshot.InstanceStats> instances) {
    Map<Tags, Long> values = new HashMap<>();
    for (String status : QUEUE_STATUSES) {
      if (!perInstance) {
        values.put(Tags.of("status", status), 0L);
      }
    }
    for (FleetSnapshot.InstanceStats i : instances) {
      long[] v = {i.queued(), i.sending(), i.failed(), i.inDoubt()};
      for (int s = 0; s < v.length; s++) {
        Tags tags = perInstance ? Tags.of("status", QUEUE_STATUSES.get(s), INSTANCE_LABEL, i.id())
            : Tags.of("status", QUEUE_STATUSES.get(s));
        values.merge(tags, v[s], Long::sum);
      }
    }
    queueRows.keySet().retainAll(values.keySet());
    List<MultiGauge.Row<?>> rows = new ArrayList<>(values.size());
    values.forEach((tags, v) -> {
      AtomicLong holder = queueRows.computeIfAbsent(tags, t -> new AtomicLong());
      holder.set(v);
      rows.add(MultiGauge.Row.of(tags, holder, AtomicLong::get));
    });
    queueGauge.register(rows, false);
  }

  // ---------------------------------------------------------------- label values

  /** A failure code as a label value: the hub's own codes as they are, anything else {@code other}. */
  static String reasonClass(String code) {
    return code != null && KNOWN_REASONS.contains(code) ? code : "other";
  }

  /**
   * A caller's word as a label value: lower case {@code [a-z0-9_.-]}, at most 64 characters, or
   * {@code other}. Callers pass closed sets; this only keeps a bug from becoming a label explosion
   * of odd strings.
   */
  static String label(String value) {
    if (value == null || value.isEmpty() || value.length() > 64) {
      return "other";
    }
    String v = value.toLowerCase(Locale.ROOT);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-')) {
        return "other";
      }
    }
    return v;
  }

  private static Duration ms(long v) {
    return Duration.ofMillis(v);
  }

  private static Duration s(long v) {
    return Duration.ofSeconds(v);
  }

  /** For tests: whether counters carry the instance right now. */
  public boolean perInstanceLabels() {
    return perInstance;
  }

  /** Meters registered so far under {@code name} (tests). */
  List<Meter> meters(String name) {
    return registry.find(name).meters().stream().toList();
  }
}
