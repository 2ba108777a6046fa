package org.wahub.support;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A real HTTP client for API tests (java.net.http, off the event loop). Every call goes over a
 * socket to the hub's port, like curl would.
 */
public final class Http {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1)
      .build();

  private final String base;

  public Http(int port) {
    this.base = "http://localhost:" + port;
  }

  public record Res(int status, Map<String, java.util.List<String>> headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .findFirst().map(e -> e.getValue().get(0)).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  public Res get(String path, String key) {
    return send("GET", path, key, null, null, Map.of());
  }

  public Res delete(String path, String key) {
    return send("DELETE", path, key, null, null, Map.of());
  }

  public Res post(String path, String key, Object body) {
    return send("POST", path, key, body == null ? null : body.toString(), "application/json", Map.of());
  }

  public Res post(String path, String key, Object body, Map<String, String> headers) {
    return send("POST", path, key, body == null ? null : body.toString(), "application/json", headers);
  }

  public Res patch(String path, String key, Object body) {
    return send("PATCH", path, key, body.toString(), "application/json", Map.of());
  }

  public Res send(String method, String path, String key, String body, String contentType, Map<String, String> headers) {
    try {
      return sendAsync(method, path, key, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          contentType, headers).get();
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    }
  }

  public CompletableFuture<Res> sendAsync(String method, String path, String key, byte[] body, String contentType,
                                          Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    headers.forEach(b::header);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    return CLIENT.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Res(r.statusCode(), r.headers().map(), r.body()));
  }

  public CompletableFuture<Res> postAsync(String path, String key, Object body, Map<String, String> headers) {
    return sendAsync("POST", path, key, body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "application/json", headers);
  }
}
