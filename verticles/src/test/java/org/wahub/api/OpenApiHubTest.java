package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;
import org.wahub.support.WebhookReceiver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The document against a real hub: the (method, path) pairs the Vert.x router serves are exactly
 * the document's operations, each with the access the route table declares, so a route added
 * without documentation (or documentation of a route that is gone) fails the build; real answers
 * validate against the document's response schemas; and {@code GET /openapi.json} serves it with an
 * ETag.
 */
@ExtendWith(VertxExtension.class)
class OpenApiHubTest {

  /**
   * Documented but not served yet (none now): routes a branch adds in parallel may be listed here, marked
   * {@code x-wahub-pending} in the document. Whoever merges a branch that mounts one deletes its
   * line here and its mark in openapi.json (the test insists both agree). Nothing else may be missing.
   */
  static final Set<String> DOCUMENTED_NOT_YET_SERVED = Set.of();

  static TestHub hub;
  static TestHub.Tenant shop;
  static JsonObject doc;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of());
    shop = hub.tenant("openapi-shop");
    doc = OpenApiDoc.json();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static String key(Object method, String vertxPath) {
    return method + " " + OpenApiDoc.openApiPath(vertxPath);
  }

  /**
   * Every request-body example of the document, sent to the real hub as a client would: the hub's
   * own validation must take it (no 400/422, no 5xx; a 404 or 409 about ids the example names is
   * not a validation answer). Path parameters are real ids made here; URLs in examples are pointed
   * at loopback, the only egress the test hub allows.
   */
  @Test
  void everyRequestExamplePassesTheHubsOwnValidation() {
    TestHub.Tenant t = hub.tenant("openapi-examples");
    hub.instance(t, "oa-ex", new JsonObject().put("provider", new JsonObject().put("type", "simulator")
        .put("startState", "NEEDS_QR")));
    String message = hub.http.post("/instances/oa-ex/messages", t.key(), new JsonObject().put("to", "+4915112345678")
        .put("text", "example target")).json().getString("id");
    hub.sql.update("UPDATE messages SET status = 'failed', attempts = 1, last_error_code = 'provider_error', "
        + "last_error = 'x', finalized_at = now() WHERE id = ?::uuid", message);
    String webhook = hub.http.post("/webhooks", t.key(), new JsonObject().put("url", "http://127.0.0.1:9/hook")
        .put("eventTypes", new io.vertx.core.json.JsonArray().add("message.sent"))).json().getString("id");
    Map<String, String> ids = Map.of("{tenantId}", t.id(), "{instanceId}", "oa-ex", "{messageId}", message,
        "{webhookId}", webhook);
    List<String> refused = new java.util.ArrayList<>();
    int sent = 0;
    for (OpenApiDoc.Operation o : OpenApiDoc.operations(doc)) {
      JsonObject media = o.op().getJsonObject("requestBody", new JsonObject()).getJsonObject("content", new JsonObject())
          .getJsonObject("application/json");
      String access = o.op().getString("x-wahub-access");
      if (media == null || !("ADMIN".equals(access) || "TENANT".equals(access))) {
        continue;
      }
      List<Object> examples = new java.util.ArrayList<>();
      if (media.containsKey("example")) {
        examples.add(media.getValue("example"));
      }
      media.getJsonObject("examples", new JsonObject()).forEach(e -> examples.add(((JsonObject) e.getValue()).getValue("value")));
      for (Object example : examples) {
        String path = o.path();
        for (Map.Entry<String, String> id : ids.entrySet()) {
          path = path.replace(id.getKey(), id.getValue());
        }
        String body = ((JsonObject) example).encode()
            .replaceAll("\"(url|baseUrl)\":\"https?://[^\"]*\"", "\"$1\":\"http://127.0.0.1:9/x\"");
        String key = "ADMIN".equals(access) ? TestHub.ADMIN_KEY : t.key();
        Http.Res res = hub.http.send(o.method(), path, key, body, "application/json", Map.of());
        // an earlier example (PATCH) redeploys oa-ex: its 503 + Retry-After says "again in a moment"
        for (int i = 0; i < 50 && res.status() == 503 && res.body().contains("instance_not_running"); i++) {
          org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(100)).until(() -> true);
          res = hub.http.send(o.method(), path, key, body, "application/json", Map.of());
        }
        sent++;
        if (res.status() == 400 || res.status() == 422 || res.status() >= 500) {
          refused.add(o.key() + " " + body + " -> " + res.status() + " " + res.body());
        }
      }
    }
    assertThat(refused).isEmpty();
    assertThat(sent).as("examples sent").isGreaterThanOrEqualTo(16);
  }

  @Test
  void theRouterServesExactlyTheDocumentedRoutes() {
    List<ApiRoutes.Served> served = hub.hub.servedRoutes();
    assertThat(served).as("routes walked from the Vert.x router").isNotEmpty();
    List<String> anyMethod = served.stream().filter(r -> r.method() == null).map(ApiRoutes.Served::path).toList();
    assertThat(anyMethod).as("a route with a path must name its method (the document lists methods)").isEmpty();

    Set<String> routes = served.stream().map(r -> key(r.method(), r.path())).collect(Collectors.toCollection(TreeSet::new));
    Set<String> documented = new TreeSet<>(OpenApiDoc.byKey(doc).keySet());
    assertThat(routes.size()).as("no route is mounted twice").isEqualTo(served.size());
    assertThat(routes.size()).isGreaterThan(40);

    Set<String> undocumented = new TreeSet<>(routes);
    undocumented.removeAll(documented);
    assertThat(undocumented).as("served but not in openapi.json").isEmpty();
    Set<String> notServed = new TreeSet<>(documented);
    notServed.removeAll(routes);
    assertThat(notServed).as("in openapi.json but not served (only the explicit allow-list may be)")
        .isEqualTo(new TreeSet<>(DOCUMENTED_NOT_YET_SERVED));

    Set<String> marked = OpenApiDoc.operations(doc).stream().filter(o -> o.op().containsKey("x-wahub-pending"))
        .map(OpenApiDoc.Operation::key).collect(Collectors.toCollection(TreeSet::new));
    assertThat(marked).as("operations marked x-wahub-pending are exactly the allow-list")
        .isEqualTo(new TreeSet<>(DOCUMENTED_NOT_YET_SERVED));
  }

  @Test
  void theRouteTableAndTheDocumentAgreeOnAccess() {
    Map<String, OpenApiDoc.Operation> ops = OpenApiDoc.byKey(doc);
    List<ApiRoutes.Entry> table = hub.hub.routeTable();
    assertThat(table).isNotEmpty();
    // the table is what the router serves (RouteAccessTest checks each entry's access is enforced)
    assertThat(table.stream().map(e -> key(e.method(), e.path())).collect(Collectors.toSet()))
        .isEqualTo(hub.hub.servedRoutes().stream().map(r -> key(r.method(), r.path())).collect(Collectors.toSet()));
    List<String> wrong = new ArrayList<>();
    for (ApiRoutes.Entry e : table) {
      OpenApiDoc.Operation op = ops.get(key(e.method(), e.path()));
      if (op != null && !e.access().name().equals(op.op().getString("x-wahub-access"))) {
        wrong.add(key(e.method(), e.path()) + ": route " + e.access() + ", document " + op.op().getString("x-wahub-access"));
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void servesTheDocumentWithAnEtag() {
    Http.Res res = hub.http.get("/openapi.json", null);
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.header("Content-Type")).isEqualTo("application/json");
    assertThat(res.json()).isEqualTo(doc);
    String etag = res.header("ETag");
    assertThat(etag).matches("\"[0-9a-f]{32}\"");
    assertThat(res.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(res.header("X-Request-Id")).isNotBlank();

    Http.Res again = hub.http.send("GET", "/openapi.json", null, null, null, Map.of("If-None-Match", etag));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(again.header("ETag")).isEqualTo(etag);
    assertThat(hub.http.send("GET", "/openapi.json", null, null, null, Map.of("If-None-Match", "\"other\", W/" + etag))
        .status()).as("a weak match in a list").isEqualTo(304);
    assertThat(hub.http.send("GET", "/openapi.json", null, null, null, Map.of("If-None-Match", "\"other\"")).status())
        .isEqualTo(200);
    // public: a key of any kind, or none, gets the same document
    assertThat(hub.http.get("/openapi.json", shop.key()).status()).isEqualTo(200);
  }

  @Test
  void realAnswersValidateAgainstTheDocument() throws Exception {
    List<String> problems = new ArrayList<>();
    String key = shop.key();

    // admin: a tenant (its 201 carries the key's token)
    Http.Res tenant = hub.http.post("/tenants", TestHub.ADMIN_KEY, new JsonObject().put("name", "openapi-other").put("keyLabel", "ci"));
    check(problems, "POST", "/tenants", tenant);
    check(problems, "GET", "/tenants/:tenantId", hub.http.get("/tenants/" + tenant.json().getString("id"), TestHub.ADMIN_KEY));

    // instances
    Http.Res created = hub.http.post("/instances", key, new JsonObject().put("id", "oa-1").put("name", "OpenAPI 1")
        .put("provider", new JsonObject().put("type", "simulator").put("startState", "NEEDS_QR").put("seed", 7))
        .put("limits", new JsonObject().put("perMinute", 10)));
    check(problems, "POST", "/instances", created);
    Http.Res adapter = hub.http.post("/instances", key, new JsonObject().put("id", "oa-adapter")
        .put("provider", new JsonObject().put("type", "adapter")));
    check(problems, "POST", "/instances", adapter);
    assertThat(adapter.json().getJsonObject("provider").getString("token")).isNotBlank();
    check(problems, "GET", "/instances/:instanceId", hub.http.get("/instances/oa-1", key));
    check(problems, "GET", "/instances", hub.http.get("/instances?limit=1", key));

    // intake: 202, then a replay, then problems
    Http.Res accepted = hub.http.post("/instances/oa-1/messages", key,
        new JsonObject().put("to", "+4915112345678").put("text", "hello").put("metadata", new JsonObject().put("order", 1)),
        Map.of("Idempotency-Key", "openapi-1"));
    assertThat(accepted.status()).isEqualTo(202);
    check(problems, "POST", "/instances/:instanceId/messages", accepted);
    check(problems, "POST", "/instances/:instanceId/messages", hub.http.post("/instances/oa-1/messages", key,
        new JsonObject().put("to", "+4915112345678").put("text", "hello").put("metadata", new JsonObject().put("order", 1)),
        Map.of("Idempotency-Key", "openapi-1")));
    Http.Res poll = hub.http.post("/instances/oa-1/polls", key,
        new JsonObject().put("to", "+4915112345678").put("question", "Slot?").put("options", new io.vertx.core.json.JsonArray().add("AM").add("PM")));
    check(problems, "POST", "/instances/:instanceId/polls", poll);
    Http.Res invalid = hub.http.post("/instances/oa-1/messages", key, new JsonObject().put("to", "12").put("txt", "typo"));
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.json().getJsonArray("errors")).isNotEmpty();
    check(problems, "POST", "/instances/:instanceId/messages", invalid);
    Http.Res reused = hub.http.post("/instances/oa-1/messages", key, new JsonObject().put("to", "+4915112345678").put("text", "other"),
        Map.of("Idempotency-Key", "openapi-1"));
    assertThat(reused.status()).isEqualTo(422);
    check(problems, "POST", "/instances/:instanceId/messages", reused);
    check(problems, "POST", "/instances/:instanceId/messages", hub.http.send("POST", "/instances/oa-1/messages", key,
        "to=x", "text/plain", Map.of()));

    // messages
    String id = accepted.json().getString("id");
    check(problems, "GET", "/messages/:messageId", hub.http.get("/messages/" + id, key));
    check(problems, "GET", "/messages", hub.http.get("/messages?instance=oa-1", key));
    check(problems, "POST", "/messages/:messageId/cancel", hub.http.post("/messages/" + id + "/cancel", key,
        new JsonObject().put("reason", "openapi")));
    check(problems, "POST", "/messages/:messageId/cancel", hub.http.post("/messages/" + id + "/cancel", key, null));
    check(problems, "GET", "/messages/:messageId", hub.http.get("/messages/00000000-0000-0000-0000-000000000000", key));

    // instance operations
    check(problems, "GET", "/instances/:instanceId/status", hub.http.get("/instances/oa-1/status", key));
    check(problems, "GET", "/instances/:instanceId/qr", hub.http.get("/instances/oa-1/qr", key));
    check(problems, "GET", "/instances/:instanceId/simulate/log", hub.http.get("/instances/oa-1/simulate/log", key));

    // inbound: a received message in the list, a vote in the poll's results
    check(problems, "POST", "/instances/:instanceId/simulate", hub.http.post("/instances/oa-1/simulate", key,
        new JsonObject().put("event", "inbound_message").put("from", "+4915112345679").put("text", "Is my order on its way?")));
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
        !hub.http.get("/instances/oa-1/inbound", key).json().getJsonArray("items").isEmpty());
    check(problems, "GET", "/instances/:instanceId/inbound", hub.http.get("/instances/oa-1/inbound?limit=5", key));
    check(problems, "GET", "/instances/:instanceId/inbound", hub.http.get("/instances/oa-1/inbound?after=nope", key));
    String pollId = poll.json().getString("id");
    // oa-1 waits for a QR scan: the poll is marked sent the way the delivery side would mark it
    String pollProviderId = "sim-openapi-poll";
    assertThat(hub.sql.update("UPDATE messages SET status = 'sent', attempts = 1, provider_message_id = ?, sent_at = now(), "
        + "finalized_at = now() WHERE id = ?::uuid", pollProviderId, pollId)).isEqualTo(1);
    check(problems, "POST", "/instances/:instanceId/simulate", hub.http.post("/instances/oa-1/simulate", key,
        new JsonObject().put("event", "poll_vote").put("providerMessageId", pollProviderId).put("voter", "+4915112345679")
            .put("options", new io.vertx.core.json.JsonArray().add("PM"))));
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
        hub.http.get("/messages/" + pollId, key).json().getJsonObject("poll", new JsonObject()).getInteger("voters", 0) == 1);
    check(problems, "GET", "/messages/:messageId", hub.http.get("/messages/" + pollId, key));

    // webhooks
    try (WebhookReceiver receiver = WebhookReceiver.up(hub.vertx)) {
      Http.Res webhook = hub.http.post("/webhooks", key, new JsonObject().put("url", receiver.url())
          .put("eventTypes", new io.vertx.core.json.JsonArray().add("message.*")).put("instanceId", "oa-1"));
      assertThat(webhook.status()).isEqualTo(201);
      check(problems, "POST", "/webhooks", webhook);
      String wh = webhook.json().getString("id");
      check(problems, "GET", "/webhooks/:webhookId", hub.http.get("/webhooks/" + wh, key));
      check(problems, "POST", "/webhooks/:webhookId/test", hub.http.post("/webhooks/" + wh + "/test", key, null));
      check(problems, "GET", "/webhooks/:webhookId/deliveries", hub.http.get("/webhooks/" + wh + "/deliveries", key));
      check(problems, "POST", "/webhooks", hub.http.post("/webhooks", key, new JsonObject().put("url", "ftp://x")));
    }

    // credentials, probes
    check(problems, "GET", "/instances/:instanceId", hub.http.get("/instances/oa-1", null));
    check(problems, "GET", "/instances/:instanceId", hub.http.get("/instances/oa-1", TestHub.ADMIN_KEY));
    check(problems, "GET", "/health/live", hub.http.get("/health/live", null));
    check(problems, "GET", "/health/ready", hub.http.get("/health/ready", null));

    assertThat(problems).isEmpty();
  }

  private static void check(List<String> problems, String method, String vertxPath, Http.Res res) {
    problems.addAll(OpenApiDoc.check(doc, method, vertxPath, res.status(), res.header("Content-Type"), res.body()));
  }
}
