package org.wahub.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.hub.message.ChatOrder;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Lease fencing (reliability harness, scenario 5): two claimers on the same {@link DeliveryStore}
 * and the same PostgreSQL. Owner A claims a message; A's lease runs out (A is a stalled or dead
 * worker) and B takes the message over the only way the store offers: {@code rescueOrphans}, which
 * bumps the fence, followed by B's own claim. A's late completion must then match no row (returns
 * false) whatever it tries to write, B's completion must work, and the message ends sent exactly once.
 *
 * <p>The instances stay at NEEDS_QR, so the hub's own InstanceVerticle never claims anything: the
 * only claimers are the two "workers" of this test, each with its own pool on the same database.
 */
@ExtendWith(VertxExtension.class)
class LeaseFencingTest {

  private static final Duration LEASE = Duration.ofSeconds(30);

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static Pool poolA;
  static Pool poolB;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx);
    http = hub.http;
    shop = hub.tenant("fencing-shop");
    poolA = hub.newPool(4);
    poolB = hub.newPool(4);
  }

  @AfterAll
  static void stop() {
    hub.close();
  }


  /** A paused instance (NEEDS_QR) whose verticle has finished starting, so its start-up rescue is behind us. */
  private static void pausedInstance(String id) {
    hub.instance(shop, id, null);
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Http.Res res = http.get("/instances/" + id + "/status", shop.key());
      return res.status() == 200 && "NEEDS_QR".equals(res.json().getString("state"));
    });
  }

  private static UUID post(String instance, String to, String text) {
    Http.Res res = http.post("/instances/" + instance + "/messages", shop.key(), new JsonObject().put("to", to).put("text", text));
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    return UUID.fromString(res.json().getString("id"));
  }


  private static Map<String, Object> row(UUID id) {
    return hub.sql.rows("SELECT status, fence, attempts, lease_owner, provider_message_id, last_error_code "
        + "FROM messages WHERE id = ?", id).get(0);
  }

  /** The loop's way to claim: read the chat heads, let hub/ pick the next due one, claim it by id. */
  private static Future<DeliveryStore.Claimed> claimNext(DeliveryStore s, String instanceId, Instant now, String owner,
                                                         Instant leaseUntil) {
    return s.heads(instanceId, now, 64, 1).compose(heads -> ChatOrder.next(heads, now).due()
        .map(m -> s.claim(instanceId, UUID.fromString(m.id()), now, owner, leaseUntil))
        .orElse(Future.succeededFuture(null)));
  }

  /** The outbox event types of the message, in position order. */
  private static java.util.List<Object> outbox(UUID id) {
    return hub.sql.rows("SELECT type FROM events WHERE message_id = ? ORDER BY tx, seq", id).stream()
        .map(r -> r.get("type")).toList();
  }

  private static long events(UUID id, String kind) {
    return hub.sql.count("SELECT count(*) FROM message_events WHERE message_id = ? AND kind = ?", id, kind);
  }

  @Test
  void aStaleOwnerCannotCompleteAfterTheMessageWasTakenOverAndTheNewOwnerSendsItOnce() {
    pausedInstance("fence-resend");
    UUID id = post("fence-resend", "+4915112345670", "fenced once");
    DeliveryStore a = new DeliveryStore(poolA);
    DeliveryStore b = new DeliveryStore(poolB);
    Instant t0 = Instant.now().plusSeconds(1);

    DeliveryStore.Claimed claimA = TestHub.join(claimNext(a, "fence-resend", t0, "owner-A", t0.plus(LEASE)));
    assertThat(claimA).isNotNull();
    assertThat(claimA.id()).isEqualTo(id);
    assertThat(claimA.attempts()).isEqualTo(1);
    assertThat(row(id)).containsEntry("status", "sending").containsEntry("lease_owner", "owner-A");

    // A stalls past its lease; B takes over (the provider dedupes, so the message is re-queued with a new fence)
    Instant t1 = t0.plus(LEASE).plusSeconds(1);
    assertThat(TestHub.join(b.rescueOrphans("fence-resend", t1, true))).isEqualTo(1);
    DeliveryStore.Claimed claimB = TestHub.join(claimNext(b, "fence-resend", t1, "owner-B", t1.plus(LEASE)));
    assertThat(claimB).isNotNull();
    assertThat(claimB.id()).isEqualTo(id);
    assertThat(claimB.fence()).isGreaterThan(claimA.fence());
    assertThat(claimB.attempts()).isEqualTo(2);

    // every write A can still try is fenced off, and none of them touches B's claim
    Instant t2 = t1.plusSeconds(1);
    assertThat(TestHub.join(a.completeSent(claimA, "prov-A", t2))).as("stale completeSent").isFalse();
    assertThat(TestHub.join(a.finish(claimA, "failed", "stale", "stale owner", t2))).as("stale finish(failed)").isFalse();
    assertThat(TestHub.join(a.finish(claimA, "in_doubt", "stale", "stale owner", t2))).as("stale finish(in_doubt)").isFalse();
    assertThat(TestHub.join(a.retryLater(claimA, t2.plusSeconds(5), "stale", "stale owner", t2))).as("stale retryLater").isFalse();
    assertThat(TestHub.join(a.release(claimA, t2))).as("stale release").isFalse();
    assertThat(row(id)).containsEntry("status", "sending").containsEntry("lease_owner", "owner-B")
        .containsEntry("fence", claimB.fence()).containsEntry("attempts", 2);

    // B's completion works
    assertThat(TestHub.join(b.completeSent(claimB, "prov-B", t2.plusSeconds(1)))).isTrue();
    assertThat(row(id)).containsEntry("status", "sent").containsEntry("provider_message_id", "prov-B");
    // and A, arriving even later, still cannot overwrite the result
    assertThat(TestHub.join(a.completeSent(claimA, "prov-A-late", t2.plusSeconds(2)))).isFalse();
    assertThat(TestHub.join(a.finish(claimA, "failed", "stale", "stale owner", t2.plusSeconds(2)))).isFalse();
    assertThat(row(id)).containsEntry("status", "sent").containsEntry("provider_message_id", "prov-B");

    // sent once: one 'sent' transition, the takeover on record
    assertThat(events(id, "sent")).isEqualTo(1);
    assertThat(events(id, "interrupted")).isEqualTo(1);
    assertThat(events(id, "attempt")).isEqualTo(2);
    assertThat(events(id, "failed") + events(id, "in_doubt") + events(id, "retry_scheduled") + events(id, "released")).isZero();
    // the outbox agrees: one message.sent with B's provider id; every fenced-off write wrote no event
    assertThat(outbox(id)).containsExactly("message.sent");
    assertThat(hub.sql.rows("SELECT data->>'providerMessageId' AS p FROM events WHERE message_id = ?", id).get(0))
        .containsEntry("p", "prov-B");
    Http.Res view = http.get("/messages/" + id, shop.key());
    assertThat(view.json().getString("status")).isEqualTo("sent");
    assertThat(view.json().getString("providerMessageId")).isEqualTo("prov-B");
  }

  @Test
  void withoutProviderDedupeTheTakeoverEndsInDoubtAndTheStaleOwnerCannotTurnItIntoSent() {
    pausedInstance("fence-doubt");
    UUID id = post("fence-doubt", "+4915112345671", "fenced doubt");
    DeliveryStore a = new DeliveryStore(poolA);
    DeliveryStore b = new DeliveryStore(poolB);
    Instant t0 = Instant.now().plusSeconds(1);

    DeliveryStore.Claimed claimA = TestHub.join(claimNext(a, "fence-doubt", t0, "owner-A", t0.plus(LEASE)));
    assertThat(claimA).isNotNull();
    Instant t1 = t0.plus(LEASE).plusSeconds(1);
    assertThat(TestHub.join(b.rescueOrphans("fence-doubt", t1, false))).isEqualTo(1);
    assertThat(row(id)).containsEntry("status", "in_doubt").containsEntry("last_error_code", "interrupted");
    // nothing left to claim: an in-doubt message waits for a human
    assertThat(TestHub.join(claimNext(b, "fence-doubt", t1, "owner-B", t1.plus(LEASE)))).isNull();

    assertThat(TestHub.join(a.completeSent(claimA, "prov-A", t1.plusSeconds(1)))).isFalse();
    assertThat(TestHub.join(a.retryLater(claimA, t1.plusSeconds(5), "stale", "stale owner", t1.plusSeconds(1)))).isFalse();
    assertThat(TestHub.join(a.release(claimA, t1.plusSeconds(1)))).isFalse();
    assertThat(row(id)).containsEntry("status", "in_doubt");
    assertThat(row(id).get("provider_message_id")).isNull();
    assertThat(events(id, "sent")).isZero();
    // the takeover's in_doubt is told once; the stale owner's writes told nothing
    assertThat(outbox(id)).containsExactly("message.in_doubt");
  }

  @Test
  void anExpiredLeaseIsNotClaimedAgainBehindTheOwnersBack() {
    // a lease that ran out is not a free message: only the fencing takeover (rescueOrphans) may move it on
    pausedInstance("fence-expired");
    UUID id = post("fence-expired", "+4915112345673", "lease ran out");
    DeliveryStore a = new DeliveryStore(poolA);
    DeliveryStore b = new DeliveryStore(poolB);
    Instant t0 = Instant.now().plusSeconds(1);
    DeliveryStore.Claimed claimA = TestHub.join(claimNext(a, "fence-expired", t0, "owner-A", t0.plus(LEASE)));
    assertThat(claimA).isNotNull();
    hub.sql.update("UPDATE messages SET lease_until = now() - interval '1 hour' WHERE id = ?", id);
    Instant t1 = t0.plus(LEASE).plusSeconds(1);
    assertThat(TestHub.join(claimNext(b, "fence-expired", t1, "owner-B", t1.plus(LEASE)))).isNull();
    assertThat(row(id)).containsEntry("status", "sending").containsEntry("lease_owner", "owner-A");
    // A is merely late, not fenced: with nobody taking over, its completion still lands, exactly once
    assertThat(TestHub.join(a.completeSent(claimA, "prov-A", t1))).isTrue();
    assertThat(TestHub.join(a.completeSent(claimA, "prov-A-again", t1.plusSeconds(1)))).isFalse();
    assertThat(row(id)).containsEntry("status", "sent").containsEntry("provider_message_id", "prov-A");
    assertThat(events(id, "sent")).isEqualTo(1);
  }

  @Test
  void twoClaimersRacingForOneDueMessageGetItOnceAndTheFenceAdvancesPerClaim() {
    pausedInstance("fence-race");
    UUID id = post("fence-race", "+4915112345672", "claimed once");
    DeliveryStore a = new DeliveryStore(poolA);
    DeliveryStore b = new DeliveryStore(poolB);
    Instant t0 = Instant.now().plusSeconds(1);
    long fenceBefore = ((Number) row(id).get("fence")).longValue();

    List<Future<DeliveryStore.Claimed>> claims = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      DeliveryStore s = i % 2 == 0 ? a : b;
      claims.add(claimNext(s, "fence-race", t0, "owner-" + i, t0.plus(LEASE)));
    }
    TestHub.join(Future.join(claims));
    List<DeliveryStore.Claimed> won = claims.stream().map(Future::result).filter(Objects::nonNull).toList();
    assertThat(won).hasSize(1);
    assertThat(won.get(0).id()).isEqualTo(id);
    assertThat(won.get(0).fence()).isEqualTo(fenceBefore + 1);
    assertThat(events(id, "attempt")).isEqualTo(1);

    // the winner completes; a forged claim with the previous fence is rejected
    DeliveryStore.Claimed forged = new DeliveryStore.Claimed(id, fenceBefore, 1, won.get(0).chatId(), won.get(0).recipient(),
        won.get(0).kind(), won.get(0).content(), won.get(0).orderAt());
    assertThat(TestHub.join(a.completeSent(forged, "prov-forged", t0.plusSeconds(1)))).isFalse();
    assertThat(TestHub.join(b.completeSent(won.get(0), "prov-winner", t0.plusSeconds(1)))).isTrue();
    assertThat(row(id)).containsEntry("status", "sent").containsEntry("provider_message_id", "prov-winner");
    assertThat(events(id, "sent")).isEqualTo(1);
  }
}
