package org.wahub.intake;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.Addresses;
import org.wahub.HubConfig;
import org.wahub.api.Problems;
import org.wahub.db.Pools;
import org.wahub.hub.message.MessageIds;
import org.wahub.message.MessageStore;
import org.wahub.metrics.HubMetrics;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Intake with group commit, one per event loop. Requests queue up while earlier batches are in
 * the database; a batch is flushed as soon as a slot is free (at most {@code maxInFlight} per
 * verticle) or at the end of the current event-loop tick — never on a fixed timer, which only
 * adds latency at low load. Each batch is one statement ({@link IntakeWriter}); every request gets
 * its own answer, and only after the commit.
 */
public final class IdempotencyVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(IdempotencyVerticle.class);
  private static final int MAX_QUEUED = 20_000;
  private static final int MAX_REQUEUES = 5;

  private final PgConnectOptions connectOptions;
  private final HubConfig config;
  private final int maxBatch;
  private final int maxInFlight;
  private final long staleAfterNanos;
  private final HubMetrics metrics;

  private Pool pool;
  private IntakeWriter writer;
  private MessageStore messages;
  private MessageConsumer<IntakeRequest> consumer;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean flushScheduled;
  private boolean stopping;
  private Promise<Void> drained;

  /** A request and where its answer goes. {@code requeues} counts retries, {@code alone} isolates it. */
  private static final class Pending {
    final IntakeRequest request;
    final Message<IntakeRequest> message;
    int requeues;
    boolean alone;

    Pending(IntakeRequest request, Message<IntakeRequest> message) {
      this.request = request;
      this.message = message;
    }
  }

  private final int shard;

  public IdempotencyVerticle(PgConnectOptions connectOptions, HubConfig config, int shard, HubMetrics metrics) {
    this.connectOptions = connectOptions;
    this.metrics = metrics;
    this.config = config;
    this.shard = shard;
    this.maxBatch = config.intakeMaxBatch();
    this.maxInFlight = config.intakeMaxInFlight();
    // a request the API already gave up on must not be committed late: drop it before batching
    this.staleAfterNanos = Math.max(1, config.intakeTimeout().toMillis() - 1000) * 1_000_000L;
  }

  @Override
  public Future<?> start() {
    pool = Pools.intake(vertx, connectOptions, config);
    writer = new IntakeWriter(pool, new MessageIds(Clock.systemUTC(), new SecureRandom()), Clock.systemUTC());
    messages = new MessageStore(pool);
    consumer = vertx.eventBus().localConsumer(Addresses.intake(shard), this::onRequest);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    Future<Void> unregistered = consumer.unregister();
    while (!queue.isEmpty()) {
      reply(queue.poll(), new IntakeResult.Failed(new IntakeResult.Unavailable("the hub is shutting down")));
    }
    Future<Void> inFlightDone;
    if (inFlight == 0) {
      inFlightDone = Future.succeededFuture();
    } else {
      drained = Promise.promise();
      inFlightDone = drained.future();
    }
    return Future.join(unregistered, inFlightDone).compose(x -> pool.close());
  }

  private void onRequest(Message<IntakeRequest> message) {
    if (stopping || queue.size() >= MAX_QUEUED) {
      message.reply(new IntakeResult.Failed(new IntakeResult.Unavailable(stopping ? "shutting down" : "intake overloaded")),
          LocalCodec.options());
      return;
    }
    queue.add(new Pending(message.body(), message));
    scheduleFlush();
  }

  private void scheduleFlush() {
    if (flushScheduled || inFlight >= maxInFlight || queue.isEmpty()) {
      return;
    }
    flushScheduled = true;
    // end of this tick: requests that arrived in the same read burst share the batch
    context.runOnContext(v -> {
      flushScheduled = false;
      flush();
    });
  }

  private void flush() {
    while (inFlight < maxInFlight && !queue.isEmpty()) {
      List<Pending> batch = nextBatch();
      if (batch.isEmpty()) {
        continue;
      }
      inFlight++;
      long t0 = System.nanoTime();
      writer.write(requests(batch)).onComplete(ar -> {
        inFlight--;
        if (LOG.isDebugEnabled()) {
          LOG.debug("batch {} {} {}", kv("size", batch.size()), kv("ms", (System.nanoTime() - t0) / 1e6), kv("queued", queue.size()));
        }
        if (ar.succeeded()) {
          metrics.intakeBatch(batch.size(), System.nanoTime() - t0);
          signalQueuedEvents(batch, ar.result());
          complete(batch, ar.result());
        } else {
          failed(batch, ar.cause());
        }
        if (inFlight == 0 && drained != null) {
          drained.tryComplete();
        }
        scheduleFlush();
      });
    }
  }

  /** Readers of the outbox learn of the message.queued events the batch wrote (only where a webhook asked for them). */
  private void signalQueuedEvents(List<Pending> batch, List<IntakeWriter.Outcome> outcomes) {
    Set<String> tenants = null;
    int events = 0;
    for (IntakeWriter.Outcome o : outcomes) {
      if (o.queuedEvent()) {
        events++;
        if (tenants == null) {
          tenants = new HashSet<>();
        }
        tenants.add(batch.get(o.ord()).request.tenantId());
      }
    }
    if (tenants != null) {
      tenants.forEach(t -> org.wahub.event.EventSignal.written(vertx, t));
      metrics.eventsWritten(org.wahub.hub.event.EventType.MESSAGE_QUEUED.wire(), events);
    }
  }

  /** Up to maxBatch requests with distinct keys; repeats of a key wait for the next batch. */
  private List<Pending> nextBatch() {
    List<Pending> batch = new ArrayList<>();
    List<Pending> deferred = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    long now = System.nanoTime();
    while (!queue.isEmpty() && batch.size() < maxBatch) {
      Pending p = queue.peek();
      if (p.alone && !batch.isEmpty()) {
        break;
      }
      queue.poll();
      if (now - p.request.receivedAtNanos() > staleAfterNanos) {
        reply(p, new IntakeResult.Failed(new IntakeResult.Unavailable("request waited too long for the database")));
        continue;
      }
      if (!keys.add(p.request.dedupeKey())) {
        deferred.add(p);
        continue;
      }
      batch.add(p);
      if (p.alone) {
        break;
      }
    }
    for (int i = deferred.size() - 1; i >= 0; i--) {
      queue.addFirst(deferred.get(i));
    }
    return batch;
  }

  private static List<IntakeRequest> requests(List<Pending> batch) {
    List<IntakeRequest> out = new ArrayList<>(batch.size());
    batch.forEach(p -> out.add(p.request));
    return out;
  }

  private void complete(List<Pending> batch, List<IntakeWriter.Outcome> outcomes) {
    Set<String> woken = new LinkedHashSet<>();
    List<Pending> retry = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      IntakeWriter.Outcome o = outcomes.get(i);
      IntakeRequest r = p.request;
      if (!o.instanceFound()) {
        reply(p, new IntakeResult.UnknownInstance());
      } else if (o.newId() != null) {
        woken.add(r.instanceId());
        reply(p, new IntakeResult.Accepted(o.newId()));
      } else if (o.existingId() != null) {
        answerExisting(p, o);
      } else if (o.refused()) {
        reply(p, new IntakeResult.Unsupported(o.providerType()));
      } else if (o.admitted()) {
        // lost an insert race for this key with a concurrent batch: the next batch sees its row
        retry.add(p);
      } else {
        reply(p, new IntakeResult.QueueFull(o.maxQueue(), retryAfterSeconds(o.perMinute())));
      }
    }
    requeue(retry, false);
    for (String instanceId : woken) {
      vertx.eventBus().publish(Addresses.instanceWake(instanceId), null);
    }
  }

  private void answerExisting(Pending p, IntakeWriter.Outcome o) {
    IntakeRequest r = p.request;
    if (!r.instanceId().equals(o.existingInstance()) || !r.payloadHash().equals(o.existingHash())) {
      reply(p, new IntakeResult.KeyConflict(r.idempotencyKey()));
    } else if ("queued".equals(o.existingStatus()) || "sending".equals(o.existingStatus())) {
      reply(p, new IntakeResult.Replayed(o.existingId(), o.existingStatus()));
    } else {
      messages.get(r.tenantId(), UUID.fromString(o.existingId()), false).onComplete(ar -> {
        if (ar.succeeded() && ar.result().isPresent()) {
          reply(p, new IntakeResult.Completed(ar.result().get()));
        } else {
          // deleted in between, or the read failed: the request was not stored by us either way
          reply(p, new IntakeResult.Failed(ar.failed() ? ar.cause() : new IntakeResult.Unavailable("message vanished")));
        }
      });
    }
  }

  private void failed(List<Pending> batch, Throwable cause) {
    if (isRetriable(cause)) {
      requeue(batch, false);
    } else if (Problems.isDatabaseUnavailable(cause)) {
      batch.forEach(p -> reply(p, new IntakeResult.Failed(cause)));
    } else if (batch.size() > 1) {
      // one bad request must not sink the others: retry each on its own to find it
      LOG.warn("intake batch of {} failed, retrying its requests one by one {}", batch.size(), kv("error", cause.toString()));
      requeue(batch, true);
    } else {
      LOG.error("intake request failed {}", kv("requestId", batch.get(0).request.requestId()), cause);
      reply(batch.get(0), new IntakeResult.Failed(cause));
    }
  }

  private void requeue(List<Pending> pending, boolean alone) {
    for (int i = pending.size() - 1; i >= 0; i--) {
      Pending p = pending.get(i);
      if (++p.requeues > MAX_REQUEUES) {
        reply(p, new IntakeResult.Failed(new IntakeResult.Unavailable("gave up after " + MAX_REQUEUES + " retries")));
        continue;
      }
      p.alone = p.alone || alone;
      queue.addFirst(p);
    }
    scheduleFlush();
  }

  private static boolean isRetriable(Throwable cause) {
    return cause instanceof PgException pg
        && ("40P01".equals(pg.getSqlState()) || "40001".equals(pg.getSqlState()));
  }

  static long retryAfterSeconds(int perMinute) {
    return perMinute <= 0 ? 60 : Math.max(1, (60 + perMinute - 1) / perMinute);
  }

  private static void reply(Pending p, IntakeResult result) {
    p.message.reply(result, LocalCodec.options());
  }
}
