package org.wahub.outbound;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PfxOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard against a real HTTP server on 127.0.0.1 (allowed by CIDR in these tests only): no
 * redirects, bounded answers, time-outs, and the connection going to the address that was checked.
 */
@ExtendWith(VertxExtension.class)
class OutboundGuardTest {

  static final int BIG = 5 * 1024 * 1024;
  static final int MAX = 64 * 1024;

  static HttpServer server;
  static int port;
  static final AtomicInteger redirectTargetHits = new AtomicInteger();
  static final AtomicLong bigBytesWritten = new AtomicLong();
  static final List<String> hostHeaders = new CopyOnWriteArrayList<>();
  static final Map<String, Boolean> bigClosedEarly = new ConcurrentHashMap<>();

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(req -> {
      switch (req.path()) {
        case "/redirect" -> req.response().setStatusCode(302).putHeader("Location", "http://127.0.0.1:" + req.localAddress().port() + "/target").end();
        case "/target" -> {
          redirectTargetHits.incrementAndGet();
          req.response().end("target");
        }
        case "/big" -> streamBig(req.response(), 0);
        case "/big-declared" -> req.response().putHeader("Content-Length", Integer.toString(BIG)).write(Buffer.buffer(new byte[1024]));
        case "/exact" -> req.response().end(Buffer.buffer(new byte[MAX]));
        case "/hang" -> { } // never answers
        case "/echo" -> req.body().onSuccess(body -> {
          hostHeaders.add(req.getHeader("Host"));
          req.response().putHeader("X-Method", req.method().name())
              .putHeader("X-Auth", String.valueOf(req.getHeader("Authorization")))
              .end(body);
        });
        default -> req.response().setStatusCode(404).end();
      }
    });
    server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    port = server.actualPort();
  }

  /** Writes 5 MB in 64 KB chunks, respecting back pressure, and records whether the client hung up first. */
  private static void streamBig(HttpServerResponse response, long written) {
    if (written == 0) {
      response.setChunked(true);
      response.closeHandler(v -> bigClosedEarly.put("big", bigBytesWritten.get() < BIG));
    }
    long sent = written;
    while (sent < BIG && !response.writeQueueFull()) {
      response.write(Buffer.buffer(new byte[64 * 1024]));
      sent += 64 * 1024;
      bigBytesWritten.set(sent);
    }
    if (sent >= BIG) {
      response.end();
    } else {
      long at = sent;
      response.drainHandler(v -> streamBig(response, at));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static OutboundPolicy local() {
    return OutboundPolicy.strict().allowing("127.0.0.1/32").withMaxResponseBytes(MAX);
  }

  static String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  @Test
  void aRedirectIsReturnedNotFollowed(Vertx vertx) throws Exception {
    OutboundGuard guard = new OutboundGuard(vertx, local());
    try {
      GuardedResponse res = await(guard.send(GuardedRequest.get(url("/redirect"))));
      assertThat(res.status()).isEqualTo(302);
      assertThat(res.headers().get("location")).endsWith("/target");
      Thread.sleep(200);
      assertThat(redirectTargetHits.get()).isZero();
    } finally {
      guard.close();
    }
  }

  @Test
  void headersAndBodyGoThroughAndTheAnswerComesBack(Vertx vertx) throws Exception {
    OutboundGuard guard = new OutboundGuard(vertx, local());
    try {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer t").add("Host", "evil.example");
      GuardedResponse res = await(guard.send(GuardedRequest.post(url("/echo?x=1"), headers, Buffer.buffer("{\"a\":1}"))));
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body().toString()).isEqualTo("{\"a\":1}");
      assertThat(res.headers().get("X-Method")).isEqualTo("POST");
      assertThat(res.headers().get("X-Auth")).isEqualTo("Bearer t");
      assertThat(hostHeaders).last().isEqualTo("127.0.0.1:" + port); // the caller's Host header is dropped
      GuardedResponse exact = await(guard.send(GuardedRequest.get(url("/exact"))));
      assertThat(exact.body().length()).isEqualTo(MAX);
    } finally {
      guard.close();
    }
  }

  @Test
  void anAnswerOverTheLimitFailsAndIsNotReadToTheEnd(Vertx vertx) throws Exception {
    OutboundGuard guard = new OutboundGuard(vertx, local());
    try {
      OutboundRefused chunked = refusal(guard.send(GuardedRequest.get(url("/big"))));
      assertThat(chunked.code()).isEqualTo(OutboundRefused.TOO_LARGE);
      // the guard hung up: the server could not hand over all 5 MB (at most its socket buffers' worth)
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> bigClosedEarly.containsKey("big"));
      assertThat(bigClosedEarly.get("big")).isTrue();

      OutboundRefused declared = refusal(guard.send(GuardedRequest.get(url("/big-declared"))));
      assertThat(declared.code()).isEqualTo(OutboundRefused.TOO_LARGE);
    } finally {
      guard.close();
    }
  }

  @Test
  void aServerThatNeverAnswersTimesOut(Vertx vertx) throws Exception {
    OutboundGuard guard = new OutboundGuard(vertx, local().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(600)));
    try {
      long t0 = System.nanoTime();
      OutboundRefused byPolicy = refusal(guard.send(GuardedRequest.get(url("/hang"))));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(byPolicy.code()).isEqualTo(OutboundRefused.TIMEOUT);
      assertThat(ms).isBetween(500L, 600L + 1500L);

      t0 = System.nanoTime();
      OutboundRefused byRequest = refusal(guard.send(GuardedRequest.get(url("/hang")).withTimeout(Duration.ofMillis(250))));
      ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(byRequest.code()).isEqualTo(OutboundRefused.TIMEOUT);
      assertThat(ms).isBetween(200L, 250L + 1500L);
    } finally {
      guard.close();
    }
  }

  /**
   * A listener whose accept queue is full drops new SYNs, so connecting hangs: the connect timeout
   * (400 ms) ends it long before the total (5 s). Skipped where the kernel answers such SYNs anyway.
   */
  @Test
  void aServerThatDoesNotAcceptHitsTheConnectTimeout(Vertx vertx) throws Exception {
    try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      List<java.net.Socket> held = new java.util.ArrayList<>();
      boolean saturated = false;
      for (int i = 0; i < 8 && !saturated; i++) {
        java.net.Socket s = new java.net.Socket();
        try {
          s.connect(new java.net.InetSocketAddress("127.0.0.1", full.getLocalPort()), 300);
          held.add(s);
        } catch (java.net.SocketTimeoutException e) {
          saturated = true;
          s.close();
        }
      }
      org.junit.jupiter.api.Assumptions.assumeTrue(saturated, "this kernel accepts connections beyond the backlog");
      OutboundGuard guard = new OutboundGuard(vertx, local().withTimeouts(Duration.ofMillis(400), Duration.ofSeconds(5)));
      try {
        long t0 = System.nanoTime();
        OutboundRefused r = refusal(guard.send(GuardedRequest.get("http://127.0.0.1:" + full.getLocalPort() + "/")));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.code()).isEqualTo(OutboundRefused.TIMEOUT);
        assertThat(r.getMessage()).isEqualTo("connecting timed out");
        assertThat(ms).isBetween(300L, 400L + 1500L);
      } finally {
        guard.close();
        for (java.net.Socket s : held) {
          s.close();
        }
      }
    }
  }

  @Test
  void refusedBeforeAnyConnection(Vertx vertx) throws Exception {
    OutboundGuard strict = new OutboundGuard(vertx, OutboundPolicy.strict());
    OutboundGuard local = new OutboundGuard(vertx, local());
    int before = redirectTargetHits.get();
    try {
      assertThat(refusal(strict.send(GuardedRequest.get(url("/target")))).code()).isEqualTo(OutboundRefused.REFUSED);
      assertThat(refusal(local.send(GuardedRequest.get("http://u:p@127.0.0.1:" + port + "/target"))).code())
          .isEqualTo(OutboundRefused.BAD_URL);
      // localhost resolves to 127.0.0.1, but the list allows the block, not the name: only as good as its answers
      OutboundGuard nameOnly = new OutboundGuard(vertx, OutboundPolicy.strict().allowing("wa.internal"));
      assertThat(refusal(nameOnly.send(GuardedRequest.get("http://localhost:" + port + "/target"))).code())
          .isEqualTo(OutboundRefused.REFUSED);
      nameOnly.close();
      OutboundGuard withName = new OutboundGuard(vertx, OutboundPolicy.strict().allowing("localhost"));
      assertThat(await(withName.send(GuardedRequest.get("http://localhost:" + port + "/target"))).status()).isEqualTo(200);
      withName.close();
      assertThat(redirectTargetHits.get()).isEqualTo(before + 1);
    } finally {
      strict.close();
      local.close();
    }
  }

  /**
   * DNS rebinding: the name is looked up once, by the guard, and the connection goes to that
   * answer. The name here does not exist in any real DNS, so had the HTTP client resolved it again
   * itself the call would fail; it succeeds, reaches the checked 127.0.0.1, and the server sees the
   * name in Host. A resolver that answers a public and an internal address is refused outright.
   */
  @Test
  void theConnectionGoesToTheCheckedAddress(Vertx vertx) throws Exception {
    AtomicInteger lookups = new AtomicInteger();
    OutboundGuard.Resolver resolver = host -> {
      lookups.incrementAndGet();
      return switch (host) {
        case "rebind.invalid" -> new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        case "mixed.invalid" -> new InetAddress[] {InetAddress.getByName("93.184.216.34"), InetAddress.getByName("127.0.0.1")};
        default -> throw new UnknownHostException(host);
      };
    };
    OutboundGuard guard = new OutboundGuard(vertx, local(), resolver, new HttpClientOptions());
    try {
      GuardedResponse res = await(guard.send(GuardedRequest.post("http://rebind.invalid:" + port + "/echo", null, Buffer.buffer("x"))));
      assertThat(res.status()).isEqualTo(200);
      assertThat(hostHeaders).last().isEqualTo("rebind.invalid:" + port);
      assertThat(lookups.get()).isEqualTo(1);
      assertThat(refusal(guard.send(GuardedRequest.get("http://nothing.invalid/"))).code()).isEqualTo(OutboundRefused.UNRESOLVABLE);
      assertThat(lookups.get()).isEqualTo(2);
    } finally {
      guard.close();
    }
    // check() only, strict policy: nothing here may connect to the public address in the answer
    OutboundGuard strict = new OutboundGuard(vertx, OutboundPolicy.strict(), resolver, new HttpClientOptions());
    try {
      assertThat(refusal(strict.check("http://mixed.invalid/")).getMessage()).contains("resolves to a loopback address");
      assertThat(lookups.get()).isEqualTo(3);
    } finally {
      strict.close();
    }
    // and without the injected resolver the same name does not resolve at all
    OutboundGuard real = new OutboundGuard(vertx, local());
    try {
      assertThat(refusal(real.check("http://rebind.invalid:" + port + "/")).code()).isEqualTo(OutboundRefused.UNRESOLVABLE);
    } finally {
      real.close();
    }
  }

  /**
   * TLS to the checked IP still verifies the certificate against the host name (and sends it as
   * SNI): the test certificate names only {@code tls.invalid}, no IP, so the call succeeds only if
   * the name is used; a name the certificate does not cover fails the handshake.
   */
  @Test
  void tlsVerifiesTheNameWhileConnectingToTheAddress(Vertx vertx, @TempDir Path dir) throws Exception {
    Path store = dir.resolve("tls.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "tls", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=tls.invalid",
        "-ext", "SAN=dns:tls.invalid", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    assertThat(Files.size(store)).isPositive();
    PfxOptions pfx = new PfxOptions().setPath(store.toString()).setPassword("changeit");

    List<String> sni = new CopyOnWriteArrayList<>();
    HttpServer tls = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setSsl(true).setSni(true).setKeyCertOptions(pfx))
        .requestHandler(req -> {
          sni.add(String.valueOf(req.connection().indicatedServerName()));
          req.response().end("secure");
        });
    await(tls.listen());
    OutboundGuard.Resolver resolver = host -> new InetAddress[] {InetAddress.getByName("127.0.0.1")};
    OutboundGuard guard = new OutboundGuard(vertx, local(), resolver, new HttpClientOptions().setTrustOptions(pfx));
    try {
      GuardedResponse res = await(guard.send(GuardedRequest.get("https://tls.invalid:" + tls.actualPort() + "/")));
      assertThat(res.body().toString()).isEqualTo("secure");
      assertThat(sni).containsExactly("tls.invalid");
      Throwable wrongName = failure(guard.send(GuardedRequest.get("https://other.invalid:" + tls.actualPort() + "/")));
      assertThat(wrongName).isNotNull().isNotInstanceOf(OutboundRefused.class);
      assertThat(sni).hasSize(1);
    } finally {
      guard.close();
      tls.close();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static Throwable failure(Future<?> f) throws Exception {
    try {
      await(f);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  static OutboundRefused refusal(Future<?> f) throws Exception {
    Throwable t = failure(f);
    assertThat(t).isInstanceOf(OutboundRefused.class);
    return (OutboundRefused) t;
  }
}
