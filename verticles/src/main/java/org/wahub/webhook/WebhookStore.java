package org.wahub.webhook;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Webhook endpoints in PostgreSQL. Every query is scoped by tenant_id; time comes in from the caller's clock. */
public final class WebhookStore {

  /** Serializes endpoint creation per tenant, like instance creation (see InstanceStore). */
  static final String TENANT_LOCK_WEBHOOK_QUOTA = "SELECT id FROM tenants WHERE id = $1 FOR NO KEY UPDATE";
  static final String WEBHOOK_COUNT_FOR_TENANT = "SELECT count(*) FROM webhooks WHERE tenant_id = $1";
  static final String WEBHOOK_INSERT =
      "INSERT INTO webhooks (id, tenant_id, instance_id, url, description, event_types, secret, events_since, "
          + "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) RETURNING " + Webhook.COLUMNS;
  static final String WEBHOOK_GET_FOR_TENANT = "SELECT " + Webhook.COLUMNS + " FROM webhooks WHERE id = $1 AND tenant_id = $2";
  static final String WEBHOOK_LIST_FOR_TENANT =
      "SELECT " + Webhook.COLUMNS + " FROM webhooks WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3";
  /**
   * Optimistic update. Disabling stamps the reason and time; enabling clears them and starts the
   * endpoint's events anew from now (it does not get what happened while it was off).
   */
  static final String WEBHOOK_UPDATE = """
      UPDATE webhooks SET url = $3, description = $4, event_types = $5, instance_id = $6, enabled = $7,
             disabled_reason = CASE WHEN $7 THEN NULL WHEN enabled THEN 'disabled' ELSE disabled_reason END,
             disabled_at = CASE WHEN $7 THEN NULL WHEN enabled THEN $8 ELSE disabled_at END,
             events_since = CASE WHEN $7 AND NOT enabled THEN $8 ELSE events_since END,
             version = version + 1, updated_at = $8
       WHERE id = $1 AND tenant_id = $2 AND version = $9
      RETURNING """ + " " + Webhook.COLUMNS;
  static final String WEBHOOK_SECRETS_SET = """
      UPDATE webhooks SET secret = $3, previous_secret = $4, previous_secret_expires_at = $5,
             version = version + 1, updated_at = $6
       WHERE id = $1 AND tenant_id = $2 AND version = $7
      RETURNING """ + " " + Webhook.COLUMNS;
  static final String WEBHOOK_DELETE = "DELETE FROM webhooks WHERE id = $1 AND tenant_id = $2 RETURNING id";

  private final Pool pool;

  /** The outcome of {@link #insertWithinQuota}: the new row, or null when the tenant is at {@code quota}. */
  public record QuotaInsert(Webhook created, int quota) {
  }

  public WebhookStore(Pool pool) {
    this.pool = pool;
  }

  /** Inserts unless the tenant already has {@code quota} endpoints (counted under the tenant row's lock). */
  public Future<QuotaInsert> insertWithinQuota(Webhook w, int quota, Instant now) {
    return pool.withTransaction(c -> c.preparedQuery(TENANT_LOCK_WEBHOOK_QUOTA).execute(Tuple.of(w.tenantId()))
        .compose(lock -> c.preparedQuery(WEBHOOK_COUNT_FOR_TENANT).execute(Tuple.of(w.tenantId())))
        .compose(count -> {
          if (count.iterator().next().getLong(0) >= quota) {
            return Future.succeededFuture(new QuotaInsert(null, quota));
          }
          return c.preparedQuery(WEBHOOK_INSERT).execute(Tuple.from(new Object[] {
                  w.id(), w.tenantId(), w.instanceId(), w.url(), w.description(),
                  w.eventTypes().toArray(String[]::new), w.secret(), utc(now)}))
              .map(rows -> new QuotaInsert(Webhook.from(rows.iterator().next()), quota));
        }));
  }

  public Future<Optional<Webhook>> get(String tenantId, String id) {
    return pool.preparedQuery(WEBHOOK_GET_FOR_TENANT).execute(Tuple.of(id, tenantId)).map(WebhookStore::first);
  }

  public Future<List<Webhook>> list(String tenantId, String afterId, int limit) {
    return pool.preparedQuery(WEBHOOK_LIST_FOR_TENANT).execute(Tuple.of(tenantId, afterId == null ? "" : afterId, limit))
        .map(rows -> {
          List<Webhook> out = new ArrayList<>(rows.size());
          rows.forEach(r -> out.add(Webhook.from(r)));
          return out;
        });
  }

  /**
   * Writes the changeable fields of {@code next} if the row is still at {@code expectedVersion};
   * empty when it changed meanwhile. Disabling an endpoint cancels its waiting deliveries in the
   * same transaction (a disabled endpoint is never called, so they could never end otherwise).
   */
  public Future<Optional<Webhook>> update(Webhook next, int expectedVersion, Instant now) {
    return pool.withTransaction(c -> c.preparedQuery(WEBHOOK_UPDATE).execute(Tuple.from(new Object[] {
            next.id(), next.tenantId(), next.url(), next.description(), next.eventTypes().toArray(String[]::new),
            next.instanceId(), next.enabled(), utc(now), expectedVersion}))
        .compose(rows -> {
          Optional<Webhook> updated = first(rows);
          if (updated.isEmpty() || updated.get().enabled()) {
            return Future.succeededFuture(updated);
          }
          return c.preparedQuery(WebhookDeliveryStore.DELIVERY_CANCEL_PENDING_FOR_WEBHOOK)
              .execute(Tuple.of(next.id(), utc(now), "endpoint_disabled", "the endpoint was disabled by its owner"))
              .map(updated);
        }));
  }

  /** Sets the signing secrets if the row is still at {@code expectedVersion}; empty otherwise. */
  public Future<Optional<Webhook>> setSecrets(String tenantId, String id, String secret, String previous,
                                              Instant previousExpiresAt, int expectedVersion, Instant now) {
    return pool.preparedQuery(WEBHOOK_SECRETS_SET).execute(Tuple.from(new Object[] {
        id, tenantId, secret, previous, previousExpiresAt == null ? null : utc(previousExpiresAt), utc(now),
        expectedVersion})).map(WebhookStore::first);
  }

  /** Deletes the endpoint and, by cascade, its deliveries. */
  public Future<Boolean> delete(String tenantId, String id) {
    return pool.preparedQuery(WEBHOOK_DELETE).execute(Tuple.of(id, tenantId)).map(rows -> rows.size() == 1);
  }

  static OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  private static Optional<Webhook> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(Webhook.from(rows.iterator().next()));
  }
}
