package org.wahub.security;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Numbers PostgreSQL's numeric cannot hold are a 400 with a pointer, decided before the intake:
 * they never reach a group commit, so neighbours in the same batch are neither failed nor retried.
 */
@ExtendWith(VertxExtension.class)
class UnstorableNumberTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx);
    http = hub.http;
    shop = hub.tenant("numbers-shop");
    hub.instance(shop, "main", new JsonObject().put("maxQueueSize", 1000));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static Http.Res raw(String body) {
    return http.send("POST", "/instances/main/messages", shop.key(), body, "application/json", Map.of());
  }

  static void assertPointer(Http.Res res, String pointer) {
    assertThat(res.status()).as(res.body()).isEqualTo(400);
    assertThat(res.json().getString("code")).isEqualTo("validation_failed");
    assertThat(res.json().getJsonArray("errors")).hasSize(1);
    assertThat(res.json().getJsonArray("errors").getJsonObject(0).getString("pointer")).isEqualTo(pointer);
    assertThat(res.json().getJsonArray("errors").getJsonObject(0).getString("code")).isEqualTo("out_of_range");
  }

  @Test
  void anUnstorableNumberIsA400WithItsPointerAndItsNeighboursAreStoredOnce() {
    long before = hub.sql.count("SELECT count(*) FROM messages");
    List<CompletableFuture<Http.Res>> neighbours = new ArrayList<>();
    List<CompletableFuture<Http.Res>> bad = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      neighbours.add(http.postAsync("/instances/main/messages", shop.key(),
          new JsonObject().put("to", "+4915112345678").put("text", "ok " + i).put("idempotencyKey", "neighbour-" + i), Map.of()));
      if (i % 10 == 0) {
        bad.add(http.sendAsync("POST", "/instances/main/messages", shop.key(),
            ("{\"to\":\"+4915112345678\",\"text\":\"bad\",\"metadata\":{\"n\":1e-20000}}").getBytes(StandardCharsets.UTF_8),
            "application/json", Map.of()));
      }
    }
    bad.forEach(f -> assertPointer(f.join(), "/metadata/n"));
    neighbours.forEach(f -> assertThat(f.join().status()).isEqualTo(202));
    assertThat(hub.sql.count("SELECT count(*) FROM messages") - before).isEqualTo(50);
    for (int i = 0; i < 50; i++) {
      assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE idempotency_key = ?", "neighbour-" + i))
          .as("neighbour-" + i).isEqualTo(1);
    }
  }

  @Test
  void theLimitsAreThoseOfPostgres() {
    long before = hub.sql.count("SELECT count(*) FROM messages");
    // right at the limit: stored, exactly as written
    Http.Res atLimit = raw("{\"to\":\"+4915112345678\",\"text\":\"a\",\"idempotencyKey\":\"limit-1\",\"metadata\":{\"n\":1e-16383,\"z\":0e-16383}}");
    assertThat(atLimit.status()).as(atLimit.body()).isEqualTo(202);
    assertThat(hub.sql.count("SELECT count(*) FROM messages WHERE idempotency_key = 'limit-1' "
        + "AND metadata->'n' = '1e-16383'::jsonb AND scale((metadata->>'n')::numeric) = 16383")).isEqualTo(1);
    Http.Res tiny = raw("{\"to\":\"+4915112345678\",\"location\":{\"latitude\":1e-400,\"longitude\":13.4}}");
    assertThat(tiny.status()).as(tiny.body()).isEqualTo(202);
    assertThat(hub.sql.count("SELECT count(*) FROM messages") - before).isEqualTo(2);

    // one digit more, however spelled: refused with the pointer, nothing stored
    assertPointer(raw("{\"to\":\"+4915112345678\",\"text\":\"a\",\"metadata\":{\"n\":1e-16384}}"), "/metadata/n");
    assertPointer(raw("{\"to\":\"+4915112345678\",\"text\":\"a\",\"metadata\":{\"n\":1.0e-16383}}"), "/metadata/n");
    assertPointer(raw("{\"to\":\"+4915112345678\",\"text\":\"a\",\"metadata\":{\"a\":[1,{\"b\":0e-20000}]}}"), "/metadata/a/1/b");
    assertPointer(raw("{\"to\":\"+4915112345678\",\"text\":\"a\",\"metadata\":{\"n\":1e999}}"), "/metadata/n");
    assertPointer(raw("{\"to\":\"+4915112345678\",\"location\":{\"latitude\":1e-20000,\"longitude\":13.4}}"), "/location/latitude");
    assertPointer(raw("{\"to\":\"+4915112345678\",\"location\":{\"latitude\":1,\"longitude\":-1.5e-16383}}"), "/location/longitude");
    assertThat(hub.sql.count("SELECT count(*) FROM messages") - before).isEqualTo(2);
  }
}
