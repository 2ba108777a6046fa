package org.wahub.api;

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

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class MessageReadTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static TestHub.Tenant other;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx);
    http = hub.http;
    shop = hub.tenant("read-shop");
    other = hub.tenant("read-other");
    hub.instance(shop, "r1", new JsonObject().put("maxQueueSize", 1000));
    hub.instance(shop, "r2", null);
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  String post(String instance, String to, String text) {
    Http.Res res = http.post("/instances/" + instance + "/messages", shop.key(),
        new JsonObject().put("to", to).put("text", text).put("metadata", new JsonObject().put("order", text)));
    assertThat(res.status()).isEqualTo(202);
    return res.json().getString("id");
  }

  @Test
  void oneMessageWithItsHistory() {
    String id = post("r1", "+4915112345678", "hello");
    Http.Res res = http.get("/messages/" + id, shop.key());
    assertThat(res.status()).isEqualTo(200);
    JsonObject m = res.json();
    assertThat(m.getString("id")).isEqualTo(id);
    assertThat(m.getString("instanceId")).isEqualTo("r1");
    assertThat(m.getString("to")).isEqualTo("+4915112345678");
    assertThat(m.getString("kind")).isEqualTo("text");
    assertThat(m.getString("status")).isEqualTo("queued");
    assertThat(m.getInteger("attempts")).isZero();
    assertThat(m.getJsonObject("content").getString("text")).isEqualTo("hello");
    assertThat(m.getJsonObject("metadata").getString("order")).isEqualTo("hello");
    assertThat(m.getString("createdAt")).isNotNull();
    JsonArray history = m.getJsonArray("history");
    assertThat(history).hasSize(1);
    assertThat(history.getJsonObject(0).getString("to")).isEqualTo("queued");
    assertThat(history.getJsonObject(0).getString("event")).isEqualTo("accepted");

    assertThat(http.get("/messages/" + id, other.key()).status()).isEqualTo(404);
    assertThat(http.get("/messages/not-a-uuid", shop.key()).status()).isEqualTo(404);
    assertThat(http.get("/messages/00000000-0000-0000-0000-000000000000", shop.key()).status()).isEqualTo(404);
  }

  @Test
  void keysetPagesAreStableUnderInserts() {
    TestHub.Tenant pager = hub.tenant("pager");
    hub.instance(pager, "pg1", null);
    List<String> posted = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      posted.add(http.post("/instances/pg1/messages", pager.key(),
          new JsonObject().put("to", "+4915112345678").put("text", "p" + i)).json().getString("id"));
    }
    List<String> seen = new ArrayList<>();
    Http.Res page = http.get("/messages?instance=pg1&limit=3", pager.key());
    seen.addAll(ids(page));
    // rows arriving while the client pages through do not shift or repeat earlier pages
    for (int i = 7; i < 10; i++) {
      posted.add(http.post("/instances/pg1/messages", pager.key(),
          new JsonObject().put("to", "+4915112345678").put("text", "p" + i)).json().getString("id"));
    }
    while (page.json().getString("nextCursor") != null) {
      page = http.get("/messages?instance=pg1&limit=3&after=" + page.json().getString("nextCursor"), pager.key());
      assertThat(page.status()).isEqualTo(200);
      seen.addAll(ids(page));
    }
    assertThat(seen).containsExactlyElementsOf(posted);
  }

  @Test
  void filtersByStatusChatAndInstance() {
    TestHub.Tenant f = hub.tenant("filters");
    hub.instance(f, "f1", null);
    hub.instance(f, "f2", null);
    String a = http.post("/instances/f1/messages", f.key(), new JsonObject().put("to", "+4915112345678").put("text", "a")).json().getString("id");
    http.post("/instances/f1/messages", f.key(), new JsonObject().put("to", "+4915199999999").put("text", "b"));
    http.post("/instances/f2/messages", f.key(), new JsonObject().put("to", "+4915112345678").put("text", "c"));
    hub.sql.update("UPDATE messages SET status = 'failed', finalized_at = now() WHERE id = ?::uuid", a);

    assertThat(ids(http.get("/messages?instance=f1", f.key()))).hasSize(2);
    assertThat(ids(http.get("/messages?instance=f1&status=failed", f.key()))).containsExactly(a);
    assertThat(ids(http.get("/messages?instance=f1&status=queued", f.key()))).hasSize(1);
    assertThat(ids(http.get("/messages?chat=%2B4915112345678", f.key()))).hasSize(2);
    assertThat(ids(http.get("/messages?chat=4915112345678@c.us&instance=f2", f.key()))).hasSize(1);
    assertThat(ids(http.get("/messages", f.key()))).hasSize(3);
    // another tenant's instance filter shows nothing
    assertThat(ids(http.get("/messages?instance=f1", other.key()))).isEmpty();

    for (String bad : List.of("status=bogus", "after=xyz", "limit=201", "limit=-1", "chat=nonsense", "instance=../x", "color=red")) {
      Http.Res res = http.get("/messages?" + bad, f.key());
      assertThat(res.status()).as(bad).isEqualTo(400);
      assertThat(res.header("Content-Type")).startsWith("application/problem+json");
    }
  }

  private static List<String> ids(Http.Res res) {
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    res.json().getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

}
