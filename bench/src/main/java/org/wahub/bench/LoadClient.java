package org.wahub.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.util.Arrays;
import java.util.Map;

/**
 * The load generator: Vert.x's non-blocking HTTP/1.1 client in the benchmark's own JVM, keep-alive
 * connections, one request in flight per connection.
 */
public final class LoadClient implements AutoCloseable {

  private final Vertx vertx;
  private final HttpClient client;
  private final int port;

  public LoadClient(int port, int connections) {
    this(port, connections, 0);
  }

  /**
   * @param eventLoops 0 for Vert.x's default; a paced client wants 1: every extra loop is another
   *     thread to wake on a 2-core box that it shares with the hub and PostgreSQL
   */
  public LoadClient(int port, int connections, int eventLoops) {
    this.vertx = eventLoops > 0 ? Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops)) : Vertx.vertx();
    this.port = port;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false)
        .setDefaultHost("127.0.0.1").setDefaultPort(port).setConnectTimeout(5000),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  public Vertx vertx() {
    return vertx;
  }

  public int port() {
    return port;
  }

  /** A complete answer. */
  public record Answer(int status, Buffer body) {
  }

  /** Sends one request; completes with the status code (the body is read and dropped). */
  public Future<Integer> send(HttpMethod method, String path, String key, Map<String, String> headers, Buffer body) {
    return exchange(method, path, key, headers, body).map(Answer::status);
  }

  /** Sends one request; completes with status and body. */
  public Future<Answer> exchange(HttpMethod method, String path, String key, Map<String, String> headers, Buffer body) {
    RequestOptions ro = new RequestOptions().setMethod(method).setURI(path).setPort(port).setHost("127.0.0.1")
        .setTimeout(30_000);
    ro.putHeader("Authorization", "Bearer " + key);
    if (body != null) {
      ro.putHeader("Content-Type", "application/json");
    }
    headers.forEach(ro::putHeader);
    return client.request(ro)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b)));
  }

  @Override
  public void close() {
    client.close().compose(x -> vertx.close()).toCompletionStage().toCompletableFuture().join();
  }

  /** Latency percentiles of recorded samples (nanoseconds), printed in milliseconds. */
  public static final class Latencies {
    private long[] samples = new long[1 << 16];
    private int n;

    public synchronized void add(long nanos) {
      if (n == samples.length) {
        samples = Arrays.copyOf(samples, n * 2);
      }
      samples[n++] = nanos;
    }

    public synchronized double percentileMs(double p) {
      if (n == 0) {
        return Double.NaN;
      }
      long[] sorted = Arrays.copyOf(samples, n);
      Arrays.sort(sorted);
      int idx = (int) Math.ceil(p / 100.0 * n) - 1;
      return sorted[Math.max(0, Math.min(n - 1, idx))] / 1e6;
    }

    public synchronized int count() {
      return n;
    }
  }
}
