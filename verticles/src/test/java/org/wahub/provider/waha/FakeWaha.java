package org.wahub.provider.waha;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local WAHA server that speaks the documented wire format (PROVIDERS.md §2): sessions with their
 * statuses, QR and pairing code, sendText and sendPoll with the engines' answer shapes, NestJS error
 * bodies, {@code X-Api-Key}, and webhooks signed with the session's HMAC key. Every request body
 * the hub sends is validated against WAHA's official OpenAPI schema ({@link WahaSpec}); a request
 * that does not validate is answered 400 and recorded in {@link #violations()}, which every test
 * checks is empty.
 *
 * <p>Runs on its own Vert.x context; its state is read by the tests from other threads, hence the
 * concurrent collections.
 */
final class FakeWaha implements AutoCloseable {

  static final String API_KEY = "waha-fake-api-key-3f9c1e";

  /** What a send answers instead of success: a status and body, or a dropped connection. */
  record Scripted(int status, JsonObject body, boolean drop) {
    static Scripted answer(int status, JsonObject body) {
      return new Scripted(status, body, false);
    }

    static Scripted dropAfterHandOff() {
      return new Scripted(0, null, true);
    }
  }

  /** One request as received. */
  record Request(String method, String path, String template, JsonObject body) {
  }

  /** One message the fake's phone sent. */
  record Sent(String kind, String session, String chatId, JsonObject body, String id) {
  }

  static final class Session {
    final String name;
    volatile String status;
    volatile JsonObject config;
    volatile boolean paired;

    Session(String name, JsonObject config) {
      this.name = name;
      this.config = config == null ? new JsonObject() : config;
    }
  }

  private final Vertx vertx;
  private final WahaSpec spec = new WahaSpec();
  private final HttpClient hooks;
  private HttpServer server;

  final Map<String, Session> sessions = new ConcurrentHashMap<>();
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
  final Deque<Scripted> script = new ConcurrentLinkedDeque<>();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger validated = new AtomicInteger();
  private final AtomicInteger counter = new AtomicInteger();

  /** WEBJS (whatsapp-web.js message objects) or NOWEB (Baileys WebMessageInfo) answer shapes. */
  volatile String engine = "WEBJS";
  /** WAHA Core serves only the session "default". */
  volatile boolean core;
  /** A new session is paired (goes WORKING) unless a test says it needs a QR scan. */
  volatile boolean pairedByDefault = true;
  volatile long startDelayMs = 50;

  FakeWaha(Vertx vertx) {
    this.vertx = vertx;
    this.hooks = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2000));
  }

  int start() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false));
    router.route().handler(this::record);
    router.get("/api/sessions/:session").handler(ctx -> withSession(ctx, s -> ok(ctx, 200, info(s))));
    router.post("/api/sessions").handler(this::create);
    router.put("/api/sessions/:session").handler(ctx -> withSession(ctx, s -> {
      s.config = body(ctx).getJsonObject("config", new JsonObject());
      if (!WahaStatus.STOPPED.equals(s.status)) {
        restart(s);
      }
      ok(ctx, 200, dto(s));
    }));
    router.post("/api/sessions/:session/start").handler(ctx -> withSession(ctx, s -> {
      if (WahaStatus.STOPPED.equals(s.status) || WahaStatus.FAILED.equals(s.status)) {
        up(s);
      }
      ok(ctx, 201, dto(s));
    }));
    router.post("/api/sessions/:session/stop").handler(ctx -> withSession(ctx, s -> {
      status(s, WahaStatus.STOPPED);
      ok(ctx, 201, dto(s));
    }));
    router.post("/api/sessions/:session/restart").handler(ctx -> withSession(ctx, s -> {
      restart(s);
      ok(ctx, 201, dto(s));
    }));
    router.get("/api/:session/auth/qr").handler(ctx -> withSession(ctx, s -> {
      if (!WahaStatus.SCAN_QR_CODE.equals(s.status)) {
        notAsExpected(ctx, s, WahaStatus.SCAN_QR_CODE);
      } else if (!"application/json".equals(ctx.request().getHeader("Accept"))) {
        ctx.response().putHeader("Content-Type", "image/png").end(Buffer.buffer(qrPng(s)));
      } else {
        ok(ctx, 200, new JsonObject().put("mimetype", "image/png").put("data", Base64.getEncoder().encodeToString(qrPng(s))));
      }
    }));
    router.post("/api/:session/auth/request-code").handler(ctx -> withSession(ctx, s -> {
      if (!WahaStatus.SCAN_QR_CODE.equals(s.status)) {
        notAsExpected(ctx, s, WahaStatus.SCAN_QR_CODE);
      } else {
        ok(ctx, 201, new JsonObject().put("code", "ABCD-EFGH"));
      }
    }));
    router.post("/api/sendText").handler(ctx -> send(ctx, "text"));
    router.post("/api/sendPoll").handler(ctx -> send(ctx, "poll"));
    router.route().handler(ctx -> {
      violations.add("not a WAHA route the fake serves: " + ctx.request().method() + " " + ctx.request().path());
      error(ctx, 404, "Cannot " + ctx.request().method() + " " + ctx.request().path(), "Not Found");
    });
    server = vertx.createHttpServer();
    try {
      return server.requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS).actualPort();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- what the tests read and do

  List<String> violations() {
    synchronized (violations) {
      return List.copyOf(violations);
    }
  }

  int validatedRequests() {
    return validated.get();
  }

  List<Request> requests(String method, String template) {
    synchronized (requests) {
      return requests.stream().filter(r -> r.method().equals(method) && template.equals(r.template())).toList();
    }
  }

  Session session(String name) {
    return sessions.get(name);
  }

  /** The phone scanned the QR (or typed the code): the session works. */
  void scan(String name) {
    vertx.runOnContext(v -> {
      Session s = sessions.get(name);
      s.paired = true;
      status(s, WahaStatus.WORKING);
    });
  }

  /** WAHA changes the status on its own (a drop, a logout, a passkey prompt). */
  void setStatus(String name, String status) {
    vertx.runOnContext(v -> status(sessions.get(name), status));
  }

  /**
   * Posts an event to every webhook of the session that takes it, signed as WAHA signs it; answers
   * the hub's HTTP statuses.
   */
  Future<List<Integer>> emit(String name, String event, JsonObject payload) {
    Session s = sessions.get(name);
    JsonObject envelope = envelope(s, event, payload);
    return post(s, envelope);
  }

  /** The envelope WAHA wraps an event in (PROVIDERS.md §2.5). */
  JsonObject envelope(Session s, String event, JsonObject payload) {
    return new JsonObject()
        .put("id", "evt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 26))
        .put("timestamp", System.currentTimeMillis())
        .put("event", event)
        .put("session", s.name)
        .put("metadata", new JsonObject())
        .put("me", new JsonObject().put("id", "4915100000000@c.us").put("pushName", "Shop"))
        .put("payload", payload)
        .put("engine", engine)
        .put("environment", new JsonObject().put("version", "2026.7.1").put("engine", engine).put("tier", core ? "CORE" : "PLUS"));
  }

  Future<List<Integer>> post(Session s, JsonObject envelope) {
    List<Future<Integer>> out = new ArrayList<>();
    String event = envelope.getString("event");
    for (Object o : s.config.getJsonArray("webhooks", new JsonArray())) {
      JsonObject hook = (JsonObject) o;
      JsonArray events = hook.getJsonArray("events", new JsonArray());
      if (!events.contains(event) && !events.contains("*")) {
        continue;
      }
      byte[] body = envelope.encode().getBytes(StandardCharsets.UTF_8);
      MultiMap headers = MultiMap.caseInsensitiveMultiMap()
          .add("Content-Type", "application/json")
          .add("User-Agent", "WAHA/2026.7.1")
          .add("X-Webhook-Request-Id", "req_" + UUID.randomUUID())
          .add("X-Webhook-Timestamp", Long.toString(System.currentTimeMillis()));
      JsonObject hmac = hook.getJsonObject("hmac");
      if (hmac != null && hmac.getString("key") != null) {
        headers.add("X-Webhook-Hmac", WahaWebhook.sign(hmac.getString("key"), body))
            .add("X-Webhook-Hmac-Algorithm", "sha512");
      }
      out.add(hooks.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(hook.getString("url")).setHeaders(headers))
          .compose(req -> req.send(Buffer.buffer(body)))
          .map(res -> res.statusCode()));
    }
    return Future.all(out).map(cf -> cf.<Integer>list());
  }

  // ---------------------------------------------------------------- the WAHA API

  private void record(RoutingContext ctx) {
    String method = ctx.request().method().name();
    String path = ctx.request().path();
    String template = template(method, path);
    JsonObject body = null;
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    if (raw != null && raw.length() > 0) {
      try {
        body = new JsonObject(raw);
      } catch (RuntimeException e) {
        violations.add(method + " " + path + ": the body is not a JSON object");
        error(ctx, 400, "the body is not JSON", "Bad Request");
        return;
      }
    }
    requests.add(new Request(method, path, template, body));
    if (!API_KEY.equals(ctx.request().getHeader("X-Api-Key"))) {
      ctx.response().setStatusCode(401).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("message", "Unauthorized").put("statusCode", 401).encode());
      return;
    }
    if (template == null) {
      ctx.next(); // the catch-all records the violation
      return;
    }
    String schema = spec.requestSchema(method, template);
    if (schema == null && body != null) {
      violations.add(method + " " + template + " takes no body, got " + body.encode());
    } else if (schema != null) {
      if (body == null) {
        violations.add(method + " " + template + " needs a " + schema + " body");
        error(ctx, 400, "body required", "Bad Request");
        return;
      }
      List<String> errors = spec.validate(schema, body.encode());
      validated.incrementAndGet();
      if (!errors.isEmpty()) {
        violations.add(method + " " + template + " (" + schema + "): " + errors + " in " + body.encode());
        error(ctx, 400, String.join("; ", errors), "Bad Request");
        return;
      }
    }
    ctx.next();
  }

  /** The spec's path template a request path belongs to (only the operations the hub may call). */
  private String template(String method, String path) {
    String[] candidates = {"/api/sessions", "/api/sessions/{session}", "/api/sessions/{session}/start",
        "/api/sessions/{session}/stop", "/api/sessions/{session}/restart", "/api/{session}/auth/qr",
        "/api/{session}/auth/request-code", "/api/sendText", "/api/sendPoll"};
    for (String t : candidates) {
      String regex = t.replace("{session}", "[A-Za-z0-9_-]+");
      if (path.matches(regex) && spec.hasOperation(method, t)) {
        return t;
      }
    }
    return null;
  }

  private void create(RoutingContext ctx) {
    JsonObject body = body(ctx);
    String name = body.getString("name", "default");
    if (core && !"default".equals(name)) {
      error(ctx, 422, "WAHA Core support only 'default' session. You tried to use '" + name
          + "' session. If you want to run more then one WhatsApp account - please get WAHA PLUS version.", "Unprocessable Entity");
      return;
    }
    if (sessions.containsKey(name)) {
      error(ctx, 422, "Session '" + name + "' already exists. Use PUT to update it.", "Unprocessable Entity");
      return;
    }
    Session s = new Session(name, body.getJsonObject("config"));
    s.paired = pairedByDefault;
    s.status = WahaStatus.STOPPED;
    sessions.put(name, s);
    if (Boolean.TRUE.equals(body.getValue("start"))) {
      up(s);
    }
    ok(ctx, 201, dto(s));
  }

  private void send(RoutingContext ctx, String kind) {
    JsonObject body = body(ctx);
    Session s = sessions.get(body.getString("session"));
    if (s == null) {
      error(ctx, 404, "Session \"" + body.getString("session") + "\" not found", "Not Found");
      return;
    }
    if (!WahaStatus.WORKING.equals(s.status)) {
      notAsExpected(ctx, s, WahaStatus.WORKING);
      return;
    }
    Scripted next = script.poll();
    if (next != null && !next.drop()) {
      ctx.response().setStatusCode(next.status()).putHeader("Content-Type", "application/json").end(next.body().encode());
      return;
    }
    String chatId = body.getString("chatId");
    String raw = "3EB0" + Long.toHexString(System.nanoTime()).toUpperCase() + counter.incrementAndGet();
    String serialized = "true_" + chatId + "_" + raw;
    sent.add(new Sent(kind, s.name, chatId, body, serialized));
    if (next != null) {
      // handed to WhatsApp, then the connection dies before the answer
      ctx.request().connection().close();
      return;
    }
    JsonObject answer;
    if ("NOWEB".equals(engine) && kind.equals("text")) {
      answer = new JsonObject().put("key", new JsonObject().put("remoteJid", chatId.replace("@c.us", "@s.whatsapp.net"))
          .put("fromMe", true).put("id", raw)).put("message", new JsonObject().put("extendedTextMessage",
          new JsonObject().put("text", body.getString("text")))).put("status", "PENDING");
    } else if ("NOWEB".equals(engine)) {
      answer = new JsonObject().put("id", serialized);
    } else {
      answer = new JsonObject().put("id", new JsonObject().put("fromMe", true).put("remote", chatId).put("id", raw)
          .put("_serialized", serialized)).put("ack", 0).put("timestamp", System.currentTimeMillis() / 1000)
          .put("from", "4915100000000@c.us").put("to", chatId).put("fromMe", true);
      if (kind.equals("text")) {
        answer.put("body", body.getString("text"));
      }
    }
    ok(ctx, 201, answer);
  }

  // ---------------------------------------------------------------- statuses

  private void up(Session s) {
    status(s, WahaStatus.STARTING);
    vertx.setTimer(Math.max(1, startDelayMs), t -> {
      if (WahaStatus.STARTING.equals(s.status)) {
        status(s, s.paired ? WahaStatus.WORKING : WahaStatus.SCAN_QR_CODE);
      }
    });
  }

  private void restart(Session s) {
    status(s, WahaStatus.STOPPED);
    up(s);
  }

  private void status(Session s, String status) {
    if (status.equals(s.status)) {
      return;
    }
    s.status = status;
    post(s, envelope(s, "session.status", new JsonObject().put("status", status)
        .put("statuses", new JsonArray().add(new JsonObject().put("status", status).put("timestamp", System.currentTimeMillis())))));
  }

  // ---------------------------------------------------------------- shapes

  private void withSession(RoutingContext ctx, java.util.function.Consumer<Session> action) {
    Session s = sessions.get(ctx.pathParam("session"));
    if (s == null) {
      error(ctx, 404, "Session not found", "Not Found");
    } else {
      action.accept(s);
    }
  }

  private JsonObject info(Session s) {
    return dto(s).put("me", WahaStatus.WORKING.equals(s.status)
        ? new JsonObject().put("id", "4915100000000@c.us").put("pushName", "Shop") : null)
        .put("engine", new JsonObject().put("engine", engine)).put("presence", null)
        .put("timestamps", new JsonObject().put("activity", null));
  }

  private static JsonObject dto(Session s) {
    return new JsonObject().put("name", s.name).put("status", s.status).put("config", s.config.copy());
  }

  private static byte[] qrPng(Session s) {
    return ("\u0089PNG fake QR for " + s.name).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static JsonObject body(RoutingContext ctx) {
    return ctx.body() == null || ctx.body().length() == 0 ? new JsonObject() : ctx.body().asJsonObject();
  }

  private static void notAsExpected(RoutingContext ctx, Session s, String expected) {
    ctx.response().setStatusCode(422).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", "Session status is not as expected. Try again later or restart the session")
            .put("session", s.name).put("status", s.status).put("expected", new JsonArray().add(expected)).encode());
  }

  private static void ok(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static void error(RoutingContext ctx, int status, String message, String error) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("statusCode", status).put("message", message).put("error", error).encode());
  }

  @Override
  public void close() {
    try {
      if (server != null) {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      hooks.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
