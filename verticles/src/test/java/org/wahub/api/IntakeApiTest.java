package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wahub.Addresses;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(VertxExtension.class)
class IntakeApiTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static TestHub.Tenant other;
  static final AtomicInteger wakes = new AtomicInteger();

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx);
    http = hub.http;
    shop = hub.tenant("intake-shop");
    other = hub.tenant("intake-other");
    hub.instance(shop, "main", new JsonObject().put("maxQueueSize", 100_000));
    hub.instance(other, "theirs", null);
    vertx.eventBus().consumer(Addresses.instanceWake("main"), m -> wakes.incrementAndGet());
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static JsonObject text(String to, String text) {
    return new JsonObject().put("to", to).put("text", text);
  }

  long rows() {
    return hub.sql.count("SELECT count(*) FROM messages");
  }

  @Test
  void acceptAnswers202OnlyAfterTheRowIsCommitted() {
    int wakesBefore = wakes.get();
    Http.Res res = http.post("/instances/main/messages", shop.key(), text("+4915112345678", "Order 1001"),
        Map.of("Idempotency-Key", "order:shop1:1001:confirm:v1"));
    assertThat(res.status()).isEqualTo(202);
    JsonObject body = res.json();
    assertThat(body.getString("status")).isEqualTo("queued");
    assertThat(body.getString("instanceId")).isEqualTo("main");
    assertThat(body.getString("idempotencyKey")).isEqualTo("order:shop1:1001:confirm:v1");
    assertThat(res.header("Location")).isEqualTo("/messages/" + body.getString("id"));
    // time-ordered ids (UUIDv7) keep the primary-key index append-only; minted in this millisecond range
    java.util.UUID id = java.util.UUID.fromString(body.getString("id"));
    assertThat(id.version()).isEqualTo(7);
    assertThat(org.wahub.hub.message.MessageIds.unixMillis(id))
        .isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());
    // committed by the time the 202 arrived (read from a separate connection)
    List<Map<String, Object>> row = hub.sql.rows(
        "SELECT status, chat_id, kind, queue_depth FROM messages m JOIN instances i ON i.id = m.instance_id WHERE m.id = ?::uuid",
        body.getString("id"));
    assertThat(row).hasSize(1);
    assertThat(row.get(0)).containsEntry("status", "queued").containsEntry("chat_id", "4915112345678@c.us")
        .containsEntry("kind", "text");
    JsonArray history = http.get("/messages/" + body.getString("id"), shop.key()).json().getJsonArray("history");
    assertThat(history).hasSize(1);
    assertThat(history.getJsonObject(0).getString("event")).isEqualTo("accepted");
    await().until(() -> wakes.get() > wakesBefore);

    // replay while pending: same id, marked as a replay, no new row
    long before = rows();
    Http.Res replay = http.post("/instances/main/messages", shop.key(), text("+4915112345678", "Order 1001"),
        Map.of("Idempotency-Key", "order:shop1:1001:confirm:v1"));
    assertThat(replay.status()).isEqualTo(202);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.json().getString("id")).isEqualTo(body.getString("id"));
    assertThat(rows()).isEqualTo(before);

    // the key in the body works the same way as the header
    Http.Res bodyKey = http.post("/instances/main/messages", shop.key(),
        text("+4915112345678", "Order 1001").put("idempotencyKey", "order:shop1:1001:confirm:v1"));
    assertThat(bodyKey.json().getString("id")).isEqualTo(body.getString("id"));

    // same key, different payload: 422, nothing written
    Http.Res conflict = http.post("/instances/main/messages", shop.key(), text("+4915112345678", "Order 1002"),
        Map.of("Idempotency-Key", "order:shop1:1001:confirm:v1"));
    assertThat(conflict.status()).isEqualTo(422);
    assertThat(conflict.json().getString("code")).isEqualTo("idempotency_key_reused");
    assertThat(rows()).isEqualTo(before);
  }

  @Test
  void fiftyConcurrentIdenticalRequestsMakeOneRow() {
    List<CompletableFuture<Http.Res>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(http.postAsync("/instances/main/messages", shop.key(), text("+4915112340000", "same"),
          Map.of("Idempotency-Key", "concurrent-explicit-1")));
    }
    List<Http.Res> answers = calls.stream().map(CompletableFuture::join).toList();
    assertThat(answers).allSatisfy(r -> assertThat(r.status()).isEqualTo(202));
    Set<String> ids = answers.stream().map(r -> r.json().getString("id")).collect(Collectors.toSet());
    assertThat(ids).hasSize(1);
    assertThat(answers.stream().filter(r -> r.header("Idempotent-Replayed") == null).count()).isEqualTo(1);
    assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE idempotency_key = 'concurrent-explicit-1'")).isEqualTo(1);
  }

  @Test
  void fiftyConcurrentIdenticalRequestsWithoutKeyMakeOneRowWithADerivedKey() {
    List<CompletableFuture<Http.Res>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      // same content, fields in a different order on every other request
      JsonObject body = i % 2 == 0 ? text("+4915112349999", "derived please")
          : new JsonObject().put("text", "derived please").put("to", "+4915112349999");
      calls.add(http.postAsync("/instances/main/messages", shop.key(), body, Map.of()));
    }
    List<Http.Res> answers = calls.stream().map(CompletableFuture::join).toList();
    assertThat(answers).allSatisfy(r -> assertThat(r.status()).isEqualTo(202));
    Set<String> ids = answers.stream().map(r -> r.json().getString("id")).collect(Collectors.toSet());
    assertThat(ids).hasSize(1);
    String key = answers.get(0).json().getString("idempotencyKey");
    assertThat(key).startsWith("auto:");
    assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE idempotency_key = ? AND key_derived", key)).isEqualTo(1);
    // a different text is a different derived key, hence a new message
    Http.Res otherText = http.post("/instances/main/messages", shop.key(), text("+4915112349999", "something else"));
    assertThat(otherText.status()).isEqualTo(202);
    assertThat(otherText.json().getString("id")).isNotIn(ids);
  }

  @Test
  void pollsAreAccepted() {
    Http.Res res = http.post("/instances/main/polls", shop.key(), new JsonObject().put("to", "+4915112345678")
        .put("question", "Confirm order 1001?").put("options", new JsonArray().add("Yes").add("No")),
        Map.of("Idempotency-Key", "order:shop1:1001:confirmPoll:v1"));
    assertThat(res.status()).isEqualTo(202);
    List<Map<String, Object>> row = hub.sql.rows("SELECT kind, payload::text AS payload FROM messages WHERE id = ?::uuid",
        res.json().getString("id"));
    assertThat(row.get(0)).containsEntry("kind", "poll");
    assertThat((String) row.get(0).get("payload")).contains("Confirm order 1001?").contains("Yes");
  }

  static Stream<Arguments> invalidMessages() {
    return Stream.of(
        Arguments.of(new JsonObject().put("text", "no recipient"), "/to"),
        Arguments.of(text("12345", "hi"), "/to"),
        Arguments.of(text("+49 not a number", "hi"), "/to"),
        Arguments.of(new JsonObject().put("to", 4915112345678L).put("text", "hi"), "/to"),
        Arguments.of(new JsonObject().put("to", "+4915112345678"), ""),
        Arguments.of(text("+4915112345678", "x".repeat(4097)), "/text"),
        Arguments.of(text("+4915112345678", "hi").put("txt", "typo"), "/txt"),
        Arguments.of(text("+4915112345678", "hi").put("text", 42), "/text"),
        Arguments.of(text("+4915112345678", "hi").put("sendAt", "tomorrow"), "/sendAt"),
        Arguments.of(text("+4915112345678", "hi").put("expiresAt", "2001-01-01T00:00:00Z"), "/expiresAt"),
        Arguments.of(text("+4915112345678", "hi").put("sendAt", java.time.Instant.now().plus(java.time.Duration.ofDays(2)).toString())
            .put("expiresAt", java.time.Instant.now().plus(java.time.Duration.ofDays(1)).toString()), "/expiresAt"),
        Arguments.of(text("+4915112345678", "hi").put("sendAt", java.time.Instant.now().plus(java.time.Duration.ofDays(400)).toString()), "/sendAt"),
        Arguments.of(text("+4915112345678", "hi").put("metadata", "not-an-object"), "/metadata"),
        Arguments.of(text("+4915112345678", "hi").put("idempotencyKey", ""), "/idempotencyKey"),
        Arguments.of(text("+4915112345678", "hi").put("idempotencyKey", "x".repeat(256)), "/idempotencyKey"),
        Arguments.of(text("+4915112345678", "hi").put("idempotencyKey", "auto:mine"), "/idempotencyKey"),
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("media",
            new JsonObject().put("url", "file:///etc/passwd").put("mimetype", "image/png")), "/media/url"),
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("media",
            new JsonObject().put("url", "https://x.test/a.png").put("mimetype", "nonsense")), "/media/mimetype"),
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("location",
            new JsonObject().put("latitude", 91).put("longitude", 0)), "/location/latitude"),
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("text", "a")
            .put("media", new JsonObject().put("url", "https://x.test/a.png").put("mimetype", "image/png")), ""));
  }

  @ParameterizedTest
  @MethodSource("invalidMessages")
  void everyValidationRuleIs400WithTheFieldNamed(JsonObject body, String pointer) {
    long before = rows();
    Http.Res res = http.post("/instances/main/messages", shop.key(), body);
    assertThat(res.status()).as(res.body()).isEqualTo(400);
    assertThat(res.header("Content-Type")).startsWith("application/problem+json");
    JsonObject problem = res.json();
    assertThat(problem.getString("code")).isEqualTo("validation_failed");
    List<String> pointers = problem.getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("pointer")).toList();
    assertThat(pointers).anySatisfy(p -> assertThat(p).startsWith(pointer));
    assertThat(rows()).isEqualTo(before);
  }

  static Stream<Arguments> invalidPolls() {
    JsonArray two = new JsonArray().add("Yes").add("No");
    JsonArray thirteen = new JsonArray();
    for (int i = 0; i < 13; i++) {
      thirteen.add("option " + i);
    }
    return Stream.of(
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("options", two), "/question"),
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("question", "q".repeat(256)).put("options", two), "/question"),
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("question", "q").put("options", new JsonArray().add("only")), "/options"),
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("question", "q").put("options", thirteen), "/options"),
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("question", "q").put("options", new JsonArray().add("Yes").add("yes ")), "/options/1"),
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("question", "q").put("options", new JsonArray().add("Yes").add("o".repeat(101))), "/options/1"),
        Arguments.of(new JsonObject().put("to", "+4915112345678").put("question", "q").put("options", two).put("multipleAnswers", "yes"), "/multipleAnswers"));
  }

  @ParameterizedTest
  @MethodSource("invalidPolls")
  void everyPollRuleIs400WithTheFieldNamed(JsonObject body, String pointer) {
    long before = rows();
    Http.Res res = http.post("/instances/main/polls", shop.key(), body);
    assertThat(res.status()).as(res.body()).isEqualTo(400);
    List<String> pointers = res.json().getJsonArray("errors").stream()
        .map(e -> ((JsonObject) e).getString("pointer")).toList();
    assertThat(pointers).contains(pointer);
    assertThat(rows()).isEqualTo(before);
  }

  @Test
  void malformedAndHostileRequestsWriteNothing() {
    long before = rows();
    String path = "/instances/main/messages";
    Http.Res malformed = http.send("POST", path, shop.key(), "{\"to\": \"+4915112345678\", \"text\": ", "application/json", Map.of());
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().getString("code")).isEqualTo("malformed_json");
    assertThat(http.send("POST", path, shop.key(), "[1,2,3]", "application/json", Map.of()).status()).isEqualTo(400);
    assertThat(http.send("POST", path, shop.key(), "\"just a string\"", "application/json", Map.of()).status()).isEqualTo(400);
    assertThat(http.send("POST", path, shop.key(), "", "application/json", Map.of()).status()).isEqualTo(400);

    Http.Res wrongType = http.send("POST", path, shop.key(), "to=+4915112345678&text=hi", "application/x-www-form-urlencoded", Map.of());
    assertThat(wrongType.status()).isEqualTo(415);
    assertThat(wrongType.json().getString("code")).isEqualTo("unsupported_media_type");
    assertThat(http.send("POST", path, shop.key(), text("+4915112345678", "hi").encode(), null, Map.of()).status()).isEqualTo(415);

    Http.Res huge = http.post(path, shop.key(), text("+4915112345678", "x".repeat(70_000)));
    assertThat(huge.status()).isEqualTo(413);
    assertThat(huge.header("Content-Type")).startsWith("application/problem+json");

    String deep = "[".repeat(5000) + "]".repeat(5000);
    assertThat(http.send("POST", path, shop.key(), "{\"to\":\"+4915112345678\",\"text\":\"a\",\"metadata\":{\"x\":" + deep + "}}",
        "application/json", Map.of()).status()).isEqualTo(400);

    // NUL and lone surrogates cannot be stored by PostgreSQL: a 400, not a 500
    assertThat(http.send("POST", path, shop.key(), "{\"to\":\"+4915112345678\",\"text\":\"a\\u0000b\"}", "application/json", Map.of())
        .status()).isEqualTo(400);
    assertThat(http.send("POST", path, shop.key(), "{\"to\":\"+4915112345678\",\"text\":\"a\\ud800b\"}", "application/json", Map.of())
        .status()).isEqualTo(400);
    byte[] invalidUtf8 = "{\"to\":\"+4915112345678\",\"text\":\"\u00ff\u00fe\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(http.sendAsync("POST", path, shop.key(), invalidUtf8, "application/json", Map.of()).join().status()).isEqualTo(400);

    // overlong UTF-8 (C0 AF is a disguised '/'), a member twice, a deciding header twice: refused, not guessed
    byte[] overlong = "{\"to\":\"+4915112345678\",\"text\":\"a\u00c0\u00afb\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(http.sendAsync("POST", path, shop.key(), overlong, "application/json", Map.of()).join().status()).isEqualTo(400);
    Http.Res twice = http.send("POST", path, shop.key(), "{\"to\":\"+4915112345678\",\"text\":\"a\",\"text\":\"b\"}",
        "application/json", Map.of());
    assertThat(twice.status()).isEqualTo(400);
    assertThat(twice.json().getString("code")).isEqualTo("malformed_json");
    // 1e999 is JSON, but no double holds it: most readers of the stored payload would see Infinity
    assertThat(http.send("POST", path, shop.key(), "{\"to\":\"+4915112345678\",\"text\":\"a\",\"metadata\":{\"n\":1e999}}",
        "application/json", Map.of()).status()).isEqualTo(400);
    Http.Res trailing = http.send("POST", path, shop.key(), "{\"to\":\"+4915112345678\",\"text\":\"a\"} {}",
        "application/json", Map.of());
    assertThat(trailing.status()).isEqualTo(400);
    // NUL and other control characters in a path or query never reach the database (a 404/400, not a 500)
    assertThat(http.get("/instances/main%00/status", shop.key()).status()).isEqualTo(404);
    assertThat(http.get("/messages/%00", shop.key()).status()).isEqualTo(404);
    assertThat(http.get("/instances?after=a%00b", shop.key()).status()).isEqualTo(400);
    assertThat(http.get("/tenants/ten%00x", TestHub.ADMIN_KEY).status()).isEqualTo(404);
    // a dot segment is not resolved to another resource: GET /messages/.. is not the dashboard at /
    for (String dots : List.of("/messages/..", "/messages/%2e%2E", "/instances/main/messages/../../..", "/instances/./main/status")) {
      Http.Res res = http.get(dots, shop.key());
      assertThat(res.status()).as(dots).isEqualTo(404);
      assertThat(res.header("Content-Type")).as(dots).startsWith("application/problem+json");
    }
    assertThat(http.post("/instances/main/messages/..", shop.key(), text("+4915112345678", "hi")).status()).isEqualTo(404);

    Http.Res noAuth = http.post(path, null, text("+4915112345678", "hi"));
    assertThat(noAuth.status()).isEqualTo(401);
    assertThat(http.post(path, "wah_revoked-or-never-existed-key", text("+4915112345678", "hi")).status()).isEqualTo(401);
    assertThat(http.post("/instances/theirs/messages", shop.key(), text("+4915112345678", "hi")).status()).isEqualTo(404);
    assertThat(http.post("/instances/nope/messages", shop.key(), text("+4915112345678", "hi")).status()).isEqualTo(404);
    assertThat(http.post("/instances/..%2F..%2Fetc/messages", shop.key(), text("+4915112345678", "hi")).status()).isEqualTo(404);
    assertThat(http.post("/instances/main/messages", TestHub.ADMIN_KEY, text("+4915112345678", "hi")).status()).isEqualTo(403);
    assertThat(rows()).isEqualTo(before);
  }

  @Test
  void aDecidingHeaderTwiceIsRefused() throws Exception {
    // java.net.http merges nothing: two header lines go out as two
    var client = java.net.http.HttpClient.newHttpClient();
    for (String header : List.of("Authorization", "Content-Type", "Idempotency-Key")) {
      var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + hub.port + "/instances/main/messages"))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(text("+4915112345678", "dup header").encode()));
      b.header("Authorization", "Bearer " + shop.key()).header("Content-Type", "application/json").header("Idempotency-Key", "dup-h");
      b.header(header, header.equals("Authorization") ? "Bearer " + other.key() : header.equals("Content-Type") ? "text/plain" : "dup-h2");
      var res = client.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).as(header).isEqualTo(400);
      assertThat(new JsonObject(res.body()).getString("code")).isEqualTo("duplicate_header");
    }
    assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE idempotency_key LIKE 'dup-h%'")).isZero();
  }

  @Test
  void alreadySentKeyAnswers200WithTheMessage() {
    Http.Res first = http.post("/instances/main/messages", shop.key(), text("+4915112345670", "done already"),
        Map.of("Idempotency-Key", "sent-before"));
    String id = first.json().getString("id");
    // the delivery side would do this; here it is set directly
    hub.sql.update("UPDATE messages SET status = 'sent', sent_at = now(), finalized_at = now(), lease_until = NULL "
        + "WHERE id = ?::uuid", id);
    Http.Res again = http.post("/instances/main/messages", shop.key(), text("+4915112345670", "done already"),
        Map.of("Idempotency-Key", "sent-before"));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("id")).isEqualTo(id);
    assertThat(again.json().getString("status")).isEqualTo("sent");
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
  }

  @Test
  void keysAreScopedPerTenant() {
    hub.instance(other, "theirs-2", null);
    Http.Res mine = http.post("/instances/main/messages", shop.key(), text("+4915112345671", "k"), Map.of("Idempotency-Key", "shared-key"));
    Http.Res theirs = http.post("/instances/theirs-2/messages", other.key(), text("+4915112345671", "k"), Map.of("Idempotency-Key", "shared-key"));
    assertThat(mine.status()).isEqualTo(202);
    assertThat(theirs.status()).isEqualTo(202);
    assertThat(theirs.json().getString("id")).isNotEqualTo(mine.json().getString("id"));
    // the same key for another instance of the same tenant is a different request
    hub.instance(shop, "second", null);
    Http.Res otherInstance = http.post("/instances/second/messages", shop.key(), text("+4915112345671", "k"),
        Map.of("Idempotency-Key", "shared-key"));
    assertThat(otherInstance.status()).isEqualTo(422);
  }

  @Test
  void queueCapHoldsUnderConcurrentPosts() {
    hub.instance(shop, "capped", new JsonObject().put("maxQueueSize", 200).put("limits", new JsonObject().put("perMinute", 6)));
    List<CompletableFuture<Http.Res>> calls = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      calls.add(http.postAsync("/instances/capped/messages", shop.key(), text("+4915112345678", "n" + i),
          Map.of("Idempotency-Key", "cap-" + i)));
    }
    List<Http.Res> answers = calls.stream().map(CompletableFuture::join).toList();
    long accepted = answers.stream().filter(r -> r.status() == 202).count();
    List<Http.Res> rejected = answers.stream().filter(r -> r.status() == 429).toList();
    assertThat(accepted).isEqualTo(200);
    assertThat(rejected).hasSize(100);
    assertThat(rejected).allSatisfy(r -> {
      assertThat(r.header("Retry-After")).isEqualTo("10");
      assertThat(r.json().getString("code")).isEqualTo("queue_full");
    });
    assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE instance_id = 'capped'")).isEqualTo(200);
    assertThat(hub.sql.count("SELECT queue_depth FROM instances WHERE id = 'capped'")).isEqualTo(200);
    // a replay of an accepted key is still answered while the queue is full
    String acceptedKey = answers.stream().filter(r -> r.status() == 202).findFirst().orElseThrow().json().getString("idempotencyKey");
    int n = Integer.parseInt(acceptedKey.substring(4));
    Http.Res replay = http.post("/instances/capped/messages", shop.key(), text("+4915112345678", "n" + n),
        Map.of("Idempotency-Key", acceptedKey));
    assertThat(replay.status()).isEqualTo(202);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
  }

  @Test
  void queueDepthCounterFollowsStatusChanges() {
    hub.instance(shop, "counted", null);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(http.post("/instances/counted/messages", shop.key(), text("+4915112345678", "c" + i)).json().getString("id"));
    }
    assertThat(hub.sql.count("SELECT queue_depth FROM instances WHERE id = 'counted'")).isEqualTo(5);
    hub.sql.update("UPDATE messages SET status = 'cancelled', finalized_at = now() WHERE id = ?::uuid", ids.get(0));
    hub.sql.update("DELETE FROM messages WHERE id = ?::uuid", ids.get(1));
    assertThat(hub.sql.count("SELECT queue_depth FROM instances WHERE id = 'counted'")).isEqualTo(3);
    assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE instance_id = 'counted' AND status IN ('queued', 'sending')"))
        .isEqualTo(3);
  }
}
