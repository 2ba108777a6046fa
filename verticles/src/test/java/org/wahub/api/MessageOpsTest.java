package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wahub.Addresses;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead-letter management over real HTTP and a real PostgreSQL: POST /messages/:id/retry,
 * POST /messages/:id/cancel, DELETE /messages/:id and the bulk POST /messages/retry.
 *
 * <p>Messages are created through the API with a sendAt a month ahead, so a running send loop never
 * picks them up; the statuses the delivery side would set are then written with direct SQL that
 * respects the schema's CHECKs (sending has a lease, terminal statuses are finalized).
 */
@ExtendWith(VertxExtension.class)
class MessageOpsTest {

  static final List<String> ALL_STATUSES =
      List.of("queued", "sending", "sent", "delivered", "read", "failed", "cancelled", "expired", "in_doubt");

  static Vertx vertx;
  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static TestHub.Tenant other;
  static final AtomicInteger seq = new AtomicInteger();

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    hub = TestHub.start(v);
    http = hub.http;
    shop = hub.tenant("ops-shop");
    other = hub.tenant("ops-other");
    hub.instance(shop, "ops", new JsonObject().put("maxQueueSize", 10_000));
    hub.instance(other, "ops-theirs", null);
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @AfterEach
  void queueDepthCounterStaysExact() {
    List<Map<String, Object>> rows = hub.sql.rows("SELECT i.id, i.queue_depth, (SELECT count(*) FROM messages m "
        + "WHERE m.instance_id = i.id AND m.status IN ('queued', 'sending')) AS pending FROM instances i");
    assertThat(rows).allSatisfy(r -> assertThat(((Number) r.get("queue_depth")).longValue())
        .as("queue_depth of " + r.get("id")).isEqualTo(((Number) r.get("pending")).longValue()));
  }

  // ---- helpers

  /** Accepts a message through the API (due in a month, so no send loop touches it) and returns its id. */
  static String create(TestHub.Tenant tenant, String instance) {
    int n = seq.incrementAndGet();
    Http.Res res = http.post("/instances/" + instance + "/messages", tenant.key(),
        new JsonObject().put("to", "+4915112345678").put("text", "ops message " + n)
            .put("sendAt", Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString()),
        Map.of("Idempotency-Key", "ops-test-" + n));
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    return res.json().getString("id");
  }

  static String create(String instance) {
    return create(shop, instance);
  }

  /** Moves a message to a status the way the delivery side would, respecting the CHECK constraints. */
  static void force(String id, String status) {
    String set = switch (status) {
      case "queued" -> "status = 'queued', finalized_at = NULL, lease_owner = NULL, lease_until = NULL";
      case "sending" -> "status = 'sending', attempts = attempts + 1, fence = fence + 1, lease_owner = 'test-node', "
          + "lease_until = now() + interval '1 hour', finalized_at = NULL";
      case "sent" -> "status = 'sent', attempts = 1, provider_message_id = 'prov-' || id, sent_at = now(), finalized_at = now()";
      case "delivered" -> "status = 'delivered', attempts = 1, provider_message_id = 'prov-' || id, sent_at = now(), "
          + "delivered_at = now(), finalized_at = now()";
      case "read" -> "status = 'read', attempts = 1, provider_message_id = 'prov-' || id, sent_at = now(), "
          + "delivered_at = now(), read_at = now(), finalized_at = now()";
      case "failed" -> "status = 'failed', attempts = 5, last_error_code = 'provider_error', "
          + "last_error = 'provider answered 500', finalized_at = now()";
      case "cancelled" -> "status = 'cancelled', finalized_at = now()";
      case "expired" -> "status = 'expired', last_error_code = 'expired', finalized_at = now()";
      case "in_doubt" -> "status = 'in_doubt', attempts = 1, last_error_code = 'interrupted', "
          + "last_error = 'outcome unknown', finalized_at = now()";
      default -> throw new IllegalArgumentException(status);
    };
    int n = hub.sql.update("UPDATE messages SET " + set + ", updated_at = now() - interval '1 minute' WHERE id = ?::uuid", id);
    assertThat(n).isEqualTo(1);
  }

