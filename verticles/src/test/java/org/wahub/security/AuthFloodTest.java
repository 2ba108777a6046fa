package org.wahub.security;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.Hub;
import org.wahub.auth.KeyCache;
import org.wahub.health.HealthRoutes;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DESIGN §12, "unauthenticated floods cannot starve sending" and "revocation holds from the next
 * request": real hub, real HTTP, real PostgreSQL, simulator instances that send.
 */
@ExtendWith(VertxExtension.class)
class AuthFloodTest {

  static final int MAX_IN_FLIGHT = 8;
  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of(
        "HUB_AUTH_MAX_IN_FLIGHT", MAX_IN_FLIGHT,
        "HUB_AUTH_POOL_SIZE", 2));
    http = hub.http;
    shop = hub.tenant("flood-shop");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static KeyCache keyCache() throws Exception {
    // the process-wide cache is private to Hub; its counters are what this test must read
    var field = Hub.class.getDeclaredField("keyCache");
    field.setAccessible(true);
    return (KeyCache) field.get(hub.hub);
  }

  static JsonObject sendingInstance(String id) {
    return new JsonObject().put("id", id)
        .put("provider", new JsonObject().put("type", "simulator").put("startState", "READY").put("pairingMs", 0).put("latencyMs", 1))
        .put("limits", new JsonObject().put("perMinute", 1_000_000).put("perHour", 1_000_000).put("perDay", 1_000_000))
        .put("pacing", new JsonObject().put("minIntervalMs", 0).put("jitterMs", 0))
        .put("maxQueueSize", 5_000);
  }

  static long sent(String instance) {
    return hub.sql.count("SELECT count(*) FROM messages WHERE instance_id = ? AND status = 'sent'", instance);
  }

  /** Queues {@code n} messages, then measures how long the instance takes from its first send to its last. */
  static Duration queueAndDrain(String instance, int n, Runnable during) {
    assertThat(http.post("/instances", shop.key(), sendingInstance(instance).put("provider",
        sendingInstance(instance).getJsonObject("provider").put("startState", "NEEDS_QR"))).status()).isEqualTo(201);
    List<CompletableFuture<Http.Res>> posts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      posts.add(http.postAsync("/instances/" + instance + "/messages", shop.key(),
          new JsonObject().put("to", "+4915112345" + (100 + i % 50)).put("text", "m" + i), Map.of()));
    }
    posts.forEach(f -> assertThat(f.join().status()).isEqualTo(202));
    assertThat(http.post("/instances/" + instance + "/simulate", shop.key(), new JsonObject().put("event", "ready")).status())
        .isEqualTo(200);
    long start = System.nanoTime();
    during.run();
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> sent(instance) == n);
    return Duration.ofNanos(System.nanoTime() - start);
  }

  @Test
  void aFloodOfUnknownKeysNeitherStarvesSendingNorQueuesLookups() throws Exception {
    int n = 300;
    Duration quiet = queueAndDrain("quiet", n, () -> { });

    KeyCache cache = keyCache();
    long lookupsBefore = cache.lookupsStarted();
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    long[] sentDuringFlood = new long[2];
    Duration flooded = queueAndDrain("flooded", n, () -> {
      sentDuringFlood[0] = sent("flooded");
      Semaphore window = new Semaphore(64);
      List<CompletableFuture<Http.Res>> flood = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        window.acquireUninterruptibly();
        String bad = "wah_flood-" + i + "-" + "x".repeat(30);
        flood.add(http.sendAsync("GET", "/instances", bad, null, null, Map.of()).whenComplete((r, e) -> {
          window.release();
          statuses.computeIfAbsent(e != null ? -1 : r.status(), k -> new AtomicInteger()).incrementAndGet();
        }));
      }
      flood.forEach(CompletableFuture::join);
      sentDuringFlood[1] = sent("flooded");
    });

    // the flood only ever got "unknown key" or "busy, retry": no 5xx, nothing waited for a pooled connection
    assertThat(statuses.keySet()).isSubsetOf(Set.of(401, 429));
    assertThat(statuses.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(2_000);
    assertThat(statuses.get(401).get()).isPositive();
    // never more look-ups at once than the bound, and each of those on the look-up pool only
    assertThat(cache.lookupsInFlightPeak()).isBetween(1, MAX_IN_FLIGHT);
    assertThat(cache.lookupsStarted() - lookupsBefore).isPositive();
    assertThat(cache.lookupsInFlight()).isZero();
    // sending went on during the flood and took about as long as without it (the flood and this
    // JVM's client share 2 cores with the hub, so CPU, not the database, is what it may slow)
    assertThat(sentDuringFlood[1]).as("sent during the flood").isGreaterThan(sentDuringFlood[0]);
    System.out.printf("drain of %d: quiet %d ms, under flood %d ms; flood statuses %s, look-up peak %d, refused %d%n",
        n, quiet.toMillis(), flooded.toMillis(), statuses, cache.lookupsInFlightPeak(), cache.lookupsRefused());
    assertThat(flooded).isLessThanOrEqualTo(quiet.multipliedBy(2).plusSeconds(5));

    // the shop's own key kept working all along (cached, never counted against the bound)
    assertThat(http.get("/instances", shop.key()).status()).isEqualTo(200);
  }

  @Test
  void aRevokedKeyIsNeverAcceptedAfterThe204EvenWithLookupsInFlight() throws Exception {
    TestHub.Tenant tenant = hub.tenant("revoke-race");
    int checked = 0;
    for (int round = 0; round < 20; round++) {
      Http.Res created = http.post("/tenants/" + tenant.id() + "/keys", TestHub.ADMIN_KEY, new JsonObject());
      assertThat(created.status()).isEqualTo(201);
      String token = created.json().getString("token");
      String keyId = created.json().getString("id");
      // in flight while the revocation runs: some of these start their look-up before it
      List<CompletableFuture<Http.Res>> before = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        before.add(http.sendAsync("GET", "/instances", token, null, null, Map.of()));
      }
      Http.Res revoked = http.delete("/tenants/" + tenant.id() + "/keys/" + keyId, TestHub.ADMIN_KEY);
      assertThat(revoked.status()).isEqualTo(204);
      // everything sent after the 204, concurrently, on every ApiVerticle: 401, always
      List<CompletableFuture<Http.Res>> after = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        after.add(http.sendAsync("GET", "/instances", token, null, null, Map.of()));
      }
      for (CompletableFuture<Http.Res> f : after) {
        assertThat(f.join().status()).as("round " + round).isEqualTo(401);
        checked++;
      }
      // the requests that raced the revocation may have gone either way, but never anything else
      before.forEach(f -> assertThat(f.join().status()).isIn(200, 401, 429));
      // and once those finished (some of them may have re-cached the key), still 401
      assertThat(http.get("/instances", token).status()).as("round " + round).isEqualTo(401);
    }
    assertThat(checked).isEqualTo(20 * 50);
  }

  @Test
  void aBurstWithOneFreshValidKeySharesItsLookupsAndIsNeverBusy() throws Exception {
    TestHub.Tenant tenant = hub.tenant("burst");
    long lookups = keyCache().lookupsStarted();
    List<CompletableFuture<Http.Res>> burst = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      burst.add(http.sendAsync("GET", "/instances", tenant.key(), null, null, Map.of()));
    }
    burst.forEach(f -> assertThat(f.join().status()).isEqualTo(200));
    // one look-up per ApiVerticle at most (2 here), not one per request; the tenant's creation took none
    assertThat(keyCache().lookupsStarted() - lookups).isBetween(1L, 2L);
  }

  @Test
  void aNewKeyWorksAtOnceEvenIfItsTokenWasTriedBefore() {
    TestHub.Tenant tenant = hub.tenant("fresh-key");
    Http.Res created = http.post("/tenants/" + tenant.id() + "/keys", TestHub.ADMIN_KEY, new JsonObject());
    assertThat(http.get("/instances", created.json().getString("token")).status()).isEqualTo(200);
    // an unknown key is refused, repeatedly, with no look-up after the first (negative cache)
    String unknown = "wah_unknown-" + "y".repeat(40);
    assertThat(http.get("/instances", unknown).status()).isEqualTo(401);
    long lookups;
    try {
      lookups = keyCache().lookupsStarted();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(http.get("/instances", unknown).status()).isEqualTo(401);
    }
    try {
      assertThat(keyCache().lookupsStarted()).isEqualTo(lookups);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void readinessUnderA500RequestStampedeRunsAHandfulOfProbes() {
    long before = HealthRoutes.probesRun();
    List<CompletableFuture<Http.Res>> all = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < 500; i++) {
      all.add(http.sendAsync("GET", "/health/ready", null, null, null, Map.of()));
    }
    all.forEach(f -> assertThat(f.join().status()).isEqualTo(200));
    long seconds = Math.max(1, Duration.ofNanos(System.nanoTime() - start).toSeconds() + 1);
    long probes = HealthRoutes.probesRun() - before;
    System.out.printf("500 readiness requests in %d s took %d database probes%n", seconds, probes);
    // one per ApiVerticle (2 here) per second at most
    assertThat(probes).isBetween(1L, 2 * (seconds + 1));
  }
}
