package org.wahub.provider.adapter;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.wahub.support.Http;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A reference adapter, written only from docs/adapter-protocol.md: it reads the SSE stream with a
 * plain JDK HTTP client, keeps a "phone" that sends each messageId at most once (the protocol's
 * dedupe rule), and answers with ack + confirm. A {@link #behaviour} decides per dispatch what it
 * does instead, so tests can drop connections, stay silent or fail.
 */
final class ReferenceAdapter implements AutoCloseable {

  /** What the adapter does with one dispatch. */
  enum Reaction { CONFIRM, IGNORE, DROP_STREAM, FAIL_RETRIABLE, FAIL_PERMANENT }

  private final String base;
  private final String instanceId;
  private final String token;
  private final Http http;
  private final HttpClient client = HttpClient.newHttpClient();
  /** Every dispatch event received, in order: {id, messageId}. */
  final List<JsonObject> dispatches = new CopyOnWriteArrayList<>();
  /** What the phone sent: messageId → external id. Never two entries for one messageId. */
  final Map<String, String> phone = new ConcurrentHashMap<>();
  final AtomicInteger phoneSends = new AtomicInteger();
  final List<String> controls = new CopyOnWriteArrayList<>();
  final List<String> closes = new CopyOnWriteArrayList<>();
  final AtomicInteger pings = new AtomicInteger();
  volatile Function<JsonObject, Reaction> behaviour = d -> Reaction.CONFIRM;
  private volatile String lastEventId;
  private volatile InputStream open;
  private volatile Thread reader;

  ReferenceAdapter(int port, String instanceId, String token) {
    this.base = "http://127.0.0.1:" + port;
    this.instanceId = instanceId;
    this.token = token;
    this.http = new Http(port);
  }

  /** Opens the stream (with Last-Event-ID after the first) and reads it on a thread of its own. */
  int connect() throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/instances/" + instanceId + "/adapter/stream"))
        .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream");
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> res = client.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    if (res.statusCode() != 200) {
      res.body().close();
      return res.statusCode();
    }
    InputStream in = res.body();
    open = in;
    reader = new Thread(() -> read(in), "reference-adapter-" + instanceId);
    reader.setDaemon(true);
    reader.start();
    return 200;
  }

  void disconnect() throws Exception {
    InputStream in = open;
    open = null;
    if (in != null) {
      in.close();
    }
  }

  private void read(InputStream in) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String id = null;
      String event = null;
      StringBuilder data = new StringBuilder();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) {
          if (event != null) {
            if (!handle(id, event, data.toString())) {
              return;
            }
          }
          id = null;
          event = null;
          data.setLength(0);
        } else if (line.startsWith(":")) {
          if (line.startsWith(": ping")) {
            pings.incrementAndGet();
          }
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
    } catch (Exception e) {
      // the stream was closed (by us or by the hub)
    }
  }

  /** @return false when the stream must be left */
  private boolean handle(String id, String event, String data) throws Exception {
    JsonObject body = new JsonObject(data);
    switch (event) {
      case "dispatch" -> {
        dispatches.add(new JsonObject().put("id", id).put("messageId", body.getString("messageId")));
        Reaction reaction = behaviour.apply(body);
        if (reaction == Reaction.DROP_STREAM) {
          // the dispatch arrived but the adapter dies before acknowledging it
          disconnect();
          return false;
        }
        lastEventId = id;
        if (reaction != Reaction.IGNORE) {
          answer(body.getString("messageId"), reaction);
        }
      }
      case "control" -> controls.add(body.getString("action"));
      case "close" -> {
        closes.add(body.getString("reason"));
        return false;
      }
      default -> { }
    }
    return true;
  }

  private void answer(String messageId, Reaction reaction) {
    post("/messages/" + messageId + "/ack", new JsonObject());
    switch (reaction) {
      case CONFIRM -> {
        String external = phone.computeIfAbsent(messageId, m -> {
          phoneSends.incrementAndGet();
          return "ext-" + m;
        });
        post("/messages/" + messageId + "/confirm", new JsonObject().put("externalId", external));
      }
      case FAIL_RETRIABLE -> post("/messages/" + messageId + "/fail",
          new JsonObject().put("reason", "phone offline").put("retriable", true));
      case FAIL_PERMANENT -> post("/messages/" + messageId + "/fail",
          new JsonObject().put("reason", "no such WhatsApp user").put("retriable", false).put("code", "not_on_whatsapp"));
      default -> { }
    }
  }

  Http.Res post(String path, JsonObject body) {
    return http.post(path, token, body);
  }

  Http.Res report(JsonObject... events) {
    return post("/instances/" + instanceId + "/adapter/events", new JsonObject().put("events", new JsonArray(List.of((Object[]) events))));
  }

  static JsonObject state(String state) {
    return new JsonObject().put("type", "state").put("state", state);
  }

  @Override
  public void close() throws Exception {
    disconnect();
  }

  static Duration patience() {
    return Duration.ofSeconds(15);
  }
}
