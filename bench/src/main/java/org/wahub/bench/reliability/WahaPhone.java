package org.wahub.bench.reliability;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WAHA server for the harness, and the phone behind it: the session routes the hub's waha provider
 * calls ({@code GET/POST/PUT /api/sessions…}, start, stop, restart) and {@code POST /api/sendText},
 * which records the message as sent <em>before</em> it answers — and then, for a seeded share of the
 * sends, closes the connection instead of answering (WhatsApp has the message, the hub never learns
 * it). That is the in-doubt case in its purest form: WAHA does not deduplicate by any client id, so
 * the hub must report the message {@code in_doubt} and never send it again by itself.
 *
 * <p>The wire shapes are WAHA's (PROVIDERS.md §2; the WEBJS answer of sendText); the request bodies
 * are checked against WAHA's OpenAPI schema by the verticles module's tests
 * ({@code provider/waha/FakeWaha}), not here. Its phone log has the simulator's shape
 * ({@code messageId, outcome, attempt, at}) so {@link Audit} reconciles both alike; a send is tied to
 * its message through the text the posters put in it ({@code "reliability <key>"}).
 */
final class WahaPhone implements AutoCloseable {

  static final String API_KEY = "waha-harness-api-key-7c1d";
  private static final Pattern TEXT_KEY = Pattern.compile("^reliability (\\S+)$");

  /** One message that reached WhatsApp: whose session, its text, when, and whether the hub got an answer. */
  record Send(String session, String chatId, String text, Instant at, boolean dropped) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final Random random;
  private final double dropRate;
  private final Map<String, String> sessions = new ConcurrentHashMap<>();
  private final List<Send> sends = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger ids = new AtomicInteger();
  private HttpServer server;

  WahaPhone(long seed, double dropRate) {
    this.random = new Random(seed);
    this.dropRate = dropRate;
  }

  int start() throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      try {
        handle(req, body.length() == 0 ? new JsonObject() : body.toJsonObject());
      } catch (RuntimeException e) {
        unexpected.add(req.method() + " " + req.path() + ": " + e);
        answer(req, 400, new JsonObject().put("statusCode", 400).put("message", String.valueOf(e.getMessage())));
      }
    }));
    return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
  }

  private void handle(HttpServerRequest req, JsonObject body) {
    if (!API_KEY.equals(req.getHeader("X-Api-Key"))) {
      answer(req, 401, new JsonObject().put("message", "Unauthorized").put("statusCode", 401));
      return;
    }
    String method = req.method().name();
    String path = req.path();
    Matcher m;
    if (method.equals("POST") && path.equals("/api/sendText")) {
      sendText(req, body);
    } else if (method.equals("POST") && path.equals("/api/sessions")) {
      String name = body.getString("name", "default");
      if (sessions.putIfAbsent(name, Boolean.TRUE.equals(body.getValue("start")) ? "WORKING" : "STOPPED") != null) {
        error(req, 422, "Session '" + name + "' already exists. Use PUT to update it.");
      } else {
        answer(req, 201, dto(name));
      }
    } else if ((m = Pattern.compile("^/api/sessions/([A-Za-z0-9_-]+)(/start|/stop|/restart)?$").matcher(path)).matches()) {
      String name = m.group(1);
      String op = m.group(2);
      if (!sessions.containsKey(name)) {
        error(req, 404, "Session not found");
      } else if (op == null && method.equals("GET")) {
        answer(req, 200, dto(name));
      } else if (op == null && method.equals("PUT")) {
        answer(req, 200, dto(name));
      } else if (op != null && method.equals("POST")) {
        sessions.put(name, op.equals("/stop") ? "STOPPED" : "WORKING");
        answer(req, 201, dto(name));
      } else {
        unexpected.add(method + " " + path);
        error(req, 404, "Cannot " + method + " " + path);
      }
    } else {
      unexpected.add(method + " " + path);
      error(req, 404, "Cannot " + method + " " + path);
    }
  }

  private void sendText(HttpServerRequest req, JsonObject body) {
    String session = body.getString("session");
    if (!"WORKING".equals(sessions.get(session))) {
      answer(req, 422, new JsonObject().put("error", "Session status is not as expected. Try again later or restart the session")
          .put("session", session).put("status", sessions.get(session)).put("expected", new JsonArray().add("WORKING")));
      return;
    }
    boolean drop;
    synchronized (random) {
      drop = random.nextDouble() < dropRate;
    }
    String chatId = body.getString("chatId");
    sends.add(new Send(session, chatId, body.getString("text"), Instant.now(), drop));
    if (drop) {
      // handed to WhatsApp, then the connection dies before the answer
      req.connection().close();
      return;
    }
    String raw = "3EB0" + Long.toHexString(System.nanoTime()).toUpperCase() + ids.incrementAndGet();
    answer(req, 201, new JsonObject()
        .put("id", new JsonObject().put("fromMe", true).put("remote", chatId).put("id", raw)
            .put("_serialized", "true_" + chatId + "_" + raw))
        .put("ack", 0).put("timestamp", System.currentTimeMillis() / 1000).put("from", "4915100000000@c.us")
        .put("to", chatId).put("fromMe", true).put("body", body.getString("text")));
  }

  /**
   * The phone's log of one session in the simulator's shape, each send tied to the message id the
   * hub gave its key; a send whose key nobody was given keeps the key as its id (and is reported).
   */
  List<JsonObject> log(String session, Ledger ledger) {
    List<JsonObject> out = new ArrayList<>();
    Map<String, Integer> attempts = new java.util.HashMap<>();
    for (Send s : sends()) {
      if (!s.session().equals(session)) {
        continue;
      }
      Matcher m = TEXT_KEY.matcher(s.text() == null ? "" : s.text());
      String key = m.matches() ? m.group(1) : "?" + s.text();
      Ledger.Entry e = ledger.entries.get(key);
      String id = key;
      if (e != null) {
        synchronized (e) {
          if (e.ids.size() == 1) {
            id = e.ids.iterator().next();
          }
        }
      }
      out.add(new JsonObject().put("messageId", id).put("outcome", "sent").put("attempt", attempts.merge(id, 1, Integer::sum))
          .put("at", s.at().toString()).put("dropped", s.dropped()));
    }
    return out;
  }

  List<Send> sends() {
    synchronized (sends) {
      return List.copyOf(sends);
    }
  }

  /** Requests the fake does not serve: the hub called something of WAHA the harness did not expect. */
  List<String> unexpected() {
    synchronized (unexpected) {
      return List.copyOf(unexpected);
    }
  }

  private JsonObject dto(String name) {
    return new JsonObject().put("name", name).put("status", sessions.get(name)).put("config", new JsonObject());
  }

  private static void error(HttpServerRequest req, int status, String message) {
    answer(req, status, new JsonObject().put("statusCode", status).put("message", message));
  }

  private static void answer(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
