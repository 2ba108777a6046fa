package org.wahub.dashboard;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.wahub.support.Chromium;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page's event-stream client ({@code webroot/assets/events.js}) in the browser against a
 * scripted {@code GET /events}: it sends the key in the Authorization header (which EventSource
 * cannot), reconnects after the server closes the stream, carrying {@code Last-Event-ID} so the
 * hub can replay what was missed, and tells an absent route and a refused key apart from a drop.
 * Independent of the hub's own {@code /events}, so it pins the client's side of the contract.
 */
@ExtendWith(VertxExtension.class)
class DashboardStreamTest {

  static ChromeDriver driver;
  static HttpServer server;
  static final List<JsonObject> connections = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    driver = Chromium.start();
    Router router = Router.router(vertx);
    router.get("/").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html")
        .end("<!doctype html><title>stream test</title>"));
    router.get("/assets/*").handler(StaticHandler.create("webroot/assets").setCachingEnabled(false));
    router.get("/events").handler(ctx -> {
      HttpServerResponse res = ctx.response();
      String auth = ctx.request().getHeader("Authorization");
      String last = ctx.request().getHeader("Last-Event-ID");
      connections.add(new JsonObject().put("authorization", auth).put("lastEventId", last)
          .put("accept", ctx.request().getHeader("Accept")));
      if (!"Bearer wah_stream-test-key".equals(auth)) {
        res.setStatusCode(401).end();
        return;
      }
      res.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-store");
      if (last == null) {
        // first connection: two events, the second split across writes, then the server hangs up
        res.write("retry: 200\n\n: ping\n\n");
        res.write(event(1, "message.sent", new JsonObject().put("messageId", "m-1").put("instanceId", "i-1")));
        String second = event(2, "instance.state_changed", new JsonObject().put("instanceId", "i-1"));
        res.write(second.substring(0, 17));
        vertx.setTimer(50, t -> res.write(second.substring(17)).compose(x -> res.end()));
      } else {
        // the reconnect: what came after the last id it saw; stays open
        res.write(event(3, "message.failed", new JsonObject().put("messageId", "m-2").put("instanceId", "i-1")));
      }
    });
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String event(int id, String type, JsonObject data) {
    JsonObject payload = new JsonObject().put("type", type).put("timestamp", "2026-01-01T00:00:00Z").put("data", data);
    return "id: " + id + "\nevent: " + type + "\ndata: " + payload.encode() + "\n\n";
  }

  @AfterAll
  static void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static JsonObject run(String options, int events) {
    driver.get("http://127.0.0.1:" + server.actualPort() + "/");
    Object out = ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1]; const want = arguments[0];"
            + "import('/assets/events.js').then(({EventStream}) => {"
            + "  const events = [], states = [];"
            + "  const finish = () => { s.stop(); done(JSON.stringify({events, states})); };"
            + "  const s = new EventStream(Object.assign({"
            + "    onEvent: e => { events.push(e); if (events.length === want) finish(); },"
            + "    onState: st => { states.push(st); if (want === 0 && st !== 'connecting') finish(); },"
            + "  }, " + options + "));"
            + "  s.start();"
            + "}).catch(e => done(JSON.stringify({error: String(e)})));", events);
    return new JsonObject((String) out);
  }

  @Test
  void reconnectsWithTheLastEventIdAndTheKeyInTheHeader() {
    connections.clear();
    JsonObject result = run("{key: 'wah_stream-test-key'}", 3);
    JsonArray events = result.getJsonArray("events");
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("type")).toList())
        .containsExactly("message.sent", "instance.state_changed", "message.failed");
    assertThat(new JsonObject(events.getJsonObject(0).getString("data")).getJsonObject("data").getString("messageId"))
        .isEqualTo("m-1");
    assertThat(events.getJsonObject(2).getString("id")).isEqualTo("3");
    assertThat(result.getJsonArray("states").getList()).containsSubsequence("connecting", "live", "connecting", "live");

    assertThat(connections).hasSize(2);
    assertThat(connections.get(0).getString("authorization")).isEqualTo("Bearer wah_stream-test-key");
    assertThat(connections.get(0).getString("accept")).isEqualTo("text/event-stream");
    assertThat(connections.get(0).getString("lastEventId")).isNull();
    assertThat(connections.get(1).getString("lastEventId")).isEqualTo("2");
    assertThat(connections.get(1).getString("authorization")).isEqualTo("Bearer wah_stream-test-key");
  }

  @Test
  void aHubWithoutTheRouteIsAbsentAndARefusedKeyStops() {
    assertThat(run("{key: 'wah_stream-test-key', url: '/no-events-here'}", 0).getJsonArray("states").getList())
        .containsExactly("connecting", "absent");
    assertThat(run("{key: 'wah_wrong'}", 0).getJsonArray("states").getList())
        .containsExactly("connecting", "unauthorized");
  }
}
