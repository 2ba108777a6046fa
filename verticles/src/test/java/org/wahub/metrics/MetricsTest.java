package org.wahub.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * GET /metrics over real HTTP on a hub wired like Main (one registry for Vert.x and the hub),
 * with messages flowing on the simulator: the series an operator relies on exist and count what
 * happened, and a scrape taken mid-flow passes {@code promtool check metrics}.
 */
@ExtendWith(VertxExtension.class)
class MetricsTest {

  static final String KEY = "metrics-test-scrape-key-0123456789";
  static final int MESSAGES = 20;

  static Vertx vertx;
  static TestHub hub;
  static TestHub.Tenant shop;

  @BeforeAll
  static void start() {
    PrometheusMeterRegistry registry = HubMetrics.newRegistry();
    vertx = HubMetrics.vertx(new VertxOptions(), registry);
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of(
        "HUB_METRICS_KEY", KEY,
        "HUB_STATS_REFRESH_MS", "200"), registry);
    shop = hub.tenant("metrics-shop");
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void seriesCountWhatHappenedAndTheExpositionPassesPromtool() throws Exception {
    hub.instance(shop, "metrics-1", new JsonObject()
        .put("provider", new JsonObject().put("type", "simulator").put("pairingMs", 0).put("latencyMs", 5))
        .put("limits", new JsonObject().put("perMinute", 1000).put("perHour", 10_000).put("perDay", 100_000))
        .put("pacing", new JsonObject().put("minIntervalMs", 100).put("jitterMs", 0)));
    await().atMost(Duration.ofSeconds(20)).until(() -> "READY".equals(status("metrics-1").getString("state")));
    for (int i = 0; i < MESSAGES; i++) {
      Http.Res res = hub.http.post("/instances/metrics-1/messages", shop.key(),
          new JsonObject().put("to", "+4915112345" + String.format("%03d", i)).put("text", "hello " + i));
      assertThat(res.status()).as(res.body()).isEqualTo(202);
    }
    assertThat(hub.http.post("/instances/metrics-1/messages", shop.key(),
        new JsonObject().put("to", "+4915112345000").put("text", "hello 0")).status())
        .as("a replay: 202 while pending, 200 once sent").isIn(200, 202);

    // mid-flow: some sent, the rest still queued (100 ms apart)
    await().atMost(Duration.ofSeconds(20)).until(() -> sentSoFar() >= 3);
    String during = scrape();
    assertThat(value(during, "wahub_messages_sent_total", "instance_id=\"metrics-1\"")).isLessThan(MESSAGES);
    promtool(during, "during");

    await().atMost(Duration.ofSeconds(30)).until(() -> sentSoFar() == MESSAGES);
    // the gauges follow on the next aggregate (every 200 ms here)
    await().atMost(Duration.ofSeconds(10)).until(() ->
        value(scrape(), "wahub_queue_messages", "instance_id=\"metrics-1\"", "status=\"queued\"") == 0
            && value(scrape(), "wahub_instances", "state=\"READY\"") == 1);
    String after = scrape();
    promtool(after, "after");

    assertThat(value(after, "wahub_messages_accepted_total", "instance_id=\"metrics-1\"")).isEqualTo(MESSAGES);
    assertThat(value(after, "wahub_messages_replayed_total", "instance_id=\"metrics-1\"")).isEqualTo(1);
    assertThat(value(after, "wahub_messages_sent_total", "instance_id=\"metrics-1\"")).isEqualTo(MESSAGES);
    // every send wrote its message.sent into the outbox; the instance's state changes theirs
    assertThat(value(after, "wahub_events_written_total", "type=\"message.sent\"")).isGreaterThanOrEqualTo(MESSAGES);
    assertThat(value(after, "wahub_events_written_total", "type=\"instance.state_changed\"")).isPositive();
    assertThat(value(after, "wahub_send_provider_duration_seconds_count")).isEqualTo(MESSAGES);
    assertThat(value(after, "wahub_send_queue_wait_seconds_count")).isEqualTo(MESSAGES);
    assertThat(value(after, "wahub_send_queue_wait_seconds_bucket", "le=\"+Inf\"")).isEqualTo(MESSAGES);
    assertThat(value(after, "wahub_send_provider_duration_seconds_sum")).isGreaterThan(0);
    assertThat(value(after, "wahub_intake_batch_size_sum")).isEqualTo(MESSAGES + 1);
    assertThat(value(after, "wahub_intake_commit_seconds_count")).isGreaterThan(0);
    assertThat(value(after, "wahub_send_deferrals_total", "instance_id=\"metrics-1\"", "reason=\"pacing\""))
        .as("the 100 ms gap held sends back").isGreaterThan(0);
    assertThat(value(after, "wahub_queue_messages", "instance_id=\"metrics-1\"", "status=\"failed\"")).isZero();
    assertThat(value(after, "wahub_instances", "state=\"NEEDS_QR\"")).isZero();
    assertThat(value(after, "wahub_messages_stuck_sending")).isZero();
    assertThat(value(after, "wahub_stats_refresh_seconds_count")).isGreaterThan(0);
    // Vert.x (HTTP server by route, the SQL pool) and the JVM report to the same registry
    assertThat(value(after, "vertx_http_server_requests_total", "route=\"/instances/:instanceId/messages\"",
        "code=\"202\"")).isGreaterThanOrEqualTo(MESSAGES);
    assertThat(after).contains("vertx_pool_", "pool_name=\"wahub\"", "jvm_memory_used_bytes", "jvm_gc_");
  }

