package org.wahub.event;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.Outbox;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /events} against the real hub: replay after a position, resume with Last-Event-ID
 * (exactly the missed events, in order, none twice), live events woken by the commit's NOTIFY,
 * filters, tenant scope, pings, a slow client dropped, and a 400/404 problem for every bad input.
 * Small pages (3) so replay crosses page boundaries.
 */
@ExtendWith(VertxExtension.class)
class EventStreamTest {

  static TestHub hub;
  static Http http;
  static TestHub.Tenant shop;
  static TestHub.Tenant rival;
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), Map.of(
        "HUB_EVENTS_PAGE_SIZE", 3,
        "HUB_EVENTS_PING_MS", 300,
        "HUB_EVENTS_SLOW_CLIENT_MS", 500));
    http = hub.http;
    shop = hub.tenant("stream-shop");
    rival = hub.tenant("stream-rival");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  /** One parsed SSE event. */
  record Sse(String id, String type, JsonObject body) {
  }

  /** A stream read line by line on its own thread. */
  static final class Reader implements AutoCloseable {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final HttpResponse<Stream<String>> response;
    final Thread thread;

    Reader(String query, String key, Map<String, String> headers) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port + "/events" + query))
          .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream");
      headers.forEach(b::header);
      response = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines());
      thread = new Thread(() -> {
        try {
          response.body().forEach(lines::add);
        } catch (RuntimeException e) {
          // closed
        }
      });
      thread.setDaemon(true);
      thread.start();
    }

    List<Sse> events() {
      List<Sse> out = new ArrayList<>();
      String id = null;
      String type = null;
      String data = null;
      for (String line : List.copyOf(lines)) {
        if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        } else if (line.isEmpty() && data != null) {
          out.add(new Sse(id, type, new JsonObject(data)));
          data = null;
          type = null;
        }
      }
      return out;
    }

    List<Sse> awaitEvents(int n) {
      await().atMost(Duration.ofSeconds(10)).until(() -> events().size() >= n);
      return events();
    }

    @Override
    public void close() {
      response.body().close();
      thread.interrupt();
    }
  }

  static Reader open(String query, TestHub.Tenant t) throws Exception {
    return open(query, t, Map.of());
  }

  static Reader open(String query, TestHub.Tenant t, Map<String, String> headers) throws Exception {
    Reader r = new Reader(query, t.key(), headers);
    assertThat(r.response.statusCode()).isEqualTo(200);
    assertThat(r.response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    return r;
  }

  static void append(TestHub.Tenant t, String instance, String type, int n) {
    Outbox.append(hub, t.id(), instance, java.util.UUID.randomUUID().toString(), type, new JsonObject().put("n", n));
  }

  static List<Integer> ns(List<Sse> events) {
    return events.stream().map(e -> e.body().getJsonObject("data").getInteger("n")).toList();
  }

  @Test
  void replayThenResumeWithLastEventIdGetsExactlyTheMissedEventsInOrder() throws Exception {
    TestHub.Tenant t = hub.tenant("stream-replay");
    for (int i = 1; i <= 7; i++) {
      append(t, "inst-r", "message.sent", i);
      append(rival, "inst-r", "message.sent", 100 + i); // another tenant's, interleaved
    }
    List<Sse> first;
    try (Reader r = open("?after=0-0", t)) {
      first = r.awaitEvents(7);
    }
    assertThat(ns(first)).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(first).allSatisfy(e -> {
      assertThat(e.type()).isEqualTo("message.sent");
      assertThat(e.body().getString("type")).isEqualTo("message.sent");
      assertThat(e.body().getJsonObject("data").getString("tenantId")).isEqualTo(t.id());
      assertThat(e.id()).matches("[0-9]+-[0-9]+");
    });
    assertThat(first.stream().map(Sse::id).distinct()).hasSize(7);

    // the client saw up to #4, then the connection dropped; meanwhile #8 and #9 happened
    append(t, "inst-r", "message.sent", 8);
    append(t, "inst-r", "message.sent", 9);
    // Last-Event-ID wins over the ?after= of the original URL (what a browser does on reconnect)
    try (Reader r = open("?after=0-0", t, Map.of("Last-Event-ID", first.get(3).id()))) {
      List<Sse> resumed = r.awaitEvents(5);
      // live: woken by the commit, no polling
      append(t, "inst-r", "message.sent", 10);
      resumed = r.awaitEvents(6);
      Thread.sleep(300);
      assertThat(ns(r.events())).containsExactly(5, 6, 7, 8, 9, 10);
      assertThat(resumed.get(0).id()).isEqualTo(first.get(4).id());
    }
  }

  @Test
  void withoutAPositionOnlyNewEventsAreSentAndPingsKeepItAlive() throws Exception {
    TestHub.Tenant t = hub.tenant("stream-live");
    append(t, "inst-l", "message.sent", 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> true);
    try (Reader r = open("", t)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> r.lines.contains(": ping"));
      assertThat(r.events()).isEmpty();
      append(t, "inst-l", "message.failed", 2);
      assertThat(ns(r.awaitEvents(1))).containsExactly(2);
      await().atMost(Duration.ofSeconds(5)).until(() -> r.lines.stream().filter(": ping"::equals).count() >= 2);
      assertThat(r.lines.get(0)).isEqualTo("retry: " + EventStream.RETRY_MS);
    }
  }

  @Test
  void typesAndInstanceFilterAndAnotherTenantsEventsNeverShow() throws Exception {
    TestHub.Tenant t = hub.tenant("stream-filter");
    hub.instance(t, "sf-one", null);
    hub.instance(t, "sf-two", null);
    append(t, "sf-one", "message.sent", 1);
    append(t, "sf-one", "message.failed", 2);
    append(t, "sf-two", "message.failed", 3);
    append(t, "sf-one", "message.expired", 4);
    append(rival, "sf-one", "message.failed", 5); // same instance id, another tenant: never this stream's
    append(t, "sf-one", "message.failed", 6);
    try (Reader r = open("?after=0-0&types=message.failed,message.expired&instance=sf-one", t)) {
      r.awaitEvents(3);
      Thread.sleep(300);
      assertThat(ns(r.events())).containsExactly(2, 4, 6);
    }
    // the instance's own state changes are real events of the delivery path
    try (Reader r = open("?after=0-0&types=instance.needs_qr&instance=sf-two", t)) {
      List<Sse> qr = r.awaitEvents(1);
      assertThat(qr.get(0).body().getJsonObject("data").getString("qr")).startsWith("sim-qr:");
    }
    // the rival cannot name this tenant's instance
    Http.Res foreign = http.send("GET", "/events?instance=sf-one", rival.key(), null, null, Map.of());
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.header("content-type")).startsWith("application/problem+json");
  }

  @Test
  void everyBadInputIsAProblem() {
    Map<String, Integer> cases = new java.util.LinkedHashMap<>();
    cases.put("?types=message.nope", 400);
    cases.put("?types=", 400);
    cases.put("?types=message.sent,", 400);
    cases.put("?types=MESSAGE.SENT", 400);
    cases.put("?after=abc", 400);
    cases.put("?after=1-", 400);
    cases.put("?after=-1-2", 400);
    cases.put("?after=01-2", 400);
    cases.put("?after=99999999999999999999-1", 400);
    cases.put("?after=1-2&after=3-4", 400);
    cases.put("?types=message.sent&types=message.failed", 400);
    cases.put("?instance=no%20such", 400);
    cases.put("?instance=does-not-exist", 404);
    cases.forEach((query, status) -> {
      Http.Res res = http.send("GET", "/events" + query, shop.key(), null, null, Map.of());
      assertThat(res.status()).as(query + " " + res.body()).isEqualTo(status);
      assertThat(res.header("content-type")).as(query).startsWith("application/problem+json");
    });
    for (String bad : List.of("x", "1-2-3", "1 -2", "")) {
      Http.Res res = http.send("GET", "/events", shop.key(), null, null, Map.of("Last-Event-ID", bad));
      assertThat(res.status()).as("Last-Event-ID '" + bad + "'").isEqualTo(400);
      assertThat(res.json().toString()).contains("Last-Event-ID");
    }
  }

  @Test
  void aClientThatDoesNotReadIsDroppedInsteadOfGrowingMemory() throws Exception {
    TestHub.Tenant t = hub.tenant("stream-slow");
    // ~12 MB of events: far more than the socket buffers and the response's write queue hold
    hub.sql.update("INSERT INTO events (tenant_id, instance_id, message_id, type, at, data) "
        + "SELECT ?, 'slow', NULL, 'message.sent', now(), jsonb_build_object('n', g, 'pad', repeat('x', 40000)) "
        + "FROM generate_series(1, 300) g", t.id());
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(new InetSocketAddress("127.0.0.1", hub.port));
      OutputStream out = s.getOutputStream();
      out.write(("GET /events?after=0-0 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + t.key()
          + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // not reading: the hub's write queue fills and stays full past HUB_EVENTS_SLOW_CLIENT_MS (500 ms)
      Thread.sleep(2500);
      // now read what is left: the stream must end (closed by the hub), long before 300 events
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[65536];
      long total = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      boolean closed = false;
      try {
        for (int n; System.nanoTime() < deadline; ) {
          n = in.read(buf);
          if (n == -1) {
            closed = true;
            break;
          }
          total += n;
        }
      } catch (java.net.SocketException reset) {
        closed = true; // a reset is a close too
      }
      assertThat(closed).as("the hub closed the stream").isTrue();
      assertThat(total).as("bytes before the hub closed the stream").isLessThan(300L * 40_000);
    }
    // and the client can come back and continue from what it had (here: from the start)
    try (Reader r = open("?after=0-0&types=message.sent", t)) {
      r.awaitEvents(3);
    }
  }
}