  static Map<String, Object> row(String id) {
    List<Map<String, Object>> rows = hub.sql.rows("SELECT status, attempts, next_attempt_at, finalized_at, lease_owner, "
        + "lease_until, last_error_code, last_error, updated_at, (SELECT count(*) FROM message_events e "
        + "WHERE e.message_id = m.id) AS events FROM messages m WHERE id = ?::uuid", id);
    return rows.isEmpty() ? null : rows.get(0);
  }

  static List<Map<String, Object>> events(String id, String kind) {
    return hub.sql.rows("SELECT kind, from_status, to_status, attempt, detail, instance_id FROM message_events "
        + "WHERE message_id = ?::uuid AND kind = ? ORDER BY id", id, kind);
  }

  static Http.Res retry(String id, String key) {
    return http.send("POST", "/messages/" + id + "/retry", key, null, null, Map.of());
  }

  static Http.Res cancel(String id, String key) {
    return http.send("POST", "/messages/" + id + "/cancel", key, null, null, Map.of());
  }

  static Http.Res bulk(JsonObject body) {
    return http.post("/messages/retry", shop.key(), body);
  }

  static long depth(String instance) {
    return hub.sql.count("SELECT queue_depth FROM instances WHERE id = ?", instance);
  }

  static void assertProblem(Http.Res res, int status, String code) {
    assertThat(res.status()).as(res.body()).isEqualTo(status);
    assertThat(res.header("Content-Type")).startsWith("application/problem+json");
    assertThat(res.json().getString("code")).isEqualTo(code);
  }

  static JsonObject lastHistory(JsonObject message) {
    JsonArray history = message.getJsonArray("history");
    return history.getJsonObject(history.size() - 1);
  }

