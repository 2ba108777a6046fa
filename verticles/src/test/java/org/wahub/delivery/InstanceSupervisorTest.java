package org.wahub.delivery;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.Addresses;
import org.wahub.HubConfig;
import org.wahub.db.Database;
import org.wahub.db.Migrations;
import org.wahub.db.Pools;
import org.wahub.support.Sql;
import org.wahub.support.TestPg;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The supervisor alone, with a lambda factory: one deployment per instance row, redeploy on a
 * version change, undeploy on delete, all reconciled against the database.
 */
@ExtendWith(VertxExtension.class)
class InstanceSupervisorTest {

  /** Stand-in instance verticle that records which instances are running. */
  static final Map<String, String> running = new ConcurrentHashMap<>();

  static final class Probe extends VerticleBase {
    final String id;

    Probe(String id) {
      this.id = id;
    }

    @Override
    public Future<?> start() {
      running.put(id, deploymentID());
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      running.remove(id, deploymentID());
      return Future.succeededFuture();
    }
  }

  /** A fresh migrated database with one tenant and {@code count} simulator instances {@code <prefix>1…}. */
  record Fixture(PgConnectOptions options, Sql sql) {
    static Fixture create(String tenant, String prefix, int count) throws Exception {
      String url = TestPg.newDatabaseUrl();
      PgConnectOptions options = PgConnectOptions.fromUri(url);
      Migrations.migrate(Database.external(options));
      Sql sql = new Sql(url.replace("postgresql://postgres@", "jdbc:postgresql://"));
      sql.update("INSERT INTO tenants (id, name) VALUES ('" + tenant + "', '" + tenant + "')");
      sql.update("INSERT INTO instances (id, tenant_id, provider_type, per_minute, per_hour, per_day, min_interval_ms, "
          + "jitter_ms, max_queue) SELECT '" + prefix + "' || g, '" + tenant + "', 'simulator', 6, 60, 300, 500, 0, 200 "
          + "FROM generate_series(1, " + count + ") g");
      return new Fixture(options, sql);
    }
  }

  @Test
  void reconcilesDeploymentsWithTheInstancesTable(Vertx vertx) throws Exception {
    // 300 instances exist before the supervisor starts: deployed in batches
    Fixture f = Fixture.create("ten_s", "i", 300);
    PgConnectOptions options = f.options();
    Sql sql = f.sql();
    HubConfig config = new HubConfig(new JsonObject().put("HUB_SUPERVISOR_DEPLOY_BATCH", 50).put("HUB_DB_POOL_SIZE", 4));
    InstanceSupervisor supervisor = new InstanceSupervisor(config, Pools.connectOptions(options, config),
        instance -> new Probe(instance.id()));
    // start() completes before the first pass is done: the deploys go on in the background
    vertx.deployVerticle(supervisor).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(60)).until(() -> running.size() == 300);
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> supervisor.deployedIds().size() == 300);

    // created, changed, deleted: each announced on the bus, as the API does
    sql.update("INSERT INTO instances (id, tenant_id, provider_type, per_minute, per_hour, per_day, min_interval_ms, "
        + "jitter_ms, max_queue) VALUES ('new-one', 'ten_s', 'simulator', 6, 60, 300, 500, 0, 200)");
    vertx.eventBus().publish(Addresses.INSTANCE_CHANGED, new JsonObject().put("id", "new-one").put("op", "created"));
    await().atMost(Duration.ofSeconds(10)).until(() -> running.containsKey("new-one"));

    String before = running.get("i1");
    sql.update("UPDATE instances SET per_minute = 3, version = version + 1 WHERE id = 'i1'");
    vertx.eventBus().publish(Addresses.INSTANCE_CHANGED, new JsonObject().put("id", "i1").put("op", "updated"));
    await().atMost(Duration.ofSeconds(10)).until(() -> running.get("i1") != null && !running.get("i1").equals(before));

    // an unchanged row is left alone
    String stable = running.get("i2");
    vertx.eventBus().publish(Addresses.INSTANCE_CHANGED, new JsonObject().put("id", "i2").put("op", "updated"));

    sql.update("DELETE FROM instances WHERE id IN ('i3', 'i4')");
    vertx.eventBus().publish(Addresses.INSTANCE_CHANGED, new JsonObject().put("id", "i3").put("op", "deleted"));
    vertx.eventBus().publish(Addresses.INSTANCE_CHANGED, new JsonObject().put("id", "i4").put("op", "deleted"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !running.containsKey("i3") && !running.containsKey("i4"));
    assertThat(running.get("i2")).isEqualTo(stable);
    assertThat(running).hasSize(299);
    assertThat(Set.copyOf(vertx.deploymentIDs())).containsAll(running.values());

    // undeploying the supervisor takes its instances with it
    vertx.undeploy(supervisor.deploymentID()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(running).isEmpty();
  }

  /** Stand-in whose start takes a moment, so a deploy of many is still under way when the test acts. */
  static final class SlowProbe extends VerticleBase {
    static final Map<String, String> up = new ConcurrentHashMap<>();
    final String id;

    SlowProbe(String id) {
      this.id = id;
    }

    @Override
    public Future<?> start() {
      io.vertx.core.Promise<Void> started = io.vertx.core.Promise.promise();
      vertx.setTimer(10, t -> {
        up.put(id, deploymentID());
        started.complete();
      });
      return started.future();
    }

    @Override
    public Future<?> stop() {
      up.remove(id, deploymentID());
      return Future.succeededFuture();
    }
  }

  @Test
  void pagesThroughTheTableAndStopsDeployingWhenQuiesced(Vertx vertx) throws Exception {
    // more rows than one page of the full pass (500)
    Fixture f = Fixture.create("ten_p", "p", 1234);
    PgConnectOptions options = f.options();
    Sql sql = f.sql();
    HubConfig config = new HubConfig(new JsonObject().put("HUB_DB_POOL_SIZE", 4));
    InstanceSupervisor supervisor = new InstanceSupervisor(config, Pools.connectOptions(options, config),
        instance -> new SlowProbe(instance.id()));
    vertx.deployVerticle(supervisor).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(60)).until(() -> SlowProbe.up.size() == 1234);

    // rows deleted behind its back are undeployed by the next full pass (a change without an id)
    sql.update("DELETE FROM instances WHERE id IN ('p1', 'p700', 'p1234')");
    vertx.eventBus().publish(Addresses.INSTANCE_CHANGED, new JsonObject());
    await().atMost(Duration.ofSeconds(30)).until(() -> SlowProbe.up.size() == 1231);
    assertThat(SlowProbe.up).doesNotContainKeys("p1", "p700", "p1234");
    vertx.undeploy(supervisor.deploymentID()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(SlowProbe.up).isEmpty();

    // a stop during the first deploy: quiesce, and no deploy starts after it
    InstanceSupervisor second = new InstanceSupervisor(config, Pools.connectOptions(options, config),
        instance -> new SlowProbe(instance.id()));
    vertx.deployVerticle(second).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> SlowProbe.up.size() >= 50);
    second.quiesce().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    int deployed = SlowProbe.up.size();
    assertThat(deployed).isLessThan(1231);
    Thread.sleep(300);
    assertThat(SlowProbe.up).hasSize(deployed);
    vertx.undeploy(second.deploymentID()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(SlowProbe.up).isEmpty();
  }
}
