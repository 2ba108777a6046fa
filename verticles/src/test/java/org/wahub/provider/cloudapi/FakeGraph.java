package org.wahub.provider.cloudapi;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local Graph API for one phone number, speaking the documented wire format (PROVIDERS.md
 * §1.1–1.3): {@code GET /{version}/{phone-number-id}}, {@code POST /{version}/{phone-number-id}/messages}
 * with a bearer token, Meta's success body and its error bodies. Every message body is validated
 * against Meta's OpenAPI document ({@link CloudApiSpec}); a body that does not validate is answered
 * like Graph would ({@code 100}, invalid parameter) and recorded in {@link #invalid()}.
 *
 * <p>Failures are scripted per recipient ({@link #failNext}); {@link #revokeToken()} makes every
 * call a {@code 401} with code {@code 190}.
 */
final class FakeGraph implements AutoCloseable {

  /** One message the fake took (validated) or refused, with when it arrived. */
  record Received(Instant at, String to, JsonObject body, int answered) {
  }

  private record Failure(String to, int status, JsonObject body, Map<String, String> headers) {
  }

  private final Vertx vertx;
  private final String token;
  private final String phoneNumberId;
  private final List<Received> received = new ArrayList<>();
  private final List<String> invalid = new ArrayList<>();
  private final Deque<Failure> failures = new ArrayDeque<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger phoneChecks = new AtomicInteger();
  private volatile boolean revoked;
  private HttpServer server;

  private FakeGraph(Vertx vertx, String token, String phoneNumberId) {
    this.vertx = vertx;
    this.token = token;
    this.phoneNumberId = phoneNumberId;
  }

  static FakeGraph start(Vertx vertx, String token, String phoneNumberId) throws Exception {
    FakeGraph fake = new FakeGraph(vertx, token, phoneNumberId);
    // the document is large: load its schemas before the first request, off any event loop
    for (String type : List.of("text", "image", "interactive", "template", "document", "location", "contacts")) {
      CloudApiSpec.problems(new JsonObject().put("messaging_product", "whatsapp").put("recipient_type", "individual")
          .put("to", "+1").put("type", type));
    }
    fake.server = vertx.createHttpServer().requestHandler(fake::handle);
    fake.server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return fake;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The next message to {@code to} (any recipient when null) is answered with this Graph error. */
  synchronized void failNext(String to, int status, int code, String title, String details, Map<String, String> headers) {
    JsonObject error = new JsonObject().put("error", new JsonObject().put("message", "(#" + code + ") " + title)
        .put("type", "OAuthException").put("code", code)
        .put("error_data", new JsonObject().put("messaging_product", "whatsapp").put("details", details))
        .put("error_subcode", 2494055).put("fbtrace_id", "Az8or2yhqkZfEZ-_4Qn_Bam"));
    failures.add(new Failure(to, status, error, headers));
  }

  void revokeToken() {
    revoked = true;
  }

  void restoreToken() {
    revoked = false;
  }

  synchronized List<Received> received() {
    return List.copyOf(received);
  }

  /** Bodies that validated and were answered 200 or with a scripted error. */
  synchronized int validated() {
    return received.size();
  }

  synchronized List<String> invalid() {
    return List.copyOf(invalid);
  }

  synchronized List<Received> to(String to) {
    return received.stream().filter(r -> to.equals(r.to())).toList();
  }

  int phoneChecks() {
    return phoneChecks.get();
  }

  private void handle(HttpServerRequest req) {
    String base = "/" + "v[0-9]+\\.[0-9]+" + "/" + phoneNumberId;
    boolean authorized = !revoked && ("Bearer " + token).equals(req.getHeader("Authorization"));
    if (req.method().name().equals("GET") && req.path().matches(base)) {
      phoneChecks.incrementAndGet();
      if (!authorized) {
        tokenError(req);
        return;
      }
      json(req, 200, new JsonObject().put("verified_name", "Test Shop").put("display_phone_number", "+1 555-078-3881")
          .put("id", phoneNumberId).put("quality_rating", "GREEN"), Map.of());
      return;
    }
    if (!req.method().name().equals("POST") || !req.path().matches(base + "/messages")) {
      json(req, 400, graphError(100, "Unsupported request", "Unknown path components: " + req.path()), Map.of());
      return;
    }
    req.body().onSuccess(buf -> {
      if (!authorized) {
        tokenError(req);
        return;
      }
      JsonObject body;
      try {
        body = buf.toJsonObject();
      } catch (RuntimeException e) {
        json(req, 400, graphError(100, "Invalid parameter", "the body is not JSON"), Map.of());
        return;
      }
      // the schema library is not made for an event loop: validate on a worker
      vertx.executeBlocking(() -> CloudApiSpec.problems(body), false).onSuccess(problems -> answer(req, body, problems));
    });
  }

  private synchronized void answer(HttpServerRequest req, JsonObject body, List<String> problems) {
    String to = body.getString("to");
    if (!problems.isEmpty()) {
      invalid.add(body.encode() + " -> " + problems);
      json(req, 400, graphError(100, "Invalid parameter", String.join("; ", problems)), Map.of());
      return;
    }
    Failure failure = null;
    for (Failure f : failures) {
      if (f.to() == null || f.to().equals(to)) {
        failure = f;
        break;
      }
    }
    if (failure != null) {
      failures.remove(failure);
      received.add(new Received(Instant.now(), to, body, failure.status()));
      json(req, failure.status(), failure.body(), failure.headers());
      return;
    }
    received.add(new Received(Instant.now(), to, body, 200));
    String wamid = "wamid.FAKE" + ids.incrementAndGet() + "X" + Long.toHexString(System.nanoTime());
    json(req, 200, new JsonObject().put("messaging_product", "whatsapp")
        .put("contacts", new JsonArray().add(new JsonObject().put("input", to).put("wa_id", to.substring(1))))
        .put("messages", new JsonArray().add(new JsonObject().put("id", wamid))), Map.of());
  }

  private void tokenError(HttpServerRequest req) {
    json(req, 401, graphError(190, "Error validating access token: Session has expired", "token expired"), Map.of());
  }

  private static JsonObject graphError(int code, String title, String details) {
    return new JsonObject().put("error", new JsonObject().put("message", "(#" + code + ") " + title)
        .put("type", "OAuthException").put("code", code)
        .put("error_data", new JsonObject().put("messaging_product", "whatsapp").put("details", details))
        .put("fbtrace_id", "Az8or2yhqkZfEZ-_4Qn_Bam"));
  }

  private static void json(HttpServerRequest req, int status, JsonObject body, Map<String, String> headers) {
    var res = req.response().setStatusCode(status).putHeader("Content-Type", "application/json");
    headers.forEach(res::putHeader);
    res.end(body.encode());
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
