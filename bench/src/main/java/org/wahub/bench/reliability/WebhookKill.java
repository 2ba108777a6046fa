package org.wahub.bench.reliability;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.wahub.bench.HubProcess;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Issue 14's harness case: a receiver that is always up gets the hub's webhooks while clients post
 * and the hub is SIGKILLed mid-delivery. Afterwards, from the database (the outbox and the delivery
 * rows) and the receiver's log: every sent message has exactly one {@code message.sent} event; every
 * outbox event the endpoint asked for reached the receiver at least once, correctly signed (checked
 * with this class's own HMAC, written from the Standard Webhooks text); the receiver's log has no
 * gap (nothing subscribed is missing) and, per message, {@code message.queued} arrived before
 * {@code message.sent} for the first time. Redeliveries after a kill are allowed (at-least-once) and
 * counted.
 */
final class WebhookKill implements Scenario {

  @Override
  public String name() {
    return "webhook-kill9";
  }

  @Override
  public String title() {
    return "kill -9 while webhooks are delivered: every event at least once, signed, in order per message, no gap";
  }

  /** One request the receiver got. */
  private record Got(String webhookId, String type, String messageId, boolean verified, long atNanos) {
  }

  @Override
  public void run(Context ctx, ScenarioResult r) throws Exception {
    Settings s = ctx.settings;
    Log log = ctx.log.scenario(name());
    Vertx vertx = Vertx.vertx();
    ctx.closeLater(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    List<Got> got = new CopyOnWriteArrayList<>();
    Map<String, String> secret = new ConcurrentHashMap<>();
    HttpServer receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String id = req.getHeader("webhook-id");
      boolean ok = verify(secret.get("whsec"), id, req.getHeader("webhook-timestamp"), body.toString(StandardCharsets.UTF_8),
          req.getHeader("webhook-signature"));
      JsonObject json = new JsonObject(body);
      JsonObject data = json.getJsonObject("data", new JsonObject());
      got.add(new Got(id, json.getString("type"), data.getString("messageId"), ok, System.nanoTime()));
      req.response().setStatusCode(204).end();
    }));
    int port = receiver.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();

    HubProcess hub = ctx.startHub(name(), Map.of("HUB_OUTBOUND_ALLOW", "127.0.0.1/32", "HUB_OUTBOUND_ALLOW_ONLY", "true"), r, log);
    Api api = new Api(hub.base());
    String key = api.createTenant(HubProcess.ADMIN_KEY, "rel-webhook-" + s.seed);
    List<InstanceSpec> specs = List.of(InstanceSpec.of("wh-1", true, 5, 0, 600, 100_000, 1_000_000, 0, 0, s.seed),
        InstanceSpec.of("wh-2", false, 5, 0, 600, 100_000, 1_000_000, 0, 0, s.seed + 1));
    ctx.createInstances(api, key, specs);
    JsonObject hook = api.ok("POST", "/webhooks", key, new JsonObject().put("url", "http://127.0.0.1:" + port + "/hook")
        .put("eventTypes", new JsonArray().add("message.queued").add("message.sent").add("message.in_doubt")));
    secret.put("whsec", hook.getString("secret"));
    String webhookId = hook.getString("id");

    Ledger ledger = new Ledger();
    List<Long> restarts;
    try (Posters posters = new Posters(hub.httpPort(), key, List.of(new Posters.Target("wh-1", 1), new Posters.Target("wh-2", 1)),
        s.killClients, s.webhookRate, "wh-" + s.seed, ledger, s.seed, 10_000)) {
      posters.start();
      long cycleMs = Math.max(1000, s.webhookSeconds * 1000L / (s.webhookKills + 1));
      restarts = Context.killCycles(hub, s.webhookKills, cycleMs, r, log, () -> String.format("%,d webhooks received", got.size()));
      posters.stopPosting();
      if (!posters.awaitSettled(Duration.ofSeconds(60))) {
        r.violation(ScenarioResult.HANG, "clients still without a definitive answer 60 s after posting stopped");
      }
    }
    r.takeClientCounts(ledger);
    long drained = Audit.drain(api, key, specs, Duration.ofSeconds(s.drainDeadlineSeconds), log);
    r.drainMs = drained;
    if (drained < 0) {
      r.violation(ScenarioResult.NOT_DRAINED, "backlog not drained within " + s.drainDeadlineSeconds + " s");
    }
    r.takeAudit(Audit.reconcile(api, key, specs, ledger, s.timeScale, restarts));

    // every delivery the hub owes this endpoint has ended (or the deadline passes)
    String jdbc = hub.jdbcUrl();
    long deadline = System.nanoTime() + Duration.ofSeconds(s.drainDeadlineSeconds).toNanos();
    while (Context.count(jdbc, "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND status IN ('pending', 'sending')",
        webhookId) > 0 || Context.count(jdbc, "SELECT count(*) FROM events e WHERE e.tenant_id = (SELECT tenant_id FROM webhooks "
        + "WHERE id = ?) AND e.type IN ('message.queued', 'message.sent', 'message.in_doubt') AND NOT EXISTS (SELECT 1 FROM "
        + "webhook_deliveries d WHERE d.webhook_id = ? AND d.event_tx = e.tx AND d.event_seq = e.seq)", webhookId, webhookId) > 0) {
      if (System.nanoTime() > deadline) {
        r.violation(ScenarioResult.NOT_DRAINED, "webhook deliveries still open " + s.drainDeadlineSeconds + " s after the drain");
        break;
      }
      Thread.sleep(500);
    }

    // the outbox: one message.sent per sent message
    long sentMessages = Context.count(jdbc, "SELECT count(*) FROM messages WHERE instance_id IN ('wh-1', 'wh-2') "
        + "AND status IN ('sent', 'delivered', 'read')");
    List<String> sentEventsPerMessage = Context.strings(jdbc, "SELECT m.id, (SELECT count(*) FROM events e WHERE e.message_id = m.id "
        + "AND e.type = 'message.sent') AS n FROM messages m WHERE m.instance_id IN ('wh-1', 'wh-2') "
        + "AND m.status IN ('sent', 'delivered', 'read')");
    sentEventsPerMessage.stream().filter(line -> !line.endsWith("n=1"))
        .forEach(line -> r.violation(ScenarioResult.LOST, "a sent message without exactly one message.sent event: " + line));

    // the endpoint's deliveries (one per subscribed event) against what the receiver got
    List<String> deliveries = Context.strings(jdbc, "SELECT d.id, d.event_type, d.message_id, d.status FROM webhook_deliveries d "
        + "WHERE d.webhook_id = ? AND d.event_tx IS NOT NULL", webhookId);
    Map<String, List<Got>> byId = new HashMap<>();
    got.forEach(g -> byId.computeIfAbsent(g.webhookId(), k -> new ArrayList<>()).add(g));
    int missing = 0;
    for (String d : deliveries) {
      String id = field(d, "id");
      if (!byId.containsKey(id)) {
        missing++;
        r.violation(ScenarioResult.LOST, "an event the receiver never got (it was up all along): " + d);
      }
    }
    long unsigned = got.stream().filter(g -> !g.verified()).count();
    if (unsigned > 0) {
      r.violation(ScenarioResult.HARNESS, unsigned + " webhooks whose signature did not verify");
    }
    // per message: the first message.sent never before the first message.queued
    Map<String, Long> firstQueued = new HashMap<>();
    Map<String, Long> firstSent = new HashMap<>();
    for (Got g : got) {
      if ("message.queued".equals(g.type())) {
        firstQueued.merge(g.messageId(), g.atNanos(), Math::min);
      } else if ("message.sent".equals(g.type())) {
        firstSent.merge(g.messageId(), g.atNanos(), Math::min);
      }
    }
    int outOfOrder = 0;
    for (Map.Entry<String, Long> e : firstSent.entrySet()) {
      Long q = firstQueued.get(e.getKey());
      if (q == null || q > e.getValue()) {
        outOfOrder++;
        r.violation(ScenarioResult.CONTRADICTION, e.getKey() + ": message.sent reached the receiver before message.queued");
      }
    }
    Set<String> distinct = new HashSet<>(byId.keySet());
    if (deliveries.isEmpty() || sentMessages == 0) {
      r.violation(ScenarioResult.HARNESS, "nothing was checked: " + deliveries.size() + " deliveries, " + sentMessages + " sent messages");
    }
    r.metrics.put("outbox events delivered (distinct webhook-ids) / deliveries owed", distinct.size() + " / " + deliveries.size());
    r.metrics.put("requests received (incl. redeliveries after a kill)", got.size());
    r.metrics.put("sent messages, each with one message.sent event", sentMessages);
    r.metrics.put("missing at the receiver", missing);
    r.metrics.put("message.sent before message.queued", outOfOrder);
    r.metrics.put("hub log: ERROR lines", hub.logLines("\"level\":\"ERROR\"").size());
    log.line("webhooks: %,d deliveries owed, %,d distinct received (%,d requests), missing %d, out of order %d, unsigned %d",
        deliveries.size(), distinct.size(), got.size(), missing, outOfOrder, unsigned);
    hub.stop();
  }

  /** One {@code name=value} field of a {@link Context#strings} line. */
  private static String field(String line, String name) {
    for (String part : line.split(" ")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    return null;
  }

  /**
   * Standard Webhooks, from the spec's text: the key is the base64 after {@code whsec_}, the signed
   * content {@code id.timestamp.body}, the header a space-separated list of {@code v1,<base64>}.
   */
  static boolean verify(String whsec, String id, String timestamp, String body, String header) {
    if (whsec == null || id == null || timestamp == null || header == null) {
      return false;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(whsec.substring("whsec_".length())), "HmacSHA256"));
      byte[] expected = Base64.getEncoder().encode(mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
      for (String entry : header.split(" ")) {
        if (entry.startsWith("v1,") && MessageDigest.isEqual(expected, entry.substring(3).getBytes(StandardCharsets.US_ASCII))) {
          return true;
        }
      }
      return false;
    } catch (Exception e) {
      return false;
    }
  }
}
