package org.wahub.delivery;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delivery side end to end: real hub, real HTTP, real PostgreSQL, simulator provider, in
 * accelerated time (HUB_TIME_SCALE=60: a limiter "minute" lasts one second, a reconnect delay of
 * 6 s lasts 100 ms). Every assertion about sends is read from the simulator's durable log.
 */
@ExtendWith(VertxExtension.class)
class DeliveryTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of(
        "HUB_TIME_SCALE", "60",
        "HUB_SEND_TIMEOUT_MS", "600",
        "RECONNECT_DELAYS_MS", "6000,12000,18000",
        "RESTART_WINDOW_MINUTES", "1",
        "CIRCUIT_BREAKER_MAX_FAILURES", "1000"));
    http = hub.http;
    shop = hub.tenant("delivery-shop");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  static JsonObject simulator(JsonObject config) {
    return new JsonObject().put("provider", new JsonObject().put("type", "simulator").put("pairingMs", 0)
        .put("latencyMs", 5).put("softRestartMs", 30).put("hardRestartMs", 30).mergeIn(config));
  }

  static String post(String instance, String to, String text) {
    Http.Res res = http.post("/instances/" + instance + "/messages", shop.key(), new JsonObject().put("to", to).put("text", text));
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    return res.json().getString("id");
  }

  static JsonObject simulate(String instance, JsonObject command) {
    Http.Res res = http.post("/instances/" + instance + "/simulate", shop.key(), command);
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    return res.json();
  }

  static List<JsonObject> log(String instance) {
    List<JsonObject> out = new ArrayList<>();
    String cursor = null;
    do {
      Http.Res res = http.get("/instances/" + instance + "/simulate/log?limit=200" + (cursor == null ? "" : "&after=" + cursor),
          shop.key());
      assertThat(res.status()).as(res.body()).isEqualTo(200);
      res.json().getJsonArray("items").forEach(o -> out.add((JsonObject) o));
      cursor = res.json().getString("nextCursor");
    } while (cursor != null);
    return out;
  }

  static String status(String messageId) {
    return http.get("/messages/" + messageId, shop.key()).json().getString("status");
  }

  static JsonObject instanceStatus(String instance) {
    Http.Res res = http.get("/instances/" + instance + "/status", shop.key());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    return res.json();
  }

  static void awaitState(String instance, String state) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Http.Res res = http.get("/instances/" + instance + "/status", shop.key());
      return res.status() == 200 && state.equals(res.json().getString("state"));
    });
  }

  /** The largest number of log entries inside any half-open interval of the given length. */
  static int maxInAnyWindow(List<Instant> times, Duration window) {
    int max = 0;
    for (int i = 0, j = 0; i < times.size(); i++) {
      while (!times.get(j).isAfter(times.get(i).minus(window))) {
        j++;
      }
      max = Math.max(max, i - j + 1);
    }
    return max;
  }

  @Test
  void aBacklogIsSentSteadilyWithinEveryWindowEvenAcrossARedeploy() {
    hub.instance(shop, "steady", simulator(new JsonObject().put("startState", "NEEDS_QR"))
        .put("limits", new JsonObject().put("perMinute", 6).put("perHour", 60).put("perDay", 300))
        .put("pacing", new JsonObject().put("minIntervalMs", 120)));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(post("steady", "+491511234567" + (i % 4), "backlog " + i));
    }
    simulate("steady", new JsonObject().put("event", "ready"));
    // midway, change the instance: the supervisor redeploys its verticle, which must rebuild its windows
    await().atMost(Duration.ofSeconds(20)).until(() -> log("steady").size() >= 8);
    // (the new simulated session must start paired: the old one was paired by hand)
    assertThat(http.patch("/instances/steady", shop.key(), new JsonObject().put("name", "redeployed")
        .put("provider", new JsonObject().put("startState", "READY"))).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> "sent".equals(status(id))));

    List<JsonObject> log = log("steady");
    assertThat(log).hasSize(20);
    assertThat(log).allSatisfy(e -> assertThat(e.getString("outcome")).isEqualTo("sent"));
    assertThat(log.stream().map(e -> e.getString("messageId")).distinct().count()).isEqualTo(20);
    List<Instant> times = log.stream().map(e -> Instant.parse(e.getString("at"))).toList();
    // the "minute" is 1 s at HUB_TIME_SCALE=60: never more than 6 in any second, and no burst
    assertThat(maxInAnyWindow(times, Duration.ofSeconds(1))).isLessThanOrEqualTo(6);
    // pacing holds across the redeploy too (the new verticle resumes the gap after the last attempt);
    // 120 ms pacing still lets the 6-per-second window bind
    for (int i = 1; i < times.size(); i++) {
      assertThat(Duration.between(times.get(i - 1), times.get(i))).as("gap before send %d", i)
          .isGreaterThanOrEqualTo(Duration.ofMillis(115));
    }
    // 20 sends at 6 per second cannot take less than 3 full windows
    assertThat(Duration.between(times.get(0), times.get(19))).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void pacingHoldsAcrossARedeploy() {
    hub.instance(shop, "paced", simulator(new JsonObject().put("startState", "READY"))
        .put("pacing", new JsonObject().put("minIntervalMs", 1500)));
    String first = post("paced", "+4915112340101", "first");
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(first)));
    // the redeployed verticle must remember when it last sent, not start with a fresh pacer
    assertThat(http.patch("/instances/paced", shop.key(), new JsonObject().put("name", "redeployed")).status())
        .isEqualTo(200);
    String second = post("paced", "+4915112340102", "second");
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(second)));
    List<Instant> times = log("paced").stream().map(e -> Instant.parse(e.getString("at"))).toList();
    assertThat(times).hasSize(2);
    assertThat(Duration.between(times.get(0), times.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(1450));
  }

  @Test
  void statusShowsWhyTheNextSendWaits() {
    hub.instance(shop, "waiting", simulator(new JsonObject())
        .put("limits", new JsonObject().put("perMinute", 2).put("perHour", 3).put("perDay", 300)));
    awaitState("waiting", "READY");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(post("waiting", "+4915112345678", "w" + i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> log("waiting").size() == 3);
    JsonObject s = instanceStatus("waiting");
    assertThat(s.getString("state")).isEqualTo("READY");
    assertThat(s.getString("waitingFor")).isEqualTo("rate_limit");
    assertThat(s.getJsonObject("limits").getJsonObject("perHour").getInteger("used")).isEqualTo(3);
    assertThat(s.getJsonObject("limits").getJsonObject("perHour").getInteger("limit")).isEqualTo(3);
    assertThat(Instant.parse(s.getJsonObject("limits").getString("nextAllowedSendAt"))).isAfter(Instant.now());
    assertThat(s.getJsonObject("queue").getInteger("depth")).isEqualTo(2);
    assertThat(s.getJsonObject("queue").getString("oldestQueuedAt")).isNotNull();
    assertThat(s.getJsonObject("counters").getLong("sent1h")).isEqualTo(3);
    assertThat(s.getJsonObject("counters").getLong("sent24h")).isEqualTo(3);
    assertThat(s.getJsonObject("counters").getLong("failures1h")).isZero();
    assertThat(s.getString("circuitBreaker")).isEqualTo("closed");
    assertThat(s.getJsonObject("reconnect").getInteger("attempt")).isZero();
  }

  @Test
  void aDisconnectIsRiddenOutWithASoftThenAHardRestart() {
    hub.instance(shop, "flappy", simulator(new JsonObject()));
    awaitState("flappy", "READY");
    simulate("flappy", new JsonObject().put("event", "disconnect").put("failRestarts", 1));
    awaitState("flappy", "READY");
    List<Map<String, Object>> restarts = hub.sql.rows(
        "SELECT detail FROM instance_events WHERE instance_id = 'flappy' AND kind = 'restart' ORDER BY id");
    assertThat(restarts).extracting(r -> r.get("detail")).containsExactly("automatic soft", "automatic hard");
    assertThat(hub.sql.count("SELECT count(*) FROM instance_events WHERE instance_id = 'flappy' AND kind = 'disconnected'"))
        .isEqualTo(1);
    JsonObject s = instanceStatus("flappy");
    assertThat(s.getJsonObject("counters").getLong("disconnects1h")).isEqualTo(1);
    assertThat(s.getJsonObject("reconnect").getInteger("restartsInWindow")).isEqualTo(2);
    // sending resumes
    String id = post("flappy", "+4915112345678", "after the storm");
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(id)));
  }

  @Test
  void aSessionThatNeverComesBackEndsFailedWithoutOverrunningTheRestartWindow() {
    hub.instance(shop, "doomed", simulator(new JsonObject()));
    awaitState("doomed", "READY");
    simulate("doomed", new JsonObject().put("event", "disconnect").put("failRestarts", 100));
    // the window (1 scaled minute = 1 s) allows 4 restarts; attempt 5 has to wait for it, then FAILED
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      JsonObject s = instanceStatus("doomed");
      return "FAILED".equals(s.getString("state"));
    });
    List<Instant> restarts = hub.sql.rows(
            "SELECT at FROM instance_events WHERE instance_id = 'doomed' AND kind = 'restart' ORDER BY at").stream()
        .map(r -> ((java.sql.Timestamp) r.get("at")).toInstant()).toList();
    assertThat(restarts).hasSize(5);
    assertThat(maxInAnyWindow(restarts, Duration.ofSeconds(1))).isLessThanOrEqualTo(4);
    assertThat(instanceStatus("doomed").getString("lastError")).contains("reconnect ladder exhausted");
    // nothing restarts it now; a human can
    Http.Res manual = http.post("/instances/doomed/restart", shop.key(), new JsonObject().put("type", "hard"));
    assertThat(manual.status()).as(manual.body()).isIn(202, 429);
  }

  @Test
  void needsQrStopsSendingAndRestartingUntilSomeoneActs() throws Exception {
    hub.instance(shop, "qr", simulator(new JsonObject().put("startState", "NEEDS_QR")));
    awaitState("qr", "NEEDS_QR");
    String id = post("qr", "+4915112345678", "waiting for a scan");
    Thread.sleep(1500);
    assertThat(log("qr")).isEmpty();
    assertThat(status(id)).isEqualTo("queued");
    assertThat(hub.sql.count("SELECT count(*) FROM instance_events WHERE instance_id = 'qr' AND kind = 'restart'")).isZero();
    Http.Res qr = http.get("/instances/qr/qr", shop.key());
    assertThat(qr.status()).isEqualTo(200);
    assertThat(qr.json().getString("qr")).startsWith("sim-qr:");
    simulate("qr", new JsonObject().put("event", "ready"));
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(id)));
    assertThat(http.get("/instances/qr/qr", shop.key()).status()).isEqualTo(409);

    simulate("qr", new JsonObject().put("event", "auth_failure"));
    awaitState("qr", "AUTH_FAILURE");
    String id2 = post("qr", "+4915112345678", "after logout");
    Thread.sleep(800);
    assertThat(status(id2)).isEqualTo("queued");
    assertThat(hub.sql.count("SELECT count(*) FROM instance_events WHERE instance_id = 'qr' AND kind = 'restart'")).isZero();
  }

  @Test
  void manualRestartRules() {
    hub.instance(shop, "manual", simulator(new JsonObject().put("hardRestartMs", 400).put("softRestartMs", 400)));
    awaitState("manual", "READY");
    Http.Res bad = http.post("/instances/manual/restart", shop.key(), new JsonObject().put("type", "reboot"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("code")).isEqualTo("invalid_restart_type");
    Http.Res first = http.post("/instances/manual/restart", shop.key(), new JsonObject().put("type", "soft"));
    assertThat(first.status()).as(first.body()).isEqualTo(202);
    Http.Res busy = http.post("/instances/manual/restart", shop.key(), new JsonObject().put("type", "hard"));
    assertThat(busy.status()).isEqualTo(409);
    assertThat(busy.json().getString("code")).isEqualTo("restart_in_progress");
    assertThat(http.post("/instances/nope/restart", shop.key(), new JsonObject()).status()).isEqualTo(404);

    // the window (4 restarts per scaled minute = 1 s) also binds manual restarts
    hub.instance(shop, "eager", simulator(new JsonObject().put("hardRestartMs", 10).put("softRestartMs", 10)));
    awaitState("eager", "READY");
    int accepted = 0;
    Http.Res last = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      last = http.post("/instances/eager/restart", shop.key(), new JsonObject().put("type", "hard"));
      if (last.status() == 202) {
        accepted++;
      } else if (last.status() == 429) {
        break;
      }
    }
    assertThat(last.status()).as(last.body()).isEqualTo(429);
    assertThat(accepted).isEqualTo(4);
    assertThat(last.json().getString("code")).isEqualTo("restart_window_exhausted");
    assertThat(Long.parseLong(last.header("Retry-After"))).isBetween(1L, 2L);
  }

  @Test
  void stopAndStart() {
    hub.instance(shop, "pausable", simulator(new JsonObject()));
    awaitState("pausable", "READY");
    assertThat(http.post("/instances/pausable/stop", shop.key(), null).status()).isEqualTo(200);
    awaitState("pausable", "STOPPED");
    String id = post("pausable", "+4915112345678", "held");
    assertThat(http.post("/instances/pausable/restart", shop.key(), new JsonObject().put("type", "soft")).status()).isEqualTo(409);
    assertThat(status(id)).isEqualTo("queued");
    // stopped survives a redeploy (desired state is in the database)
    http.patch("/instances/pausable", shop.key(), new JsonObject().put("name", "still stopped"));
    awaitState("pausable", "STOPPED");
    assertThat(http.post("/instances/pausable/start", shop.key(), null).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(id)));
    assertThat(http.post("/instances/pausable/start", shop.key(), null).status()).isEqualTo(409);
  }

  @Test
  void retriableFailuresFollowTheRetryLadderAndPermanentOnesFailAtOnce() {
    hub.instance(shop, "flaky", simulator(new JsonObject().put("startState", "NEEDS_QR"))
        .put("pacing", new JsonObject().put("minIntervalMs", 0)));
    String retried = post("flaky", "+4915112340001", "try again");
    String other = post("flaky", "+4915112340002", "me too");
    simulate("flaky", new JsonObject().put("event", "fail_next").put("count", 2));
    simulate("flaky", new JsonObject().put("event", "ready"));
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(other)));
    // both first attempts failed retriably (the injected faults); both recover on the ladder
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(retried)));
    JsonObject m = http.get("/messages/" + retried, shop.key()).json();
    assertThat(m.getInteger("attempts")).isEqualTo(2);
    assertThat(m.getJsonArray("history").stream().map(e -> ((JsonObject) e).getString("event")).toList())
        .containsSubsequence("accepted", "attempt", "retry_scheduled", "attempt", "sent");

    // faults are armed before the message exists: the loop sends at once
    simulate("flaky", new JsonObject().put("event", "fail_next").put("count", 1).put("kind", "permanent"));
    String permanent = post("flaky", "+4915112340003", "blocked forever");
    await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(status(permanent)));
    JsonObject p = http.get("/messages/" + permanent, shop.key()).json();
    assertThat(p.getInteger("attempts")).isEqualTo(1);
    assertThat(p.getJsonObject("lastError").getString("code")).isEqualTo("not_on_whatsapp");

    // exhausting the attempts: five retriable failures in a row -> failed, attempts_exhausted
    simulate("flaky", new JsonObject().put("event", "fail_next").put("count", 5));
    String exhausted = post("flaky", "+4915112340004", "unlucky");
    await().atMost(Duration.ofSeconds(20)).until(() -> "failed".equals(status(exhausted)));
    JsonObject e = http.get("/messages/" + exhausted, shop.key()).json();
    assertThat(e.getInteger("attempts")).isEqualTo(5);
    assertThat(e.getJsonObject("lastError").getString("code")).isEqualTo("attempts_exhausted");
    // the dead-letter list shows both
    JsonArray dead = http.get("/messages?instance=flaky&status=failed", shop.key()).json().getJsonArray("items");
    assertThat(dead.stream().map(o -> ((JsonObject) o).getString("id")).toList()).contains(permanent, exhausted);
  }

  @Test
  void aWaitingRetryHoldsBackItsOwnChatOnly() {
    // no pacing gap: right after a1 fails, the loop may send again, and b1 must not wait for a1
    hub.instance(shop, "fifo", simulator(new JsonObject().put("startState", "NEEDS_QR"))
        .put("limits", new JsonObject().put("perMinute", 100).put("perHour", 1000).put("perDay", 1000))
        .put("pacing", new JsonObject().put("minIntervalMs", 0)));
    String a1 = post("fifo", "+4915100000001", "a1");
    String a2 = post("fifo", "+4915100000001", "a2");
    String b1 = post("fifo", "+4915100000002", "b1");
    simulate("fifo", new JsonObject().put("event", "fail_next").put("count", 1));
    simulate("fifo", new JsonObject().put("event", "ready"));
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(a2)));
    List<String> order = log("fifo").stream().map(e -> e.getString("messageId") + ":" + e.getString("outcome")).toList();
    assertThat(order).containsExactly(a1 + ":failed_retriable", b1 + ":sent", a1 + ":sent", a2 + ":sent");
  }

  @Test
  void aCrashAfterHandOffIsInDoubtUnlessTheProviderDeduplicates() {
    hub.instance(shop, "crashy", simulator(new JsonObject()));
    awaitState("crashy", "READY");
    simulate("crashy", new JsonObject().put("event", "crash_after_send"));
    String lost = post("crashy", "+4915112345678", "answer lost");
    await().atMost(Duration.ofSeconds(10)).until(() -> "in_doubt".equals(status(lost)));
    assertThat(log("crashy")).extracting(e -> e.getString("outcome")).containsExactly("sent");
    assertThat(http.get("/messages/" + lost, shop.key()).json().getJsonObject("lastError").getString("code")).isEqualTo("timeout");

    hub.instance(shop, "dedupe", simulator(new JsonObject().put("dedupesByMessageId", true)));
    awaitState("dedupe", "READY");
    simulate("dedupe", new JsonObject().put("event", "crash_after_send"));
    String resent = post("dedupe", "+4915112345678", "resent safely");
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(resent)));
    assertThat(log("dedupe")).extracting(e -> e.getString("outcome")).containsExactly("sent", "deduplicated");
  }

  @Test
  void anOrphanedSendIsResolvedWhenTheVerticleStarts() {
    hub.instance(shop, "orphan", simulator(new JsonObject().put("startState", "NEEDS_QR")));
    String id = post("orphan", "+4915112345678", "was being sent when the process died");
    // what a kill -9 mid-send leaves behind: a claimed row with a lease held by a dead process
    hub.sql.update("UPDATE messages SET status = 'sending', attempts = 1, fence = fence + 1, lease_owner = 'dead-process', "
        + "lease_until = now() + interval '1 hour' WHERE id = ?::uuid", id);
    http.patch("/instances/orphan", shop.key(), new JsonObject().put("name", "redeploy"));
    await().atMost(Duration.ofSeconds(10)).until(() -> "in_doubt".equals(status(id)));
    assertThat(http.get("/messages/" + id, shop.key()).json().getJsonObject("lastError").getString("code")).isEqualTo("interrupted");
    assertThat(hub.sql.count("SELECT queue_depth FROM instances WHERE id = 'orphan'")).isZero();
  }

  @Test
  void sendAtIsNotBeforeAndExpiresAtExpiresEvenWhileTheSessionIsDown() {
    hub.instance(shop, "scheduled", simulator(new JsonObject()));
    awaitState("scheduled", "READY");
    Instant sendAt = Instant.now().plusMillis(1500);
    Http.Res later = http.post("/instances/scheduled/messages", shop.key(), new JsonObject().put("to", "+4915112345678")
        .put("text", "later").put("sendAt", sendAt.toString()));
    String laterId = later.json().getString("id");
    String now = post("scheduled", "+4915112345678", "now");
    await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(status(laterId)));
    JsonObject m = http.get("/messages/" + laterId, shop.key()).json();
    assertThat(Instant.parse(m.getString("sentAt"))).isAfterOrEqualTo(sendAt);
    // the scheduled one did not hold back the later-accepted message to the same chat
    assertThat(Instant.parse(http.get("/messages/" + now, shop.key()).json().getString("sentAt"))).isBefore(sendAt);

    hub.instance(shop, "expiring", simulator(new JsonObject().put("startState", "NEEDS_QR")));
    awaitState("expiring", "NEEDS_QR");
    Http.Res res = http.post("/instances/expiring/messages", shop.key(), new JsonObject().put("to", "+4915112345678")
        .put("text", "too late").put("expiresAt", Instant.now().plusMillis(800).toString()));
    String expiring = res.json().getString("id");
    await().atMost(Duration.ofSeconds(10)).until(() -> "expired".equals(status(expiring)));
    assertThat(hub.sql.count("SELECT queue_depth FROM instances WHERE id = 'expiring'")).isZero();
    assertThat(log("expiring")).isEmpty();
  }

  @Test
  void aMessageBehindAnotherInItsChatStillExpiresOnTimeWhileTheSessionIsDown() {
    hub.instance(shop, "expiring-behind", simulator(new JsonObject().put("startState", "NEEDS_QR")));
    awaitState("expiring-behind", "NEEDS_QR");
    String head = post("expiring-behind", "+4915112345678", "no expiry, first in its chat");
    Http.Res res = http.post("/instances/expiring-behind/messages", shop.key(), new JsonObject().put("to", "+4915112345678")
        .put("text", "behind the head, expires soon").put("expiresAt", Instant.now().plusMillis(800).toString()));
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    String behind = res.json().getString("id");
    // nothing else wakes the instance: only a timer armed at the earliest expiry of ANY queued message does
    await().atMost(Duration.ofSeconds(10)).until(() -> "expired".equals(status(behind)));
    assertThat(status(head)).isEqualTo("queued");
  }
}