  /**
   * Sends {@code n} requests while a test transaction holds the instance row, so they really
   * overlap: each starts its statement with the same snapshot and piles up on the row locks; once at
   * least four wait (the hub's pool has 8 connections and a 3 s acquire timeout), all go at once.
   */
  static List<Http.Res> overlapped(String instance, String statementPrefix, int n, Supplier<CompletableFuture<Http.Res>> call) {
    List<CompletableFuture<Http.Res>> calls = new ArrayList<>();
    try (Connection blocker = DriverManager.getConnection(hub.hub.database().jdbcUrl(), "postgres", "")) {
      blocker.setAutoCommit(false);
      try (PreparedStatement st = blocker.prepareStatement("SELECT id FROM instances WHERE id = ? FOR UPDATE")) {
        st.setString(1, instance);
        st.executeQuery().close();
      }
      for (int i = 0; i < n; i++) {
        calls.add(call.get());
      }
      await().atMost(2, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> hub.sql.count(
          "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wa-hub' AND wait_event_type = 'Lock' "
              + "AND query LIKE ?", statementPrefix + "%") >= 4);
      Thread.sleep(100);
      blocker.commit();
    } catch (java.sql.SQLException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return calls.stream().map(CompletableFuture::join).toList();
  }

  // ---- the matrix: every operation from every status

  static Stream<Arguments> everyStatus() {
    return ALL_STATUSES.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "retry from {0}")
  @MethodSource("everyStatus")
  void retryFromEveryStatus(String status) {
    String id = create("ops");
    force(id, status);
    Map<String, Object> before = row(id);
    Http.Res res = retry(id, shop.key());
    if (Set.of("failed", "in_doubt").contains(status)) {
      assertThat(res.status()).as(res.body()).isEqualTo(200);
      JsonObject m = res.json();
      assertThat(m.getString("id")).isEqualTo(id);
      assertThat(m.getString("status")).isEqualTo("queued");
      assertThat(m.getInteger("attempts")).isZero();
      assertThat(m.getString("nextAttemptAt")).isNull();
      assertThat(m.getString("finalizedAt")).isNull();
      // the last error stays for the record
      assertThat(m.getJsonObject("lastError").getString("code")).isEqualTo(before.get("last_error_code"));
      JsonObject last = lastHistory(m);
      assertThat(last.getString("event")).isEqualTo("manual_retry");
      assertThat(last.getString("from")).isEqualTo(status);
      assertThat(last.getString("to")).isEqualTo("queued");
      assertThat(last.getInteger("attempt")).isEqualTo(((Number) before.get("attempts")).intValue());
      Map<String, Object> after = row(id);
      assertThat(after.get("status")).isEqualTo("queued");
      assertThat(after.get("attempts")).isEqualTo(0);
      assertThat(after.get("finalized_at")).isNull();
      assertThat(after.get("lease_until")).isNull();
      assertThat(after.get("lease_owner")).isNull();
      assertThat(after.get("next_attempt_at")).isNull();
      assertThat(after.get("last_error")).isEqualTo(before.get("last_error"));
      assertThat(after.get("updated_at")).isNotEqualTo(before.get("updated_at"));
      assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE id = ?::uuid AND updated_at > now() - interval '50 seconds'", id))
          .isEqualTo(1);
      assertThat(events(id, "manual_retry")).hasSize(1);
      assertThat(events(id, "manual_retry").get(0)).containsEntry("instance_id", "ops");
      // GET shows the same history
      assertThat(lastHistory(http.get("/messages/" + id, shop.key()).json()).getString("event")).isEqualTo("manual_retry");
    } else {
      assertProblem(res, 409, "illegal_transition");
      assertThat(res.json().getString("detail")).contains("is " + status).contains("failed or in_doubt");
      assertThat(row(id)).isEqualTo(before);
    }
  }

  @ParameterizedTest(name = "cancel from {0}")
  @MethodSource("everyStatus")
  void cancelFromEveryStatus(String status) {
    String id = create("ops");
    force(id, status);
    Map<String, Object> before = row(id);
    Http.Res res = cancel(id, shop.key());
    if (Set.of("queued", "failed", "in_doubt").contains(status)) {
      assertThat(res.status()).as(res.body()).isEqualTo(200);
      JsonObject m = res.json();
      assertThat(m.getString("status")).isEqualTo("cancelled");
      assertThat(m.getString("finalizedAt")).isNotNull();
      JsonObject last = lastHistory(m);
      assertThat(last.getString("event")).isEqualTo("cancelled");
      assertThat(last.getString("from")).isEqualTo(status);
      assertThat(last.getString("to")).isEqualTo("cancelled");
      Map<String, Object> after = row(id);
      assertThat(after.get("status")).isEqualTo("cancelled");
      assertThat(after.get("finalized_at")).isNotNull();
      assertThat(events(id, "cancelled")).hasSize(1);
      assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE id = ?::uuid AND updated_at > now() - interval '50 seconds'", id))
          .isEqualTo(1);
    } else if (status.equals("sending")) {
      assertProblem(res, 409, "message_in_flight");
      assertThat(res.json().getString("detail")).contains("being sent right now");
      assertThat(row(id)).isEqualTo(before);
    } else {
      assertProblem(res, 409, "illegal_transition");
      assertThat(res.json().getString("detail")).contains("is " + status).contains("queued, failed or in_doubt");
      assertThat(row(id)).isEqualTo(before);
    }
  }

  @ParameterizedTest(name = "delete from {0}")
  @MethodSource("everyStatus")
  void deleteFromEveryStatus(String status) {
    String id = create("ops");
    force(id, status);
    hub.sql.update("INSERT INTO message_events (message_id, instance_id, kind, from_status, to_status) "
        + "VALUES (?::uuid, 'ops', 'test', 'queued', ?)", id, status);
    Map<String, Object> before = row(id);
    Http.Res res = http.delete("/messages/" + id, shop.key());
    if (Set.of("queued", "sending").contains(status)) {
      assertProblem(res, 409, "message_pending");
      assertThat(res.json().getString("detail")).contains("cancel it first");
      assertThat(row(id)).isEqualTo(before);
    } else {
      assertThat(res.status()).as(res.body()).isEqualTo(204);
      assertThat(res.body()).isEmpty();
      assertThat(row(id)).isNull();
      assertThat(hub.sql.count("SELECT count(*) FROM message_events WHERE message_id = ?::uuid", id)).isZero();
      assertProblem(http.get("/messages/" + id, shop.key()), 404, "not_found");
      assertProblem(http.delete("/messages/" + id, shop.key()), 404, "not_found");
    }
  }

  // ---- scoping

  @Test
  void anotherTenantsUnknownAndMalformedIdsAre404AndChangeNothing() {
    String mine = create("ops");
    force(mine, "failed");
    Map<String, Object> before = row(mine);
    assertProblem(retry(mine, other.key()), 404, "not_found");
    assertProblem(cancel(mine, other.key()), 404, "not_found");
    assertProblem(http.delete("/messages/" + mine, other.key()), 404, "not_found");
    assertThat(row(mine)).isEqualTo(before);
    for (String bad : List.of("not-a-uuid", "00000000-0000-0000-0000-000000000000", "1234",
        mine.toUpperCase().replace('-', 'x'), mine + "0")) {
      assertProblem(retry(bad, shop.key()), 404, "not_found");
      assertProblem(cancel(bad, shop.key()), 404, "not_found");
      assertProblem(http.delete("/messages/" + bad, shop.key()), 404, "not_found");
    }
    // the admin key manages tenants only; no key at all is a 401
    assertProblem(retry(mine, TestHub.ADMIN_KEY), 403, "forbidden");
    assertProblem(retry(mine, null), 401, "unauthorized");
    assertProblem(http.post("/messages/retry", other.key(), new JsonObject().put("instance", "ops")), 404, "not_found");
    assertThat(row(mine)).isEqualTo(before);
    // an upper-case UUID is the same id
    assertThat(retry(mine.toUpperCase(), shop.key()).status()).isEqualTo(200);
  }

  // ---- bodies

  @Test
  void retryAndCancelTakeAnOptionalBodyWithAReason() {
    String a = create("ops");
    force(a, "failed");
    assertThat(http.post("/messages/" + a + "/retry", shop.key(), new JsonObject()).status()).isEqualTo(200);
    String b = create("ops");
    force(b, "in_doubt");
    Http.Res withReason = http.post("/messages/" + b + "/retry", shop.key(), new JsonObject().put("reason", "customer confirmed"));
    assertThat(withReason.status()).isEqualTo(200);
    assertThat(lastHistory(withReason.json()).getString("detail")).isEqualTo("retried via API: customer confirmed");
    Http.Res cancelled = http.post("/messages/" + b + "/cancel", shop.key(), new JsonObject().put("reason", "order withdrawn"));
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(lastHistory(cancelled.json()).getString("detail")).isEqualTo("cancelled via API: order withdrawn");

    String c = create("ops");
    force(c, "failed");
    Map<String, Object> before = row(c);
    for (String op : List.of("retry", "cancel")) {
      String path = "/messages/" + c + "/" + op;
      Http.Res unknown = http.post(path, shop.key(), new JsonObject().put("force", true));
      assertProblem(unknown, 400, "validation_failed");
      assertThat(unknown.json().getJsonArray("errors").getJsonObject(0).getString("pointer")).isEqualTo("/force");
      Http.Res badReason = http.post(path, shop.key(), new JsonObject().put("reason", 7));
      assertProblem(badReason, 400, "validation_failed");
      assertThat(badReason.json().getJsonArray("errors").getJsonObject(0).getString("pointer")).isEqualTo("/reason");
      assertProblem(http.send("POST", path, shop.key(), "{\"reason\":", "application/json", Map.of()), 400, "malformed_json");
      assertProblem(http.send("POST", path, shop.key(), "[1]", "application/json", Map.of()), 400, "malformed_json");
      assertProblem(http.send("POST", path, shop.key(), "reason=x", "application/x-www-form-urlencoded", Map.of()),
          415, "unsupported_media_type");
      assertProblem(http.send("POST", path, shop.key(), "{}", null, Map.of()), 415, "unsupported_media_type");
    }
    assertThat(row(c)).isEqualTo(before);
  }

  static Stream<Arguments> invalidBulkBodies() {
    return Stream.of(
        Arguments.of(new JsonObject(), "/instance", "required"),
        Arguments.of(new JsonObject().put("instance", 5), "/instance", "invalid_type"),
        Arguments.of(new JsonObject().put("instance", "../etc"), "/instance", "invalid_format"),
        Arguments.of(new JsonObject().put("instance", "ops").put("status", "sent"), "/status", "invalid_value"),
        Arguments.of(new JsonObject().put("instance", "ops").put("status", "FAILED"), "/status", "invalid_value"),
        Arguments.of(new JsonObject().put("instance", "ops").put("status", 1), "/status", "invalid_type"),
        Arguments.of(new JsonObject().put("instance", "ops").put("before", "yesterday"), "/before", "invalid_format"),
        Arguments.of(new JsonObject().put("instance", "ops").put("before", "2026-01-01T00:00:00"), "/before", "invalid_format"),
        Arguments.of(new JsonObject().put("instance", "ops").put("limit", 0), "/limit", "out_of_range"),
        Arguments.of(new JsonObject().put("instance", "ops").put("limit", 1001), "/limit", "out_of_range"),
        Arguments.of(new JsonObject().put("instance", "ops").put("limit", 2.5), "/limit", "invalid_type"),
        Arguments.of(new JsonObject().put("instance", "ops").put("limit", "10"), "/limit", "invalid_type"),
        Arguments.of(new JsonObject().put("instance", "ops").put("statuses", List.of("failed")), "/statuses", "unknown_field"));
  }

  @ParameterizedTest
  @MethodSource("invalidBulkBodies")
  void bulkRetryRejectsBadBodiesWithTheFieldNamed(JsonObject body, String pointer, String code) {
    String id = create("ops");
    force(id, "failed");
    Http.Res res = bulk(body);
    assertProblem(res, 400, "validation_failed");
    assertThat(res.json().getJsonArray("errors").stream().map(e -> (JsonObject) e))
        .anySatisfy(e -> {
          assertThat(e.getString("pointer")).isEqualTo(pointer);
          assertThat(e.getString("code")).isEqualTo(code);
        });
    assertThat(row(id).get("status")).isEqualTo("failed");
  }

  @Test
  void bulkRetryNeedsAJsonBodyAndAKnownInstance() {
    assertProblem(http.send("POST", "/messages/retry", shop.key(), null, null, Map.of()), 400, "malformed_json");
    assertProblem(http.send("POST", "/messages/retry", shop.key(), "{\"instance\":", "application/json", Map.of()),
        400, "malformed_json");
    assertProblem(http.send("POST", "/messages/retry", shop.key(), "instance=ops", "text/plain", Map.of()),
        415, "unsupported_media_type");
    assertProblem(bulk(new JsonObject().put("instance", "nope")), 404, "not_found");
    assertProblem(bulk(new JsonObject().put("instance", "ops-theirs")), 404, "not_found");
    assertProblem(http.post("/messages/retry", TestHub.ADMIN_KEY, new JsonObject().put("instance", "ops")), 403, "forbidden");
  }

  // ---- queue cap

  @Test
  void retryOnAFullInstanceIs429AndChangesNothing() {
    hub.instance(shop, "tiny", new JsonObject().put("maxQueueSize", 2).put("limits", new JsonObject().put("perMinute", 4)));
    String a = create("tiny");
    String b = create("tiny");
    force(a, "failed");
    String c = create("tiny");
    assertThat(depth("tiny")).isEqualTo(2);
    Map<String, Object> before = row(a);

    Http.Res full = retry(a, shop.key());
    assertProblem(full, 429, "queue_full");
    assertThat(full.header("Retry-After")).isEqualTo("15");
    assertThat(row(a)).isEqualTo(before);
    assertThat(events(a, "manual_retry")).isEmpty();
    assertThat(depth("tiny")).isEqualTo(2);

    // the bulk form retries nothing and says what is left
    Http.Res bulkFull = bulk(new JsonObject().put("instance", "tiny"));
    assertThat(bulkFull.status()).isEqualTo(200);
    assertThat(bulkFull.json()).isEqualTo(new JsonObject().put("retried", 0).put("remaining", 1).put("ids", new JsonArray()));
    assertThat(row(a)).isEqualTo(before);

    // cancelling a queued message frees a slot; now the retry fits
    assertThat(cancel(c, shop.key()).status()).isEqualTo(200);
    assertThat(depth("tiny")).isEqualTo(1);
    assertThat(retry(a, shop.key()).status()).isEqualTo(200);
    assertThat(depth("tiny")).isEqualTo(2);
    assertThat(row(b).get("status")).isEqualTo("queued");
  }

  @Test
  void retryAfterFollowsThePerMinuteLimit() {
    hub.instance(shop, "unpaced", new JsonObject().put("maxQueueSize", 1).put("limits", new JsonObject().put("perMinute", 0)));
    String a = create("unpaced");
    force(a, "failed");
    create("unpaced");
    Http.Res full = retry(a, shop.key());
    assertProblem(full, 429, "queue_full");
    assertThat(full.header("Retry-After")).isEqualTo("60");
    hub.instance(shop, "fast", new JsonObject().put("maxQueueSize", 1).put("limits", new JsonObject().put("perMinute", 7)));
    String f = create("fast");
    force(f, "in_doubt");
    create("fast");
    assertThat(retry(f, shop.key()).header("Retry-After")).isEqualTo("9");
  }

  // ---- bulk

  @Test
  void bulkRetryTakesTheOldestUpToLimitAndCapAndHonoursBefore() {
    hub.instance(shop, "bulk", new JsonObject().put("maxQueueSize", 100));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ids.add(create("bulk"));
    }
    // m0..m5 failed, finalized 10h..5h ago (m0 oldest); m6, m7 in doubt; m5 failed later than the cutoff
    for (int i = 0; i < 6; i++) {
      force(ids.get(i), "failed");
      hub.sql.update("UPDATE messages SET finalized_at = now() - (? * interval '1 hour') WHERE id = ?::uuid", 10 - i, ids.get(i));
    }
    force(ids.get(6), "in_doubt");
    force(ids.get(7), "in_doubt");
    assertThat(http.patch("/instances/bulk", shop.key(), new JsonObject().put("maxQueueSize", 4)).status()).isEqualTo(200);
    assertThat(depth("bulk")).isZero();

    AtomicInteger wakes = new AtomicInteger();
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(Addresses.instanceWake("bulk"), m -> wakes.incrementAndGet());
    await().until(() -> consumer.isRegistered());
    try {
      // limit: the two oldest
      Http.Res first = bulk(new JsonObject().put("instance", "bulk").put("limit", 2));
      assertThat(first.status()).as(first.body()).isEqualTo(200);
      assertThat(first.json()).isEqualTo(new JsonObject().put("retried", 2).put("remaining", 4)
          .put("ids", new JsonArray().add(ids.get(0)).add(ids.get(1))));
      assertThat(depth("bulk")).isEqualTo(2);
      await().atMost(5, TimeUnit.SECONDS).until(() -> wakes.get() >= 1);

      // before: only those finalized before the cutoff (m2, m3, m4 qualify; the cap leaves room for two)
      String cutoff = Instant.now().minus(Duration.ofMinutes(5 * 60 + 30)).toString();
      Http.Res second = bulk(new JsonObject().put("instance", "bulk").put("before", cutoff).put("limit", 1000));
      assertThat(second.json()).isEqualTo(new JsonObject().put("retried", 2).put("remaining", 1)
          .put("ids", new JsonArray().add(ids.get(2)).add(ids.get(3))));
      assertThat(depth("bulk")).isEqualTo(4);

      // full: nothing retried, no wake
      Http.Res third = bulk(new JsonObject().put("instance", "bulk"));
      assertThat(third.json()).isEqualTo(new JsonObject().put("retried", 0).put("remaining", 2).put("ids", new JsonArray()));
      Http.Res doubts = bulk(new JsonObject().put("instance", "bulk").put("status", "in_doubt"));
      assertThat(doubts.json()).isEqualTo(new JsonObject().put("retried", 0).put("remaining", 2).put("ids", new JsonArray()));

      // a freed slot takes the oldest in-doubt one
      assertThat(cancel(ids.get(0), shop.key()).status()).isEqualTo(200);
      // cancelling a queued message wakes the loop too (it may have held its chat back)
      await().atMost(5, TimeUnit.SECONDS).until(() -> wakes.get() >= 2);
      int before = wakes.get();
      Http.Res fourth = bulk(new JsonObject().put("instance", "bulk").put("status", "in_doubt"));
      assertThat(fourth.json()).isEqualTo(new JsonObject().put("retried", 1).put("remaining", 1)
          .put("ids", new JsonArray().add(ids.get(6))));
      await().atMost(5, TimeUnit.SECONDS).until(() -> wakes.get() > before);

      // statuses and audit rows
      for (int i : new int[] {1, 2, 3}) {
        assertThat(row(ids.get(i)).get("status")).isEqualTo("queued");
        List<Map<String, Object>> ev = events(ids.get(i), "manual_retry");
        assertThat(ev).hasSize(1);
        assertThat(ev.get(0)).containsEntry("from_status", "failed").containsEntry("to_status", "queued")
            .containsEntry("attempt", 5).containsEntry("detail", "retried via API (bulk)");
      }
      assertThat(row(ids.get(6)).get("status")).isEqualTo("queued");
      assertThat(events(ids.get(6), "manual_retry").get(0)).containsEntry("from_status", "in_doubt");
      assertThat(row(ids.get(4)).get("status")).isEqualTo("failed");
      assertThat(row(ids.get(5)).get("status")).isEqualTo("failed");
      assertThat(row(ids.get(7)).get("status")).isEqualTo("in_doubt");
      assertThat(events(ids.get(4), "manual_retry")).isEmpty();
      JsonObject shown = http.get("/messages/" + ids.get(2), shop.key()).json();
      assertThat(lastHistory(shown).getString("event")).isEqualTo("manual_retry");
      assertThat(lastHistory(shown).getString("from")).isEqualTo("failed");
    } finally {
      consumer.unregister();
    }
  }

