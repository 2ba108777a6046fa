package org.wahub.webhook;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.Addresses;
import org.wahub.HubConfig;
import org.wahub.Ids;
import org.wahub.db.Pools;
import org.wahub.hub.message.MessageIds;
import org.wahub.hub.breaker.CircuitBreaker;
import org.wahub.hub.webhook.EndpointBreaker;
import org.wahub.hub.webhook.WebhookResponse;
import org.wahub.hub.webhook.WebhookRetrySchedule;
import org.wahub.outbound.OutboundGuard;
import org.wahub.outbound.OutboundPolicy;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Durable webhook delivery, one per node; the database is the truth, this verticle is glue.
 *
 * <p>A <em>round</em> (single-flight; wakes that arrive meanwhile run one more) fans new outbox
 * events out into delivery rows (gap-safe pages, one node at a time), rescues deliveries whose
 * node died mid-request, and asks which endpoints have due deliveries. Each due endpoint is then
 * <em>pumped</em>: its breaker ({@link EndpointBreaker}) says how many requests may start, and
 * that many due deliveries are claimed for it alone, so an endpoint that is slow or dead holds only
 * its own slots and never a claim, a connection or a timer another endpoint needs. A completion
 * writes its outcome (retry time from {@link WebhookRetrySchedule}, 410 disables the endpoint) and
 * pumps its endpoint again, which also releases the next event of the same message.
 *
 * <p>Wakes: the bus ({@link Addresses#EVENTS_COMMITTED}: events committed, from the node's LISTEN;
 * {@link Addresses#WEBHOOKS_WAKE}: test pings, replays, an endpoint enabled again), and one
 * re-armed one-shot timer for the earliest future due time, breaker trial or foreign lease expiry.
 * No timer runs while nothing is pending.
 *
 * <p>One per node rather than one per endpoint (knative's model): endpoints are rows, not
 * resources with their own lifecycle, and thousands of mostly idle endpoints would be thousands of
 * deployments reconciled against the table. Isolation comes from claiming per endpoint with its
 * own in-flight bound and breaker instead; every wait is asynchronous, so a slow endpoint costs a
 * few open requests and nothing else.
 */
public final class WebhookVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookVerticle.class);
  static final int FANOUT_PAGE = 500;
  private static final int FANOUT_PAGES_PER_ROUND = 20;
  /**
   * Events committed behind a transaction still running are read again this much later, doubling
   * (up to {@link #HELD_BACK_RETRY_MAX}) while that transaction keeps running.
   */
  private static final Duration HELD_BACK_RETRY = Duration.ofMillis(50);
  private static final Duration HELD_BACK_RETRY_MAX = Duration.ofSeconds(1);
  private static final Duration DB_RETRY = Duration.ofSeconds(2);
  /** A lease outlives the request's time-out by this much, so only a dead node ever loses one. */
  private static final Duration LEASE_MARGIN = Duration.ofSeconds(20);

  /** One endpoint as this node sees it. Touched only on this verticle's context. */
  static final class Endpoint {
    final String id;
    final EndpointBreaker breaker;
    int inFlight;
    boolean claiming;
    boolean claimAgain;

    Endpoint(String id, EndpointBreaker breaker) {
      this.id = id;
      this.breaker = breaker;
    }
  }

  private final HubConfig config;
  private final PgConnectOptions connectOptions;
  private final Clock clock;
  private final RandomGenerator random;
  private final String owner = Ids.random("node");
  private final Map<String, Endpoint> endpoints = new HashMap<>();

  private WebhookRetrySchedule schedule;
  private int concurrency;
  private Duration timeout;
  private Pool pool;
  private OutboundGuard guard;
  private WebhookDeliveryStore store;
  private WebhookSender sender;
  private WebhookFanOut planner;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  private boolean closed;
  private boolean roundRunning;
  private boolean roundAgain;
  private Future<?> round = Future.succeededFuture();
  private int claimsRunning;
  private Promise<Void> claimsDrained;
  private long timer = -1;
  private Instant timerAt;
  private Duration heldBackRetry = HELD_BACK_RETRY;
  private Instant lastRoundStarted;

  public WebhookVerticle(HubConfig config, PgConnectOptions connectOptions) {
    this(config, connectOptions, Clock.systemUTC(), new SecureRandom());
  }

  WebhookVerticle(HubConfig config, PgConnectOptions connectOptions, Clock clock, RandomGenerator random) {
    this.config = config;
    this.connectOptions = connectOptions;
    this.clock = clock;
    this.random = random;
  }

  @Override
  public Future<?> start() {
    List<Duration> delays = config.webhookRetryDelays();
    schedule = new WebhookRetrySchedule(delays, config.webhookMaxAttempts(), WebhookRetrySchedule.DEFAULT_JITTER);
    concurrency = Math.max(1, config.webhookConcurrencyPerEndpoint());
    timeout = config.webhookTimeout();
    pool = Pools.shared(vertx, connectOptions, config);
    guard = new OutboundGuard(vertx, OutboundPolicy.from(config));
    store = new WebhookDeliveryStore(pool);
    sender = new WebhookSender(guard, timeout, clock);
    planner = new WebhookFanOut(new MessageIds(clock, random));
    // committed outbox events (this node's LISTEN, whichever node wrote them), and pings and replays
    consumers.add(vertx.eventBus().localConsumer(Addresses.EVENTS_COMMITTED, m -> wakeForCommit()));
    consumers.add(vertx.eventBus().consumer(Addresses.WEBHOOKS_WAKE, m -> wake()));
    wake(); // deliveries left pending by an earlier run, events appended while no node was up
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    closed = true;
    cancelTimer();
    consumers.forEach(MessageConsumer::unregister);
    Future<Void> claims;
    if (claimsRunning == 0) {
      claims = Future.succeededFuture();
    } else {
      claimsDrained = Promise.promise();
      claims = claimsDrained.future();
    }
    // requests still in flight are not waited for: their rows go back to pending (at-least-once),
    // and a late answer finds its fence stale and writes nothing
    return round.transform(x -> claims)
        .compose(x -> store.releaseOwned(owner, clock.instant()))
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("webhook deliveries in flight released at shutdown {}", kv("count", n));
          }
        })
        .recover(err -> {
          LOG.warn("could not release webhook deliveries at shutdown; their leases will run out {}",
              kv("error", String.valueOf(err.getMessage())));
          return Future.succeededFuture();
        })
        .compose(x -> guard.close())
        .compose(x -> pool.close());
  }

  // ---- rounds

  private void wake() {
    if (closed) {
      return;
    }
    if (roundRunning) {
      roundAgain = true;
      return;
    }
    runRound();
  }

  /**
   * Every send commits an event, hundreds a second under load, and each wakes this node. One round
   * per HUB_WEBHOOK_FANOUT_GAP_MS reads what committed meanwhile in one page instead of one round
   * (three transactions) per commit; the price is at most that gap of extra delay for a webhook.
   */
  private void wakeForCommit() {
    Instant earliest = lastRoundStarted == null ? null : lastRoundStarted.plus(config.webhookFanOutGap());
    if (earliest == null || !clock.instant().isBefore(earliest)) {
      wake();
    } else {
      armAt(earliest);
    }
  }

  private void runRound() {
    roundRunning = true;
    roundAgain = false;
    Instant started = clock.instant();
    lastRoundStarted = started;
    round = fanOut(0)
        .recover(err -> {
          // deliveries already due must not wait for the outbox: go on, read it again later
          if (!closed) {
            LOG.warn("webhook fan-out failed; retrying {} {}", kv("inMs", DB_RETRY.toMillis()),
                kv("error", String.valueOf(err.getMessage())));
          }
          armAt(started.plus(DB_RETRY));
          return Future.succeededFuture(false);
        })
        .compose(heldBack -> store.rescueExpired(clock.instant(), owner).map(rescue -> {
          if (rescue.rescued() > 0) {
            LOG.info("webhook deliveries of a stopped node are due again {}", kv("count", rescue.rescued()));
          }
          armAt(rescue.nextExpiry());
          if (heldBack) {
            armAt(clock.instant().plus(heldBackRetry));
            heldBackRetry = heldBackRetry.multipliedBy(2).compareTo(HELD_BACK_RETRY_MAX) > 0
                ? HELD_BACK_RETRY_MAX : heldBackRetry.multipliedBy(2);
          } else {
            heldBackRetry = HELD_BACK_RETRY;
          }
          return rescue;
        }))
        .compose(x -> store.dueEndpoints(clock.instant()))
        .onSuccess(this::schedule)
        .onFailure(err -> {
          if (!closed) {
            LOG.warn("webhook round failed; retrying {} {}", kv("inMs", DB_RETRY.toMillis()),
                kv("error", String.valueOf(err.getMessage())));
            armAt(started.plus(DB_RETRY));
          }
        })
        .onComplete(ar -> {
          roundRunning = false;
          if (roundAgain && !closed) {
            runRound();
          }
        });
  }

  /** Fans out pages until one comes back short (or this round's share is done); true if events were held back. */
  private Future<Boolean> fanOut(int pagesDone) {
    return store.fanOutPage(FANOUT_PAGE, clock.instant(), planner).compose(page -> {
      if (!page.locked()) {
        // another node fans out now; it was woken by the same append and will read this too
        return Future.succeededFuture(false);
      }
      if (page.scanned() == FANOUT_PAGE) {
        if (pagesDone + 1 >= FANOUT_PAGES_PER_ROUND) {
          roundAgain = true; // let the deliveries start; continue in the next round
          return Future.succeededFuture(false);
        }
        return fanOut(pagesDone + 1);
      }
      return Future.succeededFuture(page.heldBack());
    });
  }

  /** Pumps every endpoint that has something due, and arms the timer for the earliest future due time. */
  private void schedule(List<WebhookDeliveryStore.DueEndpoint> due) {
    Set<String> seen = new HashSet<>();
    for (WebhookDeliveryStore.DueEndpoint d : due) {
      seen.add(d.webhookId());
      Endpoint ep = endpoint(d.webhookId());
      armAt(d.nextAt());
      if (d.dueNow()) {
        pump(ep);
      }
    }
    // forget endpoints with nothing pending, unless their breaker still has something to say
    endpoints.values().removeIf(ep -> !seen.contains(ep.id) && ep.inFlight == 0 && !ep.claiming
        && ep.breaker.state(clock.instant()) == CircuitBreaker.State.CLOSED);
  }

  private Endpoint endpoint(String id) {
    return endpoints.computeIfAbsent(id, k -> new Endpoint(k,
        new EndpointBreaker(Math.max(1, config.webhookBreakerFailures()), config.webhookBreakerReset())));
  }

  // ---- one endpoint

  private void pump(Endpoint ep) {
    if (closed) {
      return;
    }
    if (ep.claiming) {
      ep.claimAgain = true;
      return;
    }
    Instant now = clock.instant();
    int permits = ep.breaker.permits(now, concurrency, ep.inFlight);
    if (permits == 0) {
      if (ep.breaker.state(now) == CircuitBreaker.State.OPEN) {
        armAt(ep.breaker.halfOpenAt().orElse(null));
      }
      return;
    }
    ep.claiming = true;
    claimsRunning++;
    store.claimDue(ep.id, permits, now, owner, now.plus(timeout).plus(LEASE_MARGIN)).onComplete(ar -> {
      ep.claiming = false;
      claimsRunning--;
      if (ar.failed()) {
        if (!closed) {
          LOG.warn("webhook claim failed {} {}", kv("webhookId", ep.id), kv("error", String.valueOf(ar.cause().getMessage())));
          armAt(clock.instant().plus(DB_RETRY));
        }
      } else if (!closed) {
        for (WebhookDeliveryStore.Claimed c : ar.result()) {
          start(ep, c);
        }
      }
      if (closed && claimsRunning == 0 && claimsDrained != null) {
        claimsDrained.tryComplete();
      }
      if (ep.claimAgain) {
        ep.claimAgain = false;
        pump(ep);
      }
    });
  }

  private void start(Endpoint ep, WebhookDeliveryStore.Claimed c) {
    ep.breaker.onStart(clock.instant());
    ep.inFlight++;
    sender.send(c)
        .compose(result -> closed ? Future.succeededFuture(false) : record(ep, c, result))
        .onComplete(ar -> {
          ep.inFlight--;
          if (ar.failed() && !closed) {
            // the outcome is not written: the lease runs out and the delivery is tried again
            LOG.warn("could not record a webhook attempt {} {} {}", kv("webhookId", ep.id), kv("deliveryId", c.id()),
                kv("error", String.valueOf(ar.cause().getMessage())));
          }
          pump(ep);
        });
  }

  /** Writes the outcome and feeds the breaker; true when the write took effect. */
  private Future<Boolean> record(Endpoint ep, WebhookDeliveryStore.Claimed c, WebhookSender.Result result) {
    Instant now = clock.instant();
    WebhookResponse.Outcome outcome = result.outcome();
    if (outcome instanceof WebhookResponse.Delivered d) {
      ep.breaker.onSuccess();
      return store.completeSucceeded(c, attempt(result, d.status(), null, null), now).onSuccess(ok -> stale(ok, c));
    }
    if (outcome instanceof WebhookResponse.Gone g) {
      LOG.info("webhook endpoint answered 410 Gone and is disabled {}", kv("webhookId", ep.id));
      ep.breaker.onSuccess();
      return store.finishGone(c, attempt(result, g.status(), "gone", "the endpoint answered 410 Gone"), now)
          .onSuccess(ok -> stale(ok, c));
    }
    WebhookResponse.Failed f = (WebhookResponse.Failed) outcome;
    if (f.endpointFault()) {
      ep.breaker.onFault(now);
      if (ep.breaker.state(now) == CircuitBreaker.State.OPEN) {
        armAt(ep.breaker.halfOpenAt().orElse(null));
      }
    } else {
      ep.breaker.onSuccess();
    }
    WebhookDeliveryStore.Attempt attempt = attempt(result, f.status(), f.code(), f.detail());
    WebhookRetrySchedule.Decision next = schedule.next(c.attempts(), f.retryAfter(), now, random);
    if (next instanceof WebhookRetrySchedule.RetryAt retry) {
      return store.retryLater(c, attempt, retry.at(), now).onSuccess(ok -> {
        stale(ok, c);
        armAt(retry.at());
      });
    }
    LOG.info("webhook delivery failed for good {} {} {} {}", kv("webhookId", ep.id), kv("deliveryId", c.id()),
        kv("attempts", c.attempts()), kv("lastError", f.code()));
    return store.finishFailed(c, attempt, now).onSuccess(ok -> stale(ok, c));
  }

  private static WebhookDeliveryStore.Attempt attempt(WebhookSender.Result r, Integer status, String code, String detail) {
    return new WebhookDeliveryStore.Attempt(r.at(), status, code, detail, r.durationMs());
  }

  private static void stale(boolean ok, WebhookDeliveryStore.Claimed c) {
    if (!ok) {
      LOG.debug("a webhook outcome arrived after its claim was taken back {}", kv("deliveryId", c.id()));
    }
  }

  // ---- the one timer

  /** Makes sure a round runs at {@code at} (or earlier); one timer, re-armed only for an earlier time. */
  private void armAt(Instant at) {
    if (closed || at == null) {
      return;
    }
    if (timer != -1 && !at.isBefore(timerAt)) {
      return;
    }
    cancelTimer();
    long delay = Math.max(1, Duration.between(clock.instant(), at).toMillis());
    timerAt = at;
    timer = vertx.setTimer(delay, id -> {
      timer = -1;
      timerAt = null;
      wake();
    });
  }

  private void cancelTimer() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
      timerAt = null;
    }
  }
}
