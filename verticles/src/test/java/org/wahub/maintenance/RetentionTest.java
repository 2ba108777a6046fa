package org.wahub.maintenance;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.HubConfig;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 16 §5 / DESIGN §9: a dead letter older than HUB_FAILED_ARCHIVE_DAYS leaves the dead-letter
 * list, retry-all and the health check, but is still found ({@code ?archived=true}, by id) and can
 * be retried by id; history rows older than HUB_HISTORY_RETENTION_DAYS are deleted, the younger
 * ones (which rebuild the limits) never.
 */
@ExtendWith(VertxExtension.class)
class RetentionTest {

  @Test
  void oldDeadLettersAreArchivedStillFoundAndRetryableAndOldHistoryIsPruned(Vertx vertx) {
    try (TestHub hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.<String, Object>of("HUB_MAINTENANCE_INTERVAL_MS", 100,
        "HUB_FAILED_ARCHIVE_DAYS", 30, "HUB_HISTORY_RETENTION_DAYS", 10, "HUB_STATS_REFRESH_MS", 100))) {
      TestHub.Tenant t = hub.tenant("retention-archive");
      hub.instance(t, "arch-1", new JsonObject().put("maxQueueSize", 100));
      String old = post(hub, t, "a-old");
      String recent = post(hub, t, "a-recent");
      String oldSent = post(hub, t, "a-old-sent");
      fail(hub, old, "31 days");
      fail(hub, recent, "29 days");
      hub.sql.update("UPDATE messages SET status = 'sent', attempts = 1, sent_at = now() - interval '40 days', "
          + "finalized_at = now() - interval '40 days' WHERE id = ?::uuid", oldSent);
      // history: one row of each table past the retention, one inside it
      hub.sql.update("INSERT INTO message_events (message_id, instance_id, at, kind) VALUES (?::uuid, 'arch-1', "
          + "now() - interval '11 days', 'attempt'), (?::uuid, 'arch-1', now() - interval '9 days', 'attempt')", recent, recent);
      hub.sql.update("INSERT INTO instance_events (instance_id, at, kind) VALUES ('arch-1', now() - interval '11 days', "
          + "'state_changed'), ('arch-1', now() - interval '9 days', 'state_changed')");

      await().atMost(Duration.ofSeconds(20)).until(() -> archivedAt(hub, old) != null
          && hub.sql.count("SELECT count(*) FROM message_events WHERE at < now() - interval '10 days'") == 0
          && hub.sql.count("SELECT count(*) FROM instance_events WHERE at < now() - interval '10 days'") == 0);
      assertThat(archivedAt(hub, recent)).as("failed 29 days ago").isNull();
      assertThat(archivedAt(hub, oldSent)).as("only dead letters are archived").isNull();
      assertThat(hub.sql.count("SELECT count(*) FROM message_events WHERE message_id = ?::uuid "
          + "AND at < now() - interval '8 days'", recent)).as("the 9-day-old row stays: %s",
          hub.sql.rows("SELECT at, kind, now() AS now FROM message_events WHERE message_id = ?::uuid", recent)).isEqualTo(1);
      assertThat(hub.sql.count("SELECT count(*) FROM instance_events WHERE instance_id = 'arch-1' "
          + "AND at < now() - interval '8 days'")).as("the 9-day-old instance row stays").isEqualTo(1);
      assertThat(hub.sql.count("SELECT count(*) FROM instance_events WHERE instance_id = 'arch-1' AND at > now() - interval '1 day'"))
          .as("the instance's own recent history").isPositive();

      // the dead-letter list shows only the recent one; archived=true only the old one
      assertThat(ids(hub, t, "/messages?status=failed")).containsExactly(recent);
      assertThat(ids(hub, t, "/messages?status=failed&instance=arch-1")).containsExactly(recent);
      assertThat(ids(hub, t, "/messages?archived=true")).containsExactly(old);
      assertThat(ids(hub, t, "/messages?archived=true&status=failed&instance=arch-1")).containsExactly(old);
      assertThat(ids(hub, t, "/messages")).contains(recent, oldSent).doesNotContain(old);
      JsonObject one = hub.http.get("/messages/" + old, t.key()).json();
      assertThat(one.getString("status")).isEqualTo("failed");
      assertThat(one.getString("archivedAt")).isNotNull();
      assertThat(one.getJsonArray("history").stream().map(h -> ((JsonObject) h).getString("event"))).contains("archived");
      // the health check counts only the dead letters still waiting for someone
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(hub.http.get("/health", t.key()).json()
          .getJsonObject("queue").getJsonObject("total").getLong("failed")).isEqualTo(1));

