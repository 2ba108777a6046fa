package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slowloris: a client that dribbles its request head or body keeps sending bytes, so the idle
 * timeout never fires. The hub closes such a connection once the head (1 s here) or the body (1 s
 * after the head) is overdue, writes nothing for it, and leaves well-behaved keep-alive
 * connections alone however long they wait between requests.
 */
@ExtendWith(VertxExtension.class)
class SlowClientTest {

  static TestHub hub;
  static TestHub.Tenant tenant;

  @BeforeAll
  static void start(Vertx vertx) {
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(),
        Map.<String, Object>of("HUB_REQUEST_HEAD_TIMEOUT_MS", 1000, "HUB_REQUEST_BODY_TIMEOUT_MS", 1000));
    tenant = hub.tenant("slow");
    hub.instance(tenant, "slow-1", null);
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void aHeadSentOneLineAtATimeIsCutOff() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(ascii("POST /instances/slow-1/messages HTTP/1.1\r\nHost: hub\r\n"));
      long start = System.nanoTime();
      // a header line every 200 ms: never idle, never done
      boolean closed = false;
      for (int i = 0; i < 25 && !closed; i++) {
        try {
          out.write(ascii("X-Slow-" + i + ": a\r\n"));
          out.flush();
        } catch (IOException e) {
          closed = true;
          break;
        }
        closed = closedWithin(s, 200);
      }
      assertThat(closed).as("connection closed while the head dribbled").isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(700L, 3000L);
    }
  }

  @Test
  void aBodySentByteByByteIsCutOffAndNothingIsStored() throws Exception {
    long before = hub.sql.count("SELECT count(*) FROM messages");
    String body = new JsonObject().put("to", "+4915112345678").put("text", "slow body").encode();
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(ascii("POST /instances/slow-1/messages HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer " + tenant.key()
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"));
      out.flush();
      long start = System.nanoTime();
      boolean closed = false;
      byte[] bytes = ascii(body);
      for (int i = 0; i < bytes.length - 1 && !closed; i++) {
        try {
          out.write(bytes[i]);
          out.flush();
        } catch (IOException e) {
          closed = true;
          break;
        }
        closed = closedWithin(s, 150);
      }
      assertThat(closed).as("connection closed while the body dribbled").isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(700L, 3000L);
    }
    assertThat(hub.sql.count("SELECT count(*) FROM messages")).isEqualTo(before);
  }

  @Test
  void aConnectionThatNeverSpeaksIsClosed() throws Exception {
    try (Socket s = connect()) {
      assertThat(closedWithin(s, 3000)).isTrue();
    }
  }

  @Test
  void aKeepAliveConnectionMayWaitLongerThanTheDeadlinesBetweenRequests() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      String get = "GET /health/live HTTP/1.1\r\nHost: hub\r\n\r\n";
      out.write(ascii(get));
      out.flush();
      assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
      Thread.sleep(2500); // past both deadlines, well inside the idle timeout
      out.write(ascii(get));
      out.flush();
      assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void aSlowAnswerIsNotTheClientsFault() throws Exception {
    // the head and body arrive at once; whatever the hub then takes is not cut off
    String body = new JsonObject().put("to", "+4915112345679").put("text", "fast body").encode();
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(ascii("POST /instances/slow-1/messages HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer " + tenant.key()
          + "\r\nContent-Type: application/json\r\nIdempotency-Key: slow:fast:1\r\nContent-Length: " + body.length()
          + "\r\n\r\n" + body));
      out.flush();
      assertThat(readResponse(s)).startsWith("HTTP/1.1 202");
    }
  }

  private static Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", hub.port);
    s.setTcpNoDelay(true);
    return s;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** True if the server closed the connection (EOF or reset) within the time; any bytes are skipped. */
  private static boolean closedWithin(Socket s, int millis) throws IOException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    InputStream in = s.getInputStream();
    while (true) {
      long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      s.setSoTimeout((int) left);
      try {
        if (in.read() < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }
  }

  /** Reads one response's head (and a small body by Content-Length); enough for these checks. */
  private static String readResponse(Socket s) throws IOException {
    s.setSoTimeout(5000);
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head);
      }
      head.append((char) b);
    }
    String h = head.toString();
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return h;
  }
}
