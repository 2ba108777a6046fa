package org.wahub.event;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.Addresses;
import org.wahub.HubConfig;
import org.wahub.Ids;
import org.wahub.db.Pools;

import java.util.LinkedHashSet;
import java.util.Set;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Wakes the outbox's readers of this node, for events written by any node. A writer of this node
 * signals after its commit ({@link EventSignal}, at {@link Addresses#EVENTS_WRITTEN}): the local
 * readers are woken at once ({@link Addresses#EVENTS_COMMITTED}), and the other nodes learn of it
 * through one {@code NOTIFY wahub_events} per HUB_EVENTS_NOTIFY_GAP_MS, sent on its own short
 * transaction (payload {@code <node>/<tenant>}; a notification of this node's own is ignored). The
 * node's one {@code LISTEN wahub_events} connection turns the others' notifications into local
 * wakes. Readers never poll and never hold a connection of their own.
 *
 * <p>Why not NOTIFY in the writing transaction (a trigger): PostgreSQL takes one global lock at the
 * commit of every transaction that notified, so every send's commit would wait for every other's.
 *
 * <p>Notifications sent while the connection is down are lost, so each time the LISTEN is
 * (re-)established every reader is woken ({@link Addresses#EVENTS_ALL_TENANTS}) to page from its
 * position: readers rely on positions, never on notifications, for what they read.
 */
public final class EventNotifier extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(EventNotifier.class);
  private static final long MAX_RECONNECT_DELAY_MS = 30_000;

  static final String EVENTS_NOTIFY = "SELECT pg_notify('" + EventLog.CHANNEL + "', p) FROM unnest($1::text[]) p";

  private final PgConnectOptions connectOptions;
  private final HubConfig config;
  private final String node = Ids.random("node");
  private final DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);
  private final Set<String> toNotify = new LinkedHashSet<>();
  private PgSubscriber subscriber;
  private Pool pool;
  private long retryTimer = -1;
  private long notifyTimer = -1;
  private boolean stopped;

  public EventNotifier(PgConnectOptions connectOptions, HubConfig config) {
    this.connectOptions = connectOptions;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    pool = Pools.shared(vertx, connectOptions, config);
    vertx.eventBus().<String>localConsumer(Addresses.EVENTS_WRITTEN, m -> written(m.body()));
    subscriber = PgSubscriber.subscriber(vertx, connectOptions)
        // reconnect forever with a growing delay: a database outage must not end the wake-ups
        .reconnectPolicy(retries -> Math.min(MAX_RECONNECT_DELAY_MS, 250L << Math.min(retries, 7)));
    subscriber.closeHandler(v -> {
      if (!stopped) {
        // the reconnect policy gave up (it does not) or the first connect never succeeded
        LOG.warn("event notifications lost their connection; reconnecting");
        connectLater();
      }
    });
    subscriber.channel(EventLog.CHANNEL)
        .subscribeHandler(v -> {
          LOG.info("listening for committed events {}", kv("channel", EventLog.CHANNEL));
          publish(Addresses.EVENTS_ALL_TENANTS);
        })
        .handler(this::notified);
    // a failed first connect does not fail the hub's start: readers still page on their own wake-ups
    subscriber.connect().onFailure(e -> {
      LOG.warn("could not listen for committed events, retrying {}", kv("error", String.valueOf(e.getMessage())));
      connectLater();
    });
    return Future.succeededFuture();
  }

  private void connectLater() {
    if (stopped || retryTimer != -1) {
      return;
    }
    retryTimer = vertx.setTimer(1000, t -> {
      retryTimer = -1;
      if (!stopped && subscriber.closed()) {
        subscriber.connect().onFailure(e -> connectLater());
      }
    });
  }

  /** A writer of this node committed events: wake the readers here now, the other nodes soon. */
  private void written(String tenantId) {
    publish(tenantId);
    toNotify.add(tenantId);
    if (notifyTimer == -1 && !stopped) {
      notifyTimer = vertx.setTimer(Math.max(1, config.eventsNotifyGap().toMillis()), t -> {
        notifyTimer = -1;
        String[] payloads = toNotify.stream().map(tenant -> node + "/" + tenant).toArray(String[]::new);
        toNotify.clear();
        pool.preparedQuery(EVENTS_NOTIFY).execute(Tuple.of(payloads)).onFailure(e ->
            // the other nodes' readers page from their positions on their next wake; nothing is lost
            LOG.warn("could not notify the other nodes of committed events {}", kv("error", String.valueOf(e.getMessage()))));
      });
    }
  }

  /** {@code <node>/<tenant>} from a hub node (our own is ignored: its readers were woken already), or a bare tenant id. */
  private void notified(String payload) {
    if (payload == null) {
      publish(Addresses.EVENTS_ALL_TENANTS);
      return;
    }
    int slash = payload.indexOf('/');
    if (slash < 0) {
      publish(payload);
    } else if (!payload.startsWith(node + "/")) {
      publish(payload.substring(slash + 1));
    }
  }

  private void publish(String tenantId) {
    vertx.eventBus().publish(Addresses.EVENTS_COMMITTED, tenantId, local);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (retryTimer != -1) {
      vertx.cancelTimer(retryTimer);
    }
    if (notifyTimer != -1) {
      vertx.cancelTimer(notifyTimer);
    }
    return (subscriber == null ? Future.<Void>succeededFuture() : subscriber.close())
        .compose(x -> pool == null ? Future.succeededFuture() : pool.close());
  }
}