  // ---- wake

  @Test
  void aRetryWakesItsInstance() throws Exception {
    hub.instance(shop, "waker", null);
    String id = create("waker");
    force(id, "failed");
    AtomicInteger wakes = new AtomicInteger();
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(Addresses.instanceWake("waker"), m -> wakes.incrementAndGet());
    await().until(() -> consumer.isRegistered());
    try {
      Thread.sleep(200); // let any wake of the intake pass by
      wakes.set(0);
      assertThat(retry(id, shop.key()).status()).isEqualTo(200);
      await().atMost(5, TimeUnit.SECONDS).until(() -> wakes.get() == 1);
      // a refused retry wakes nobody
      assertThat(retry(id, shop.key()).status()).isEqualTo(409);
      Thread.sleep(200);
      assertThat(wakes.get()).isEqualTo(1);
    } finally {
      consumer.unregister();
    }
  }

  // ---- races

  @Test
  void twentyConcurrentRetriesOfOneMessageMakeOneChange() {
    hub.instance(shop, "race", null);
    String id = create("race");
    force(id, "failed");
    List<Http.Res> answers = overlapped("race", "WITH target AS MATERIALIZED", 20,
        () -> http.sendAsync("POST", "/messages/" + id + "/retry", shop.key(), null, null, Map.of()));
    assertThat(answers.stream().filter(r -> r.status() == 200)).hasSize(1);
    List<Http.Res> refused = answers.stream().filter(r -> r.status() != 200).toList();
    assertThat(refused).hasSize(19).allSatisfy(r -> assertProblem(r, 409, "illegal_transition"));
    assertThat(events(id, "manual_retry")).hasSize(1);
    assertThat(row(id).get("status")).isEqualTo("queued");
  }

