package org.wahub.delivery;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stopping the hub while a send is in flight finishes that send; nothing is left in doubt. */
@ExtendWith(VertxExtension.class)
class GracefulShutdownTest {

  @Test
  void aGracefulStopFinishesTheInFlightSendAndLeavesNothingInDoubt(Vertx vertx) {
    String db = TestPg.newDatabaseUrl();
    TestHub first = TestHub.start(vertx, db, Map.of());
    TestHub.Tenant t = first.tenant("shutdown-shop");
    first.instance(t, "slow", new JsonObject().put("provider", new JsonObject().put("type", "simulator")
            .put("pairingMs", 0).put("latencyMs", 700))
        .put("pacing", new JsonObject().put("minIntervalMs", 0)));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(first.http.post("/instances/slow/messages", t.key(),
          new JsonObject().put("to", "+4915112345678").put("text", "m" + i)).json().getString("id"));
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        first.sql.count("SELECT count(*) FROM messages WHERE status = 'sending'") == 1);
    first.close();

    // the send that was in flight finished and was recorded; nothing is left claimed
    assertThat(first.sql.count("SELECT count(*) FROM messages WHERE status = 'sending'")).isZero();
    assertThat(first.sql.count("SELECT count(*) FROM messages WHERE status = 'sent'")).isGreaterThanOrEqualTo(1);
    assertThat(first.sql.count("SELECT count(*) FROM messages WHERE status = 'in_doubt'")).isZero();
    long sentBefore = first.sql.count("SELECT count(*) FROM simulator_sends WHERE outcome = 'sent'");
    assertThat(sentBefore).isEqualTo(first.sql.count("SELECT count(*) FROM messages WHERE status = 'sent'"));

    TestHub second = TestHub.start(vertx, db, Map.of());
    try {
      Http http = second.http;
      await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id ->
          "sent".equals(http.get("/messages/" + id, t.key()).json().getString("status"))));
      assertThat(second.sql.count("SELECT count(*) FROM messages WHERE status = 'in_doubt'")).isZero();
      // every message reached the phone exactly once
      assertThat(second.sql.count("SELECT count(*) FROM simulator_sends WHERE outcome = 'sent'")).isEqualTo(5);
      assertThat(second.sql.count("SELECT count(DISTINCT message_id) FROM simulator_sends WHERE outcome = 'sent'")).isEqualTo(5);
    } finally {
      second.close();
    }
  }
}
