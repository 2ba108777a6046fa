package org.wahub.provider.cloudapi;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.wahub.outbound.GuardedRequest;
import org.wahub.outbound.OutboundGuard;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The two Graph API calls the session makes, through the hub's outbound guard (DESIGN §12: the
 * configured {@code baseUrl} is checked, no redirects, bounded answers and time): the phone number
 * ({@code GET /{version}/{phone-number-id}}, which checks the id and the token) and a message
 * ({@code POST /{version}/{phone-number-id}/messages}).
 *
 * <p>The access token goes into the {@code Authorization} header only; it is in no field a
 * {@code toString} would show and is never logged.
 */
final class GraphClient {

  /** An answer: its status, its headers and its body as JSON (null when it is not a JSON object). */
  record Answer(int status, MultiMap headers, JsonObject json) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private final OutboundGuard guard;
  private final String phoneNumberUrl;
  private final String accessToken;
  private final Duration timeout;

  GraphClient(OutboundGuard guard, String baseUrl, String apiVersion, String phoneNumberId, String accessToken,
              Duration timeout) {
    this.guard = guard;
    this.phoneNumberUrl = baseUrl + "/" + apiVersion + "/" + URLEncoder.encode(phoneNumberId, StandardCharsets.UTF_8);
    this.accessToken = accessToken == null ? "" : accessToken;
    this.timeout = timeout;
  }

  /** {@code GET /{version}/{phone-number-id}}: 200 when the id exists and the token may use it. */
  Future<Answer> phoneNumber() {
    return call(new GuardedRequest(HttpMethod.GET, phoneNumberUrl, headers(false), null, timeout));
  }

  /** {@code POST /{version}/{phone-number-id}/messages} with one message body. */
  Future<Answer> sendMessage(JsonObject body) {
    return call(new GuardedRequest(HttpMethod.POST, phoneNumberUrl + "/messages", headers(true), body.toBuffer(), timeout));
  }

  private MultiMap headers(boolean json) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap()
        .add(HttpHeaders.AUTHORIZATION, "Bearer " + accessToken)
        .add(HttpHeaders.ACCEPT, "application/json")
        .add(HttpHeaders.USER_AGENT, "wa-hub");
    if (json) {
      h.add(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    return h;
  }

  private Future<Answer> call(GuardedRequest request) {
    return guard.send(request).map(r -> new Answer(r.status(), r.headers(), json(r.body())));
  }

  private static JsonObject json(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      return new JsonObject(body);
    } catch (RuntimeException e) {
      return null; // an HTML error page from a proxy: classified by its status alone
    }
  }
}