  @Test
  void concurrentRetriesAndCancelsOfOneMessageLeaveOneConsistentOutcome() {
    String id = create("ops");
    force(id, "failed");
    List<CompletableFuture<Http.Res>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(http.sendAsync("POST", "/messages/" + id + (i % 2 == 0 ? "/retry" : "/cancel"), shop.key(), null, null, Map.of()));
    }
    List<Http.Res> answers = calls.stream().map(CompletableFuture::join).toList();
    assertThat(answers).allSatisfy(r -> assertThat(r.status()).isIn(200, 409));
    long retried = events(id, "manual_retry").size();
    long cancelled = events(id, "cancelled").size();
    // failed -> queued -> cancelled is a legal path; cancelled is final; a retry never follows a cancel
    assertThat(cancelled).isEqualTo(1);
    assertThat(retried).isLessThanOrEqualTo(1);
    assertThat(answers.stream().filter(r -> r.status() == 200).count()).isEqualTo(retried + cancelled);
    assertThat(row(id).get("status")).isEqualTo("cancelled");
  }

  @Test
  void twentyConcurrentDeletesOfOneMessageMakeOne204() {
    String id = create("ops");
    force(id, "sent");
    List<CompletableFuture<Http.Res>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(http.sendAsync("DELETE", "/messages/" + id, shop.key(), null, null, Map.of()));
    }
    List<Http.Res> answers = calls.stream().map(CompletableFuture::join).toList();
    assertThat(answers.stream().filter(r -> r.status() == 204)).hasSize(1);
    assertThat(answers.stream().filter(r -> r.status() == 404)).hasSize(19);
  }

  @Test
  void concurrentBulkRetriesNeverExceedTheCap() {
    hub.instance(shop, "bulkrace", new JsonObject().put("maxQueueSize", 100));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(create("bulkrace"));
    }
    for (String id : ids) {
      force(id, "failed");
    }
    assertThat(http.patch("/instances/bulkrace", shop.key(), new JsonObject().put("maxQueueSize", 12)).status()).isEqualTo(200);
    List<Http.Res> answers = overlapped("bulkrace", "WITH picked AS MATERIALIZED", 8,
        () -> http.postAsync("/messages/retry", shop.key(), new JsonObject().put("instance", "bulkrace").put("limit", 5), Map.of()));
    assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
    int total = answers.stream().mapToInt(r -> r.json().getInteger("retried")).sum();
    assertThat(total).isEqualTo(12);
    assertThat(depth("bulkrace")).isEqualTo(12);
    assertThat(hub.sql.count("SELECT count(*) FROM message_events e JOIN messages m ON m.id = e.message_id "
        + "WHERE m.instance_id = 'bulkrace' AND e.kind = 'manual_retry'")).isEqualTo(12);
    // the oldest twelve, by accept order
    assertThat(hub.sql.rows("SELECT id::text AS id FROM messages WHERE instance_id = 'bulkrace' AND status = 'queued' ORDER BY seq")
        .stream().map(r -> r.get("id")).toList()).isEqualTo(List.copyOf(ids.subList(0, 12)));
  }

  // ---- delete frees the idempotency key

  @Test
  void deletingAMessageFreesItsIdempotencyKey() {
    JsonObject body = new JsonObject().put("to", "+4915112345679").put("text", "free me")
        .put("sendAt", Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString());
    Http.Res first = http.post("/instances/ops/messages", shop.key(), body, Map.of("Idempotency-Key", "free-me-1"));
    assertThat(first.status()).isEqualTo(202);
    String id = first.json().getString("id");
    force(id, "failed");
    Http.Res replay = http.post("/instances/ops/messages", shop.key(), body, Map.of("Idempotency-Key", "free-me-1"));
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.json().getString("id")).isEqualTo(id);

    assertThat(http.delete("/messages/" + id, shop.key()).status()).isEqualTo(204);
    Http.Res again = http.post("/instances/ops/messages", shop.key(), body, Map.of("Idempotency-Key", "free-me-1"));
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.header("Idempotent-Replayed")).isNull();
    assertThat(again.json().getString("id")).isNotEqualTo(id);
  }
}
