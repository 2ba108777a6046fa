package org.wahub.bench.reliability;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent clients that keep posting messages with unique Idempotency-Keys while the hub is
 * killed, restarted, starved of its database or stopped, and record every answer in a
 * {@link Ledger}. A client that gets no answer (connection refused or reset, timeout), a 503 or a
 * 429 retries the same key with the same body until it gets a definitive answer — exactly what a
 * well-behaved caller does, and what makes "one key, one message, one id" checkable.
 */
final class Posters implements AutoCloseable {

  /** An instance to post to and its share of the traffic. */
  record Target(String instance, int weight) {
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final int port;
  private final String tenantKey;
  private final List<Target> targets;
  private final int totalWeight;
  private final int clients;
  private final double ratePerSecond;
  private final String keyPrefix;
  private final Ledger ledger;
  private final long seed;
  private final int timeoutMs;
  private final AtomicBoolean posting = new AtomicBoolean();
  private final AtomicLong seq = new AtomicLong();
  private CountDownLatch finished;

  Posters(int port, String tenantKey, List<Target> targets, int clients, double ratePerSecond, String keyPrefix,
          Ledger ledger, long seed, int timeoutMs) {
    this.vertx = Vertx.vertx();
    this.port = port;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false)
            .setDefaultHost("127.0.0.1").setDefaultPort(port).setConnectTimeout(2000),
        new PoolOptions().setHttp1MaxSize(clients).setMaxWaitQueueSize(-1));
    this.tenantKey = tenantKey;
    this.targets = targets;
    this.totalWeight = targets.stream().mapToInt(Target::weight).sum();
    this.clients = clients;
    this.ratePerSecond = ratePerSecond;
    this.keyPrefix = keyPrefix;
    this.ledger = ledger;
    this.seed = seed;
    this.timeoutMs = timeoutMs;
  }

  /** The body posted for a key: deterministic, so a retry is byte-for-byte the same request. */
  static String body(String key, int n) {
    return new JsonObject().put("to", "+49151123456" + String.format("%02d", Math.floorMod(n, 16)))
        .put("text", "reliability " + key).encode();
  }

  void start() {
    posting.set(true);
    finished = new CountDownLatch(clients);
    for (int c = 0; c < clients; c++) {
      Client cl = new Client(c, new Random(seed * 31 + c));
      vertx.runOnContext(v -> cl.next());
    }
  }

  /** No new keys from now on; clients finish the key they are on (retrying it until answered). */
  void stopPosting() {
    posting.set(false);
  }

  /** Waits until every client has finished its last key; false if some are still retrying. */
  boolean awaitSettled(Duration within) throws InterruptedException {
    return finished.await(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  long keysIssued() {
    return seq.get();
  }

  @Override
  public void close() {
    posting.set(false);
    client.close().compose(x -> vertx.close()).toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS)
        .exceptionally(e -> null).join();
  }

  private final class Client {
    private final int id;
    private final Random random;
    private final long intervalNanos;
    private Ledger.Entry pending;
    private long nextAt = System.nanoTime();

    Client(int id, Random random) {
      this.id = id;
      this.random = random;
      this.intervalNanos = (long) (1e9 * clients / Math.max(0.1, ratePerSecond));
    }

    void next() {
      if (pending == null) {
        if (!posting.get()) {
          finished.countDown();
          return;
        }
        long n = seq.incrementAndGet();
        String instance = pick();
        String key = keyPrefix + ":" + id + ":" + n;
        pending = ledger.entry(key, instance, body(key, (int) n));
      }
      Ledger.Entry e = pending;
      long startNanos = System.nanoTime();
      long startMs = System.currentTimeMillis();
      ledger.requests.incrementAndGet();
      synchronized (e) {
        e.attempts++;
      }
      RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
          .setURI("/instances/" + e.instance + "/messages").setIdleTimeout(timeoutMs)
          .putHeader("Authorization", "Bearer " + tenantKey)
          .putHeader("Content-Type", "application/json")
          .putHeader("Idempotency-Key", e.key);
      AtomicBoolean done = new AtomicBoolean();
      long guard = vertx.setTimer(timeoutMs + 1000L, t -> {
        if (done.compareAndSet(false, true)) {
          onNoAnswer(e, startMs, startNanos, true, "client timeout");
        }
      });
      client.request(ro)
          .compose(req -> req.send(Buffer.buffer(e.body)))
          .compose(resp -> resp.body().map(b -> new Object[] {resp.statusCode(), resp.getHeader("Idempotent-Replayed"), b}))
          .onComplete(ar -> {
            if (!done.compareAndSet(false, true)) {
              return;
            }
            vertx.cancelTimer(guard);
            if (ar.failed()) {
              boolean timeout = System.nanoTime() - startNanos >= TimeUnit.MILLISECONDS.toNanos(timeoutMs);
              onNoAnswer(e, startMs, startNanos, timeout, String.valueOf(ar.cause()));
            } else {
              Object[] r = ar.result();
              onAnswer(e, startMs, startNanos, (Integer) r[0], (String) r[1], (Buffer) r[2]);
            }
          });
    }

    private String pick() {
      int r = random.nextInt(totalWeight);
      for (Target t : targets) {
        r -= t.weight();
        if (r < 0) {
          return t.instance();
        }
      }
      return targets.get(0).instance();
    }

    private void onNoAnswer(Ledger.Entry e, long startMs, long startNanos, boolean timeout, String why) {
      long latency = (System.nanoTime() - startNanos) / 1_000_000;
      ledger.sample(new Ledger.Sample(startMs, latency, timeout ? Ledger.TIMED_OUT : Ledger.NO_ANSWER, e.key));
      (timeout ? ledger.timedOut : ledger.noAnswer).incrementAndGet();
      synchronized (e) {
        e.noAnswer++;
        e.ambiguous = true;
        e.lastProblem = why;
      }
      later(200 + random.nextInt(200));
    }

    private void onAnswer(Ledger.Entry e, long startMs, long startNanos, int status, String replayed, Buffer body) {
      long latency = (System.nanoTime() - startNanos) / 1_000_000;
      ledger.sample(new Ledger.Sample(startMs, latency, status, e.key));
      if (status == 202 || status == 200) {
        String msgId;
        try {
          msgId = body.toJsonObject().getString("id");
        } catch (RuntimeException ex) {
          msgId = null;
        }
        (status == 202 ? ledger.answered202 : ledger.answered200).incrementAndGet();
        synchronized (e) {
          if (msgId == null) {
            ledger.anomaly(e.key + ": " + status + " without an id: " + body);
          } else {
            e.ids.add(msgId);
          }
          if (status == 200) {
            e.completed++;
          } else if ("true".equals(replayed)) {
            e.replayed++;
          } else {
            e.accepted++;
            if (e.accepted > 1) {
              ledger.anomaly(e.key + ": a second fresh 202 (without Idempotent-Replayed) for the same key, ids " + e.ids);
            }
          }
          e.settled = true;
        }
        pending = null;
        paced();
        return;
      }
      if (status == 503 || status == 429) {
        (status == 503 ? ledger.unavailable503 : ledger.queueFull429).incrementAndGet();
        synchronized (e) {
          if (status == 503) {
            e.unavailable++;
            e.ambiguous = true; // "may or may not be stored": only a retry with the key tells
          } else {
            e.queueFull++;
          }
        }
        later(status == 429 ? 1000 : 300 + random.nextInt(200));
        return;
      }
      if (status >= 500) {
        ledger.server5xx.incrementAndGet();
        synchronized (e) {
          e.server5xx++;
          e.ambiguous = true;
          e.lastProblem = status + " " + body;
        }
        ledger.anomaly(e.key + ": " + status + " " + body);
        later(300);
        return;
      }
      // any other answer is final for this key, and unexpected for a valid request
      ledger.other4xx.incrementAndGet();
      synchronized (e) {
        e.other4xx++;
        e.settled = true;
        e.lastProblem = status + " " + body;
      }
      ledger.anomaly(e.key + ": " + status + " " + body);
      pending = null;
      paced();
    }

    private void paced() {
      nextAt += intervalNanos;
      long now = System.nanoTime();
      if (nextAt < now - intervalNanos * 4) {
        nextAt = now; // fell far behind (the hub was down): do not burst to catch up
      }
      long delayMs = Math.max(0, (nextAt - now) / 1_000_000);
      later(delayMs);
    }

    private void later(long ms) {
      if (ms <= 0) {
        vertx.runOnContext(v -> next());
      } else {
        vertx.setTimer(ms, t -> next());
      }
    }
  }
}
