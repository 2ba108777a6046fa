package org.wahub.health;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.wahub.hub.instance.InstanceState;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@link FleetSnapshot}: one statement per page of instances, each instance's figures
 * from index range reads only — its pending messages ({@code messages_pending_chat}), its
 * failed and in-doubt ones ({@code messages_instance_status_seq}) and its last hour of
 * completions ({@code message_events_instance_kind_at}). Sent messages are counted from the last
 * hour's events, never from the ever-growing set of sent rows.
 *
 * <p>Times come from the hub's clock ({@code now}), like every other lease comparison.
 */
public final class FleetStats {

  static final int PAGE = 1000;

  static final String FLEET_STATS_PAGE = """
      SELECT i.id, i.tenant_id, i.state, p.queued, p.sending, p.stuck, d.failed, d.in_doubt, e.sent1h, e.errors1h
        FROM instances i
       CROSS JOIN LATERAL (
             SELECT count(*) FILTER (WHERE m.status = 'queued') AS queued,
                    count(*) FILTER (WHERE m.status = 'sending') AS sending,
                    count(*) FILTER (WHERE m.status = 'sending' AND m.lease_until < $2) AS stuck
               FROM messages m WHERE m.instance_id = i.id AND m.status IN ('queued', 'sending')) p
       CROSS JOIN LATERAL (
             SELECT count(*) FILTER (WHERE m.status = 'failed' AND m.archived_at IS NULL) AS failed,
                    count(*) FILTER (WHERE m.status = 'in_doubt') AS in_doubt
               FROM messages m WHERE m.instance_id = i.id AND m.status IN ('failed', 'in_doubt')) d
       CROSS JOIN LATERAL (
             SELECT count(*) FILTER (WHERE ev.kind = 'sent') AS sent1h,
                    count(*) FILTER (WHERE ev.kind <> 'sent') AS errors1h
               FROM message_events ev
              WHERE ev.instance_id = i.id AND ev.kind IN ('sent', 'retry_scheduled', 'failed', 'in_doubt')
                AND ev.at > $3) e
       WHERE i.id > $1
       ORDER BY i.id
       LIMIT $4""";

  /**
   * Failing webhook endpoints per tenant: disabled (by a 410 or by their owner), retrying a
   * delivery whose last attempt failed, or with a delivery that ran out of attempts in the last
   * hour. Endpoints are few; the retry test reads only pending rows of one endpoint
   * ({@code webhook_deliveries_due}) and the exhausted ones only the last hour
   * ({@code webhook_deliveries_finished}).
   */
  static final String WEBHOOK_FAILING_BY_TENANT = """
      SELECT w.tenant_id, count(*) AS failing
        FROM webhooks w
       WHERE NOT w.enabled
          OR EXISTS (SELECT 1 FROM webhook_deliveries d
                      WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.attempts > 0)
          OR w.id IN (SELECT d.webhook_id FROM webhook_deliveries d WHERE d.finished_at > $1 AND d.status = 'failed')
       GROUP BY w.tenant_id""";

  private final Pool pool;

  public FleetStats(Pool pool) {
    this.pool = pool;
  }

  /** Every instance, page after page (keyset by id), so no callback decodes more than a page. */
  public Future<FleetSnapshot> read(Instant now) {
    long started = System.nanoTime();
    List<FleetSnapshot.InstanceStats> out = new ArrayList<>();
    Map<String, Long> webhooks = new java.util.HashMap<>();
    return page("", now, out)
        .compose(x -> pool.preparedQuery(WEBHOOK_FAILING_BY_TENANT).execute(Tuple.of(now.minusSeconds(3600).atOffset(ZoneOffset.UTC))))
        .map(rows -> {
          rows.forEach(r -> webhooks.put(r.getString("tenant_id"), r.getLong("failing")));
          return new FleetSnapshot(now, out, webhooks, System.nanoTime() - started);
        });
  }

  private Future<Void> page(String after, Instant now, List<FleetSnapshot.InstanceStats> out) {
    Tuple args = Tuple.of(after, now.atOffset(ZoneOffset.UTC), now.minusSeconds(3600).atOffset(ZoneOffset.UTC), PAGE);
    return pool.preparedQuery(FLEET_STATS_PAGE).execute(args).compose(rows -> {
      String last = null;
      for (Row r : rows) {
        last = r.getString("id");
        out.add(new FleetSnapshot.InstanceStats(last, r.getString("tenant_id"), InstanceState.valueOf(r.getString("state")),
            r.getLong("queued"), r.getLong("sending"), r.getLong("stuck"), r.getLong("failed"), r.getLong("in_doubt"),
            r.getLong("sent1h"), r.getLong("errors1h")));
      }
      return rows.size() < PAGE ? Future.succeededFuture() : page(last, now, out);
    });
  }
}
