package org.wahub.bench.reliability;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's view of a running hub: plain blocking HTTP/1.1 calls (java.net.http) for set-up
 * and for the bookkeeping at the end of a scenario. Never used for the load itself.
 */
final class Api {

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private final String base;

  Api(String base) {
    this.base = base;
  }

  record Res(int status, String body, HttpResponse<String> raw) {
    JsonObject json() {
      return body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + (body == null ? "" : body.length() > 500 ? body.substring(0, 500) + "…" : body);
    }
  }

  Res call(String method, String path, String key, JsonObject body) throws IOException, InterruptedException {
    return call(method, path, key, body == null ? null : body.encode(), Map.of(), Duration.ofSeconds(20));
  }

  Res call(String method, String path, String key, String body, Map<String, String> headers, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    headers.forEach(b::header);
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Res(r.statusCode(), r.body(), r);
  }

  /** A call that must succeed (2xx), retried a few times while the hub is (re)starting or busy. */
  JsonObject ok(String method, String path, String key, JsonObject body) throws Exception {
    Exception last = null;
    for (int i = 0; i < 40; i++) {
      try {
        Res r = call(method, path, key, body);
        if (r.status() >= 200 && r.status() < 300) {
          return r.json();
        }
        if (r.status() != 503) {
          throw new IllegalStateException(method + " " + path + " → " + r);
        }
        last = new IllegalStateException(method + " " + path + " → " + r);
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(method + " " + path + " kept failing", last);
  }

  /** /health/ready status, or -1 when nothing answers. */
  int ready() {
    try {
      return call("GET", "/health/ready", null, null, Map.of(), Duration.ofSeconds(2)).status();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  String createTenant(String adminKey, String name) throws Exception {
    return ok("POST", "/tenants", adminKey, new JsonObject().put("name", name)).getJsonObject("key").getString("token");
  }

  JsonObject status(String key, String instance) throws Exception {
    return ok("GET", "/instances/" + instance + "/status", key, null);
  }

  JsonObject simulate(String key, String instance, JsonObject command) throws Exception {
    return ok("POST", "/instances/" + instance + "/simulate", key, command);
  }

  /** The simulated phone's complete send log of one instance, oldest first. */
  List<JsonObject> simulatorLog(String key, String instance) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    String cursor = null;
    do {
      JsonObject page = ok("GET", "/instances/" + instance + "/simulate/log?limit=200" + (cursor == null ? "" : "&after=" + cursor),
          key, null);
      page.getJsonArray("items").forEach(o -> out.add((JsonObject) o));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return out;
  }

  /** Every message of one instance as the list endpoint shows it, by id. */
  Map<String, JsonObject> messages(String key, String instance) throws Exception {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    String cursor = null;
    do {
      JsonObject page = ok("GET", "/messages?instance=" + instance + "&limit=200" + (cursor == null ? "" : "&after=" + cursor),
          key, null);
      JsonArray items = page.getJsonArray("items");
      items.forEach(o -> out.put(((JsonObject) o).getString("id"), (JsonObject) o));
      cursor = items.isEmpty() ? null : page.getString("nextCursor");
    } while (cursor != null);
    return out;
  }

  /** One message with its history, or null for a 404. */
  JsonObject message(String key, String id) throws Exception {
    for (int i = 0; i < 20; i++) {
      Res r = call("GET", "/messages/" + id, key, null);
      if (r.status() == 200) {
        return r.json();
      }
      if (r.status() == 404) {
        return null;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("GET /messages/" + id + " kept failing");
  }
}