  @Test
  void theScrapeKeyIsRequiredWhenConfigured() {
    assertThat(hub.http.get("/metrics", null).status()).isEqualTo(401);
    assertThat(hub.http.get("/metrics", "not-the-metrics-key-at-all-000000").status()).isEqualTo(401);
    assertThat(hub.http.get("/metrics", TestHub.ADMIN_KEY).status()).as("API keys do not open it").isEqualTo(401);
    assertThat(hub.http.get("/metrics", KEY.substring(0, KEY.length() - 1)).status()).isEqualTo(401);
    Http.Res ok = hub.http.get("/metrics", KEY);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.header("Content-Type")).startsWith("text/plain; version=0.0.4");
  }

  @Test
  void aboveTheThresholdNoSeriesCarriesTheInstance(io.vertx.core.Vertx plain) {
    TestHub big = TestHub.start(plain, TestPg.newDatabaseUrl(), Map.of(
        "HUB_METRICS_INSTANCE_LABELS_MAX", "1",
        "HUB_STATS_REFRESH_MS", "200"));
    try {
      TestHub.Tenant t = big.tenant("big-shop");
      JsonObject fast = new JsonObject().put("provider", new JsonObject().put("type", "simulator").put("pairingMs", 0)
          .put("latencyMs", 5));
      big.instance(t, "big-1", fast.copy());
      big.instance(t, "big-2", fast.copy());
      await().atMost(Duration.ofSeconds(10)).until(() -> !big.hub.metrics().perInstanceLabels()
          && big.hub.metrics().registry().find("wahub.instances").tag("state", "READY").gauge().value() == 2);
      for (String id : List.of("big-1", "big-2")) {
        assertThat(big.http.post("/instances/" + id + "/messages", t.key(),
            new JsonObject().put("to", "+4915112345678").put("text", "hi")).status()).isEqualTo(202);
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> value(big.http.get("/metrics", null).body(),
          "wahub_messages_sent_total") == 2);
      String text = big.http.get("/metrics", null).body();
      assertThat(text).doesNotContain("instance_id=").doesNotContain("big-1").doesNotContain("big-2");
      assertThat(value(text, "wahub_messages_accepted_total")).isEqualTo(2);
      assertThat(value(text, "wahub_queue_messages", "status=\"queued\"")).isZero();
    } finally {
      big.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Events written outside the send loop count too: message.queued at intake, cancelled, received, poll.vote. */
  @Test
  void eventsWrittenByIntakeCancelAndInboundAreCounted() {
    TestHub.Tenant t = hub.tenant("metrics-events");
    // NEEDS_QR: nothing is sent, so the queued messages stay cancellable
    hub.instance(t, "metrics-ev", new JsonObject().put("provider", new JsonObject().put("type", "simulator")
        .put("startState", "NEEDS_QR")));
    Http.Res hook = hub.http.post("/webhooks", t.key(), new JsonObject().put("url", "http://127.0.0.1:9/hook")
        .put("eventTypes", new io.vertx.core.json.JsonArray().add("message.queued")).put("instanceId", "metrics-ev"));
    assertThat(hook.status()).as(hook.body()).isEqualTo(201);
    String before = scrape();

    String first = null;
    for (int i = 0; i < 3; i++) {
      Http.Res res = hub.http.post("/instances/metrics-ev/messages", t.key(),
          new JsonObject().put("to", "+4915112346" + String.format("%03d", i)).put("text", "queued " + i));
      assertThat(res.status()).as(res.body()).isEqualTo(202);
      first = first == null ? res.json().getString("id") : first;
    }
    assertThat(hub.http.post("/messages/" + first + "/cancel", t.key(), new JsonObject()).status()).isEqualTo(200);
    JsonObject inbound = new JsonObject().put("event", "inbound_message").put("from", "+4915112346999").put("text", "hi");
    for (String eventId : List.of("wamid.m1", "wamid.m1", "wamid.m2")) { // the repeat is a duplicate: no event
      Http.Res res = hub.http.post("/instances/metrics-ev/simulate", t.key(), inbound.copy().put("eventId", eventId));
      assertThat(res.status()).as(res.body()).isLessThan(300);
    }

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String after = scrape();
      assertThat(delta(before, after, "message.queued")).isEqualTo(3);
      assertThat(delta(before, after, "message.cancelled")).isEqualTo(1);
      assertThat(delta(before, after, "message.received")).isEqualTo(2);
    });
    assertThat(hub.sql.count("SELECT count(*) FROM events WHERE instance_id = 'metrics-ev' AND type IN "
        + "('message.queued', 'message.cancelled', 'message.received')")).isEqualTo(6);
  }

  private static double delta(String before, String after, String type) {
    String label = "type=\"" + type + "\"";
    // a type not written yet has no series before
    boolean existed = before.lines().anyMatch(l -> l.startsWith("wahub_events_written_total{") && l.contains(label));
    double was = existed ? value(before, "wahub_events_written_total", label) : 0;
    return value(after, "wahub_events_written_total", label) - was;
  }

  private static JsonObject status(String instance) {
    return hub.http.get("/instances/" + instance + "/status", shop.key()).json();
  }

  private static long sentSoFar() {
    return hub.sql.count("SELECT count(*) FROM messages WHERE instance_id = 'metrics-1' AND status = 'sent'");
  }

  private static String scrape() {
    Http.Res res = hub.http.get("/metrics", KEY);
    assertThat(res.status()).isEqualTo(200);
    return res.body();
  }

  /** The value of the one sample of {@code name} whose labels contain all of {@code labels}; fails if none. */
  static double value(String exposition, String name, String... labels) {
    Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})? ([^ ]+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(exposition);
    List<Double> found = new ArrayList<>();
    while (m.find()) {
      String set = m.group(1) == null ? "" : m.group(1);
      boolean all = true;
      for (String l : labels) {
        all &= set.contains(l);
      }
      if (all) {
        found.add(Double.parseDouble(m.group(2)));
      }
    }
    assertThat(found).as("one sample of %s with %s", name, List.of(labels)).hasSize(1);
    return found.get(0);
  }

  /**
   * Pipes the exposition to {@code promtool check metrics}. Without promtool the check is skipped on
   * a developer's machine, but fails in CI (CI=true), where .ci/run installs it.
   */
  static void promtool(String exposition, String label) throws IOException, InterruptedException {
    Path saved = Path.of("target", "metrics-" + label + ".txt");
    Files.createDirectories(saved.getParent());
    Files.writeString(saved, exposition);
    ProcessBuilder pb = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true);
    Process p;
    try {
      p = pb.start();
    } catch (IOException missing) {
      if (System.getenv("CI") != null) {
        throw new AssertionError("promtool is missing in CI (Debian package prometheus; .ci/run installs it)", missing);
      }
      Assumptions.abort("promtool not installed (apt-get install prometheus); skipped outside CI");
      return;
    }
    try (var in = p.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics on %s:%n%s", saved, out).isZero();
  }
}
