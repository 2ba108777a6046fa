package org.wahub.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver for tests: a real HTTP server on a fixed port that can go down and come back,
 * answer with any status, or never answer. It verifies every request's signature with its own
 * implementation of the Standard Webhooks spec (javax.crypto, written from the spec's text, not the
 * hub's signer) and logs what it got, in arrival order.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One request as it arrived. {@code verified}: some v1 entry matched one of the receiver's secrets. */
  public record Received(String id, String timestamp, String signature, String body, boolean verified, Instant at) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String type() {
      return json().getString("type");
    }

    public JsonObject data() {
      return json().getJsonObject("data");
    }
  }

  private final Vertx vertx;
  public final int port;
  private final List<Received> log = new CopyOnWriteArrayList<>();
  private final List<String> secrets = new CopyOnWriteArrayList<>();
  private volatile int status = 204;
  private volatile boolean hang;
  private HttpServer server;

  private WebhookReceiver(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
  }

  /** A receiver on a free port, not yet listening (down). */
  public static WebhookReceiver down(Vertx vertx) {
    return new WebhookReceiver(vertx, TestHub.freePort());
  }

  public static WebhookReceiver up(Vertx vertx) {
    WebhookReceiver r = down(vertx);
    r.start();
    return r;
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/hooks/wa";
  }

  /** A secret whose signatures count as verified (several during a rotation). */
  public WebhookReceiver trust(String whsec) {
    secrets.add(whsec);
    return this;
  }

  public void forgetSecrets() {
    secrets.clear();
  }

  /** Answer every request with {@code status} from now on. */
  public WebhookReceiver answer(int status) {
    this.status = status;
    return this;
  }

  /** Read requests but never answer them. */
  public WebhookReceiver hang() {
    this.hang = true;
    return this;
  }

  public synchronized void start() {
    if (server != null) {
      return;
    }
    HttpServer s = vertx.createHttpServer().requestHandler(this::handle);
    await(s.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture());
    server = s;
  }

  /** Stops listening: the hub's next requests are refused. */
  public synchronized void stop() {
    if (server != null) {
      await(server.close().toCompletionStage().toCompletableFuture());
      server = null;
    }
  }

  public List<Received> received() {
    return new ArrayList<>(log);
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(buf -> {
      String body = buf.toString(StandardCharsets.UTF_8);
      String id = req.getHeader("webhook-id");
      String ts = req.getHeader("webhook-timestamp");
      String sig = req.getHeader("webhook-signature");
      log.add(new Received(id, ts, sig, body, verify(secrets, id, ts, body, sig, Clock.systemUTC()), Instant.now()));
      if (!hang) {
        req.response().setStatusCode(status).end();
      }
    });
  }

  /**
   * Standard Webhooks verification, from the spec: the signed content is
   * {@code id + "." + timestamp + "." + body}; the key is the base64 after {@code whsec_}; the
   * header holds space-separated {@code version,signature} entries and any {@code v1} entry equal
   * (in constant time) to base64(HMAC-SHA256(key, content)) verifies; the timestamp must be within
   * five minutes of now.
   */
  public static boolean verify(List<String> whsecs, String id, String timestamp, String body, String header, Clock clock) {
    if (id == null || timestamp == null || header == null || whsecs.isEmpty()) {
      return false;
    }
    long ts;
    try {
      ts = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return false;
    }
    if (Math.abs(clock.instant().getEpochSecond() - ts) > 5 * 60) {
      return false;
    }
    byte[] content = (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8);
    for (String whsec : whsecs) {
      byte[] expected;
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(whsec.substring("whsec_".length())), "HmacSHA256"));
        expected = Base64.getEncoder().encode(mac.doFinal(content));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      for (String entry : header.split(" ")) {
        int comma = entry.indexOf(',');
        if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
          continue;
        }
        if (MessageDigest.isEqual(expected, entry.substring(comma + 1).getBytes(StandardCharsets.US_ASCII))) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public void close() {
    stop();
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
