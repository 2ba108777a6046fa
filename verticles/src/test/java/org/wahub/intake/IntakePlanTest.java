package org.wahub.intake;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.HubConfig;
import org.wahub.db.Pools;
import org.wahub.support.TestHub;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group-commit statement runs as a generic plan (intake sessions force it: re-planning it for
 * every batch cost ~0.4 ms). A generic plan is made without seeing the batch, so it must still probe
 * indexes when the tables are large: one bad generic plan would scan every message on every batch.
 */
@ExtendWith(VertxExtension.class)
class IntakePlanTest {

  static Vertx vertx;
  static TestHub hub;
  static TestHub.Tenant tenant;

  @BeforeAll
  static void start(Vertx injected) {
    // the extension's Vertx: it closes it after the class
    vertx = injected;
    hub = TestHub.start(vertx);
    tenant = hub.tenant("plans");
    hub.instance(tenant, "plan-0", null);
    // enough rows that a scan would cost far more than probes, and fresh statistics that say so
    hub.sql.update("""
        INSERT INTO instances (id, tenant_id, provider_type, per_minute, per_hour, per_day, min_interval_ms, jitter_ms,
                               max_queue, desired_state)
        SELECT 'plan-' || g, ?, 'simulator', 0, 0, 0, 0, 0, 1000, 'stopped' FROM generate_series(1, 3000) g
        """, tenant.id());
    hub.sql.update("""
        INSERT INTO messages (tenant_id, instance_id, chat_id, recipient, kind, payload, idempotency_key, key_derived,
                              payload_hash, order_at, dedupe_id, status, finalized_at)
        SELECT ?, 'plan-' || (g % 3000 + 1), '4915100' || g, '+4915100' || g, 'text', '{}'::jsonb, 'k' || g, false, 'h',
               now(), md5('k' || g)::uuid, 'sent', now()
          FROM generate_series(1, 30000) g
        """, tenant.id());
    hub.sql.update("ANALYZE instances");
    hub.sql.update("ANALYZE messages");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void intakeSessionsUseTheGenericPlanAndTheOthersKeepPostgresChoice() throws Exception {
    HubConfig config = new HubConfig(new JsonObject());
    Pool intake = Pools.intake(vertx, hub.hub.database().connectOptions(), config);
    Pool shared = Pools.shared(vertx, hub.hub.database().connectOptions(), config);
    try {
      assertThat(show(intake)).isEqualTo("force_generic_plan");
      assertThat(show(shared)).isEqualTo("auto");
    } finally {
      intake.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      shared.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theGenericPlanProbesIndexesOnLargeTables() throws Exception {
    String plan;
    try (Connection c = DriverManager.getConnection(hub.hub.database().jdbcUrl(), "postgres", "");
         Statement s = c.createStatement()) {
      s.execute("SET plan_cache_mode = force_generic_plan");
      s.execute("PREPARE intake(int[], text[], text[], text[], text[], text[], text[], text[], text[], bool[], text[], "
          + "timestamptz[], timestamptz[], uuid[], uuid[], timestamptz, text[]) AS " + IntakeWriter.MESSAGE_INSERT_MANY);
      StringBuilder text = new StringBuilder();
      // a replay of an existing key: nothing is written, the plan is the one every batch uses
      try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE intake(ARRAY[0], ARRAY['" + tenant.id() + "'], ARRAY['plan-1'], "
          + "ARRAY['491510001'], ARRAY['+491510001'], ARRAY['text'], ARRAY['{}'], ARRAY[NULL::text], ARRAY['k1'], "
          + "ARRAY[false], ARRAY['h'], ARRAY[NULL::timestamptz], ARRAY[NULL::timestamptz], ARRAY[md5('k1')::uuid], "
          + "ARRAY[gen_random_uuid()], now(), ARRAY[NULL::text])")) {
        while (rs.next()) {
          text.append(rs.getString(1)).append('\n');
        }
      }
      plan = text.toString();
    }
    assertThat(plan).as(plan)
        .doesNotContain("Seq Scan on messages")
        .doesNotContain("Seq Scan on instances")
        // keys are found by their own unique index, never by walking a tenant's or an instance's rows
        .doesNotContain("messages_tenant_seq", "messages_instance_status_seq", "messages_pending_chat")
        .contains("messages_dedupe_uniq")
        .contains("instances_pkey");
  }

  private static String show(Pool pool) throws Exception {
    return pool.query("SHOW plan_cache_mode").execute()
        .map(rows -> rows.iterator().next().getString(0))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
