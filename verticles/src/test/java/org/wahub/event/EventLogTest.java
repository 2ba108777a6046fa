package org.wahub.event;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.db.Database;
import org.wahub.db.Migrations;
import org.wahub.hub.event.EventFilter;
import org.wahub.hub.event.EventPosition;
import org.wahub.hub.event.EventType;
import org.wahub.support.Sql;
import org.wahub.support.TestPg;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbox against the real PostgreSQL: gap-safe paging (DESIGN §8a), filters, tenant scope.
 * No hub, only the migrations and the store, so the timing of transactions is the test's own.
 */
@ExtendWith(VertxExtension.class)
class EventLogTest {

  static Pool pool;
  static Sql sql;
  static EventLog log;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    String url = TestPg.newDatabaseUrl();
    try (Database db = Database.fromUrl(url)) {
      Migrations.migrate(db);
      sql = new Sql(db.jdbcUrl(), db.user(), db.password());
    }
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(12)).connectingTo(PgConnectOptions.fromUri(url))
        .using(vertx).build();
    log = new EventLog(pool);
  }

  @AfterAll
  static void stop() throws Exception {
    get(pool.close());
  }

  static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static EventLog.NewEvent event(String tenant, String instance, EventType type, JsonObject data) {
    return new EventLog.NewEvent(tenant, instance, null, type, Instant.now(), data);
  }

  /**
   * The proof of §8a. Four writers commit 150 events each, one per transaction, while a slow
   * transaction that wrote its event FIRST (so it has the lowest transaction id and the lowest seq)
   * stays open until half of them are in; one more transaction writes an event and rolls back. A
   * reader paging continuously in small pages must end with every committed event exactly once,
   * each writer's in its order, and never the rolled-back one. A naive reader by seq, beside it,
   * shows the gap the positions close: it has passed the slow event's seq before it committed.
   */
  @Test
  void aReaderPagingContinuouslyNeverMissesOrRepeatsAnEventDespiteASlowTransaction() throws Exception {
    String tenant = "gap";
    int writers = 4;
    int perWriter = 150;

    // the slow transaction: begun and written first, committed late
    SqlConnection slow = get(pool.getConnection());
    Transaction slowTx = get(slow.begin());
    get(EventLog.append(slow, event(tenant, "slow", EventType.MESSAGE_SENT, new JsonObject().put("w", -1).put("i", 0))));

    List<EventLog.Event> seen = new CopyOnWriteArrayList<>();
    AtomicBoolean stopReading = new AtomicBoolean();
    AtomicBoolean sawHeldBack = new AtomicBoolean();
    List<Long> naiveSeen = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      EventPosition pos = EventPosition.START;
      long naiveLast = 0;
      try {
        while (!stopReading.get()) {
          EventLog.Page page = get(log.page(tenant, pos, EventFilter.ALL, 7));
          seen.addAll(page.events());
          if (page.heldBack()) {
            sawHeldBack.set(true);
          }
          assertThat(page.next()).isGreaterThanOrEqualTo(pos);
          pos = page.next();
          // the naive reader: "everything with a larger seq than the last I saw"
          for (Map<String, Object> r : sql.rows("SELECT seq FROM events WHERE tenant_id = 'gap' AND seq > ? ORDER BY seq",
              naiveLast)) {
            naiveLast = (Long) r.get("seq");
            naiveSeen.add(naiveLast);
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    reader.start();

    List<Future<Void>> done = new ArrayList<>();
    List<Future<Void>> halfway = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      io.vertx.core.Promise<Void> half = io.vertx.core.Promise.promise();
      halfway.add(half.future());
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < perWriter; i++) {
        int n = i;
        chain = chain.compose(x -> pool.withTransaction(c -> EventLog.append(c,
            event(tenant, "w" + writer, EventType.MESSAGE_SENT, new JsonObject().put("w", writer).put("i", n)))))
            .onSuccess(x -> {
              if (n == perWriter / 2) {
                half.complete();
              }
            });
      }
      done.add(chain);
    }
    // an event whose transaction rolls back is never seen
    Future<Void> rolledBack = pool.withTransaction(c -> EventLog.append(c,
            event(tenant, "ghost", EventType.MESSAGE_FAILED, new JsonObject().put("w", -2)))
        .compose(x -> Future.<Void>failedFuture("roll back")));
    get(rolledBack.recover(e -> Future.succeededFuture()));

    get(Future.all(halfway));
    // while the slow transaction is open, nothing of the writers' (all above its xid) is readable
    await().atMost(Duration.ofSeconds(10)).untilTrue(sawHeldBack);
    assertThat(seen).isEmpty();
    get(slowTx.commit());
    get(slow.close());
    get(Future.all(done));

    int expected = writers * perWriter + 1;
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= expected);
    Thread.sleep(300); // a repeat would arrive now
    stopReading.set(true);
    reader.join(10_000);

    assertThat(seen).hasSize(expected);
    Set<EventPosition> positions = new HashSet<>();
    seen.forEach(e -> positions.add(e.position()));
    assertThat(positions).as("no event twice").hasSize(expected);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).position()).as("position order").isGreaterThan(seen.get(i - 1).position());
    }
    assertThat(seen.get(0).data().getInteger("w")).as("the slow transaction's event comes first: lowest tx").isEqualTo(-1);
    Map<Integer, List<Integer>> perWriterSeen = new HashMap<>();
    seen.forEach(e -> perWriterSeen.computeIfAbsent(e.data().getInteger("w"), k -> new ArrayList<>()).add(e.data().getInteger("i")));
    assertThat(perWriterSeen).doesNotContainKey(-2);
    for (int w = 0; w < writers; w++) {
      List<Integer> expectedOrder = new ArrayList<>();
      for (int i = 0; i < perWriter; i++) {
        expectedOrder.add(i);
      }
      assertThat(perWriterSeen.get(w)).as("writer " + w + " in order, each once").isEqualTo(expectedOrder);
    }
    // the gap a plain sequence leaves: the naive reader never saw the slow event (seq 1)
    long slowEventSeq = (Long) sql.rows("SELECT seq FROM events WHERE instance_id = 'slow'").get(0).get("seq");
    assertThat(naiveSeen).doesNotContain(slowEventSeq);
  }

  @Test
  void filtersAndTenantScopeAndTheLiveEnd() throws Exception {
    EventPosition before = get(log.end("filt-a"));
    EventPosition globalBefore = get(log.end(null));
    get(pool.withTransaction(c -> EventLog.append(c, event("filt-a", "i1", EventType.MESSAGE_SENT, new JsonObject()))
        .compose(x -> EventLog.append(c, event("filt-a", "i2", EventType.MESSAGE_FAILED, new JsonObject())))
        .compose(x -> EventLog.append(c, event("filt-b", "i3", EventType.MESSAGE_SENT, new JsonObject())))
        .compose(x -> EventLog.append(c, event("filt-a", "i1", EventType.INSTANCE_STATE_CHANGED, new JsonObject())))));

    EventLog.Page all = get(log.page("filt-a", before, EventFilter.ALL, 100));
    assertThat(all.events()).extracting(EventLog.Event::type)
        .containsExactly("message.sent", "message.failed", "instance.state_changed");
    assertThat(all.events()).allSatisfy(e -> assertThat(e.tenantId()).isEqualTo("filt-a"));

    EventLog.Page failed = get(log.page("filt-a", before, new EventFilter(Set.of(EventType.MESSAGE_FAILED), null), 100));
    assertThat(failed.events()).extracting(EventLog.Event::instanceId).containsExactly("i2");
    // the filtered page still moves the reader past everything it looked at
    assertThat(failed.next()).isEqualTo(all.events().get(2).position());

    EventLog.Page i1 = get(log.page("filt-a", before, new EventFilter(Set.of(), "i1"), 100));
    assertThat(i1.events()).extracting(EventLog.Event::type).containsExactly("message.sent", "instance.state_changed");

    EventLog.Page limited = get(log.page("filt-a", before, EventFilter.ALL, 2));
    assertThat(limited.events()).hasSize(2);
    assertThat(limited.next()).isEqualTo(limited.events().get(1).position());

    // all tenants (webhook dispatch): filt-b's event is there too
    EventLog.Page everyone = get(log.page(null, globalBefore, new EventFilter(Set.of(EventType.MESSAGE_SENT), null), 100));
    assertThat(everyone.events()).extracting(EventLog.Event::tenantId).containsExactly("filt-a", "filt-b");

    // a live reader starts after all of it
    EventPosition end = get(log.end("filt-a"));
    assertThat(end).isEqualTo(all.events().get(2).position());
    assertThat(get(log.page("filt-a", end, EventFilter.ALL, 100)).events()).isEmpty();
    assertThat(all.events().get(0).body().fieldNames()).containsExactly("type", "timestamp", "data");
  }

  @Test
  void retentionPrunesOldFannedOutEventsInBatchesAndKeepsWhatFanOutHasNotRead() throws Exception {
    String tenant = "ten_retention";
    // five old events, then the fan-out cursor after them, then three more old ones it has not read, then a fresh one
    for (int i = 0; i < 5; i++) {
      sql.update("INSERT INTO events (tenant_id, type, at, data) VALUES (?, 'message.sent', now() - interval '10 days', "
          + "jsonb_build_object('n', ?::int))", tenant, i);
    }
    sql.update("UPDATE webhook_dispatch_cursor SET (tx, seq) = (SELECT tx, seq FROM events WHERE tenant_id = ? "
        + "ORDER BY tx DESC, seq DESC LIMIT 1)", tenant);
    for (int i = 5; i < 8; i++) {
      sql.update("INSERT INTO events (tenant_id, type, at, data) VALUES (?, 'message.sent', now() - interval '10 days', "
          + "jsonb_build_object('n', ?::int))", tenant, i);
    }
    sql.update("INSERT INTO events (tenant_id, type, at, data) VALUES (?, 'message.sent', now(), '{\"n\": 8}')", tenant);
    try {
      Instant cutoff = Instant.now().minus(Duration.ofDays(7));
      // bounded: a batch of 2 deletes 2, then 2, then the last 1, then nothing
      assertThat(get(log.pruneBefore(cutoff, 2))).isEqualTo(2);
      assertThat(get(log.pruneBefore(cutoff, 2))).isEqualTo(2);
      assertThat(get(log.pruneBefore(cutoff, 2))).isEqualTo(1);
      assertThat(get(log.pruneBefore(cutoff, 2))).isZero();
      // kept: the old events the fan-out has not read yet (an endpoint still needs them) and the fresh one
      assertThat(sql.rows("SELECT (data->>'n')::int AS n FROM events WHERE tenant_id = ? ORDER BY tx, seq", tenant)
          .stream().map(r -> r.get("n")).toList()).containsExactly(5, 6, 7, 8);
      // once the fan-out has read them, they go too; the fresh one stays
      sql.update("UPDATE webhook_dispatch_cursor SET (tx, seq) = (SELECT tx, seq FROM events ORDER BY tx DESC, seq DESC LIMIT 1)");
      assertThat(get(log.pruneBefore(cutoff, 100))).isEqualTo(3);
      assertThat(sql.count("SELECT count(*) FROM events WHERE tenant_id = ?", tenant)).isEqualTo(1);
    } finally {
      sql.update("DELETE FROM events WHERE tenant_id = ?", tenant);
      sql.update("UPDATE webhook_dispatch_cursor SET tx = '0', seq = 0");
    }
  }
}
