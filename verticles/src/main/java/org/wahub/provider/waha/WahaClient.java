package org.wahub.provider.waha;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.wahub.outbound.GuardedRequest;
import org.wahub.outbound.GuardedResponse;
import org.wahub.outbound.OutboundGuard;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The WAHA HTTP API as one instance's session uses it (PROVIDERS.md §2): every call goes through
 * the hub's {@link OutboundGuard} (DESIGN §12), never a client of its own, with {@code X-Api-Key}
 * when a key is configured. Answers of any status come back as an {@link Answer}; only a call that
 * got no answer fails.
 *
 * <p>The guard completes its futures on whatever thread read the answer; every answer is handed
 * back on the session's own context, so the session's fields are only ever touched by its
 * instance's actor.
 */
final class WahaClient {

  /** A complete answer: its status, the body as JSON when it is an object, the raw text otherwise. */
  record Answer(int status, JsonObject json, String text, String retryAfter) {

    boolean ok() {
      return status >= 200 && status < 300;
    }

    static Answer of(GuardedResponse r) {
      String text = r.body() == null ? "" : r.body().toString(StandardCharsets.UTF_8);
      JsonObject json = null;
      try {
        if (text.startsWith("{")) {
          json = new JsonObject(text);
        }
      } catch (RuntimeException e) {
        // not JSON after all: keep the text for the error detail
      }
      return new Answer(r.status(), json, text, r.headers() == null ? null : r.headers().get("Retry-After"));
    }
  }

  private final OutboundGuard guard;
  private final Context context;
  private final String base;
  private final String apiKey;
  private final String session;
  private final Duration sendTimeout;

  /**
   * @param sendTimeout bound of a send: a little under the send loop's own, so this classification
   *                    (not the loop's generic time-out) decides what a silent WAHA means
   */
  WahaClient(Vertx vertx, OutboundGuard guard, String baseUrl, String apiKey, String session, Duration sendTimeout) {
    this.guard = guard;
    this.context = vertx.getOrCreateContext();
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.apiKey = apiKey;
    this.session = session;
    this.sendTimeout = sendTimeout;
  }

  String session() {
    return session;
  }

  Future<Answer> getSession() {
    return call(HttpMethod.GET, "/api/sessions/" + session, null, null);
  }

  /** {@code POST /api/sessions}: {@code start} is always sent (WAHA 2024.10 defaults it to false, the docs to true). */
  Future<Answer> createSession(JsonObject config) {
    JsonObject body = new JsonObject().put("name", session).put("start", true);
    if (config != null) {
      body.put("config", config);
    }
    return call(HttpMethod.POST, "/api/sessions", body, null);
  }

  /** {@code PUT /api/sessions/{s}}: replaces the whole config (a running session restarts). */
  Future<Answer> updateSession(JsonObject config) {
    return call(HttpMethod.PUT, "/api/sessions/" + session, new JsonObject().put("config", config), null);
  }

  Future<Answer> start() {
    return call(HttpMethod.POST, "/api/sessions/" + session + "/start", null, null);
  }

  Future<Answer> stop() {
    return call(HttpMethod.POST, "/api/sessions/" + session + "/stop", null, null);
  }

  Future<Answer> restart() {
    return call(HttpMethod.POST, "/api/sessions/" + session + "/restart", null, null);
  }

  /**
   * The QR as JSON ({@code {"mimetype","data"}}, base64). Bounded to 4 s: WAHA itself waits up to
   * 5 s for SCAN_QR_CODE, and the API's question to the instance gives up after 5 s.
   */
  Future<Answer> qr() {
    return call(HttpMethod.GET, "/api/" + session + "/auth/qr?format=image", null, Duration.ofSeconds(4));
  }

  Future<Answer> requestCode(String phoneNumber) {
    return call(HttpMethod.POST, "/api/" + session + "/auth/request-code",
        new JsonObject().put("phoneNumber", phoneNumber), Duration.ofSeconds(4));
  }

  Future<Answer> sendText(String chatId, String text) {
    return call(HttpMethod.POST, "/api/sendText",
        new JsonObject().put("session", session).put("chatId", chatId).put("text", text), sendTimeout);
  }

  Future<Answer> sendPoll(String chatId, String question, List<String> options, boolean multipleAnswers) {
    JsonObject poll = new JsonObject().put("name", question).put("options", new JsonArray(options))
        .put("multipleAnswers", multipleAnswers);
    return call(HttpMethod.POST, "/api/sendPoll",
        new JsonObject().put("session", session).put("chatId", chatId).put("poll", poll), sendTimeout);
  }

  private Future<Answer> call(HttpMethod method, String path, JsonObject body, Duration timeout) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Accept", "application/json");
    if (apiKey != null && !apiKey.isEmpty()) {
      headers.add("X-Api-Key", apiKey);
    }
    Buffer payload = null;
    if (body != null) {
      headers.add("Content-Type", "application/json");
      payload = body.toBuffer();
    }
    Future<Answer> answer = guard.send(new GuardedRequest(method, base + path, headers, payload, timeout)).map(Answer::of);
    Promise<Answer> onContext = Promise.promise();
    answer.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        onContext.handle(ar);
      } else {
        context.runOnContext(v -> onContext.handle(ar));
      }
    });
    return onContext.future();
  }
}