      // retry-all leaves the archived one alone; a retry by id brings it back
      Http.Res all = hub.http.post("/messages/retry", t.key(), new JsonObject().put("instance", "arch-1").put("status", "failed"));
      assertThat(all.status()).as(all.body()).isIn(200, 202);
      assertThat(status(hub, old)).isEqualTo("failed");
      assertThat(status(hub, recent)).isIn("queued", "sending", "sent");
      Http.Res retried = hub.http.post("/messages/" + old + "/retry", t.key(), new JsonObject());
      assertThat(retried.status()).as(retried.body()).isIn(200, 202);
      assertThat(archivedAt(hub, old)).isNull();
      assertThat(status(hub, old)).isIn("queued", "sending", "sent");

      Http.Res bad = hub.http.get("/messages?archived=maybe", t.key());
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
      assertThat(bad.json().getString("detail")).contains("archived must be true or false");
    }
  }

  @Test
  void aRetentionInsideTheLimitWindowsStopsTheStart() {
    assertThatThrownBy(() -> new HubConfig(new JsonObject().put("HUB_HISTORY_RETENTION_DAYS", "1")).retention())
        .hasMessageContaining("HUB_HISTORY_RETENTION_DAYS").hasMessageContaining("at least 2 days");
    assertThatThrownBy(() -> new HubConfig(new JsonObject().put("HUB_MAINTENANCE_ARCHIVE_INTERVAL_MS", "0"))
        .maintenanceInterval("archive")).hasMessageContaining("HUB_MAINTENANCE_ARCHIVE_INTERVAL_MS");
    assertThat(new HubConfig(new JsonObject().put("HUB_MAINTENANCE_INTERVAL_MS", "500")).maintenanceInterval("history"))
        .isEqualTo(Duration.ofMillis(500));
    assertThat(new HubConfig(new JsonObject()).retention().archiveFailedAfter()).isEqualTo(Duration.ofDays(30));
  }

  private static String post(TestHub hub, TestHub.Tenant t, String key) {
    // due in a month, so the send loop leaves it alone until the test moves it
    Http.Res res = hub.http.post("/instances/arch-1/messages", t.key(), new JsonObject().put("to", "+4915112345678")
            .put("text", "retention " + key).put("sendAt", Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString()),
        Map.of("Idempotency-Key", key));
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    return res.json().getString("id");
  }

  private static void fail(TestHub hub, String id, String ago) {
    assertThat(hub.sql.update("UPDATE messages SET status = 'failed', attempts = 5, last_error_code = 'provider_error', "
        + "last_error = 'provider answered 500', send_at = NULL, finalized_at = now() - interval '" + ago + "' WHERE id = ?::uuid", id))
        .isEqualTo(1);
  }

  private static Object archivedAt(TestHub hub, String id) {
    return hub.sql.rows("SELECT archived_at FROM messages WHERE id = ?::uuid", id).get(0).get("archived_at");
  }

  private static String status(TestHub hub, String id) {
    return (String) hub.sql.rows("SELECT status FROM messages WHERE id = ?::uuid", id).get(0).get("status");
  }

  private static List<String> ids(TestHub hub, TestHub.Tenant t, String path) {
    Http.Res res = hub.http.get(path, t.key());
    assertThat(res.status()).as(path + " " + res.body()).isEqualTo(200);
    JsonArray items = res.json().getJsonArray("items");
    return items.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }
}
