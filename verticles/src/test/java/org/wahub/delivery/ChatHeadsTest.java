package org.wahub.delivery;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.hub.message.MessageStatus;
import org.wahub.hub.message.PendingMessage;
import org.wahub.support.Http;
import org.wahub.support.TestHub;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The store's read of an instance's queue for the send loop: each chat's head followed by the
 * chat's next messages, in FIFO order, bounded per chat and in chats, and no chat whose head is in
 * flight. The instance stays at NEEDS_QR, so the hub's own loop never claims anything here.
 */
@ExtendWith(VertxExtension.class)
class ChatHeadsTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static Pool pool;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx);
    http = hub.http;
    shop = hub.tenant("heads-shop");
    pool = hub.newPool(2);
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void eachHeadComesWithItsChatsNextMessagesAndAChatInFlightHasNone() {
    hub.instance(shop, "heads", null);
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Http.Res res = http.get("/instances/heads/status", shop.key());
      return res.status() == 200 && "NEEDS_QR".equals(res.json().getString("state"));
    });
    String a1 = post("+4915100000001", "a1");
    String b1 = post("+4915100000002", "b1");
    String a2 = post("+4915100000001", "a2");
    String a3 = post("+4915100000001", "a3");
    String b2 = post("+4915100000002", "b2");
    String c1 = post("+4915100000003", "c1");
    DeliveryStore store = new DeliveryStore(pool);
    Instant now = Instant.now().plusSeconds(1);

    // heads in sending order (a1 is the oldest), each chat's followers right behind it, FIFO
    assertThat(ids(TestHub.join(store.heads("heads", now, 64, 8)))).containsExactly(a1, a2, a3, b1, b2, c1);
    // two per chat, the head included
    assertThat(ids(TestHub.join(store.heads("heads", now, 64, 2)))).containsExactly(a1, a2, b1, b2, c1);
    // the cut is in chats, never inside a chat's run
    assertThat(ids(TestHub.join(store.heads("heads", now, 2, 8)))).containsExactly(a1, a2, a3, b1, b2);
    assertThat(TestHub.join(store.heads("heads", now, 64, 8))).allSatisfy(m -> assertThat(m.status()).isEqualTo(MessageStatus.QUEUED));

    // a1 in flight: chat a has no candidate at all, not even a2
    assertThat(TestHub.join(store.claim("heads", UUID.fromString(a1), now, "owner", now.plusSeconds(30)))).isNotNull();
    assertThat(ids(TestHub.join(store.heads("heads", now, 64, 8)))).containsExactly(b1, b2, c1);
  }

  private static String post(String to, String text) {
    Http.Res res = http.post("/instances/heads/messages", shop.key(), new JsonObject().put("to", to).put("text", text));
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    return res.json().getString("id");
  }

  private static List<String> ids(List<PendingMessage> heads) {
    return heads.stream().map(PendingMessage::id).toList();
  }

}
