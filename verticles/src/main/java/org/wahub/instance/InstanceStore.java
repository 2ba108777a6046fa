package org.wahub.instance;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Instances in PostgreSQL. Every tenant-facing query is scoped by tenant_id. */
public final class InstanceStore {

  static final String INSTANCE_INSERT =
      "INSERT INTO instances (id, tenant_id, name, provider_type, provider_config, per_minute, per_hour, per_day, "
          + "min_interval_ms, jitter_ms, max_queue) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
          + "RETURNING " + Instance.COLUMNS;
  /**
   * Serializes instance creation per tenant (and against a quota change, which updates the row).
   * NO KEY UPDATE, not UPDATE: it must not block the foreign-key checks of inserts that reference
   * the tenant (keys, instances), which take KEY SHARE.
   */
  static final String TENANT_LOCK_INSTANCE_QUOTA =
      "SELECT coalesce(max_instances, $2) AS quota FROM tenants WHERE id = $1 FOR NO KEY UPDATE";
  static final String INSTANCE_COUNT_FOR_TENANT = "SELECT count(*) FROM instances WHERE tenant_id = $1";
  static final String INSTANCE_GET_FOR_TENANT =
      "SELECT " + Instance.COLUMNS + " FROM instances WHERE id = $1 AND tenant_id = $2";
  static final String INSTANCE_GET = "SELECT " + Instance.COLUMNS + " FROM instances WHERE id = $1";
  static final String INSTANCE_LIST_FOR_TENANT =
      "SELECT " + Instance.COLUMNS + " FROM instances WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3";
  static final String INSTANCE_UPDATE =
      "UPDATE instances SET name = $3, provider_config = $4, per_minute = $5, per_hour = $6, per_day = $7, "
          + "min_interval_ms = $8, jitter_ms = $9, max_queue = $10, version = version + 1, updated_at = now() "
          + "WHERE id = $1 AND tenant_id = $2 AND version = $11 RETURNING " + Instance.COLUMNS;
  static final String INSTANCE_DELETE_IF_IDLE =
      "DELETE FROM instances WHERE id = $1 AND tenant_id = $2 AND (queue_depth = 0 OR $3) RETURNING id";
  static final String INSTANCE_LIST_PAGE =
      "SELECT " + Instance.COLUMNS + " FROM instances WHERE id > $1 ORDER BY id LIMIT $2";

  private final Pool pool;

  /** The outcome of {@link #insertWithinQuota}: the new row, or null when the tenant is at {@code quota}. */
  public record QuotaInsert(Instance created, int quota) {
  }

  public InstanceStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Inserts unless the tenant already has its quota of instances. Race-free: the count runs under
   * the tenant row's lock, in its own statement (so with a snapshot taken after the lock was
   * granted), and concurrent creations of the same tenant, on any node, queue on that lock.
   */
  public Future<QuotaInsert> insertWithinQuota(Instance i, int defaultQuota) {
    return pool.withTransaction(c -> c.preparedQuery(TENANT_LOCK_INSTANCE_QUOTA).execute(Tuple.of(i.tenantId(), defaultQuota))
        .compose(lock -> {
          int quota = lock.iterator().next().getInteger("quota");
          return c.preparedQuery(INSTANCE_COUNT_FOR_TENANT).execute(Tuple.of(i.tenantId())).compose(count -> {
            if (count.iterator().next().getLong(0) >= quota) {
              return Future.succeededFuture(new QuotaInsert(null, quota));
            }
            return c.preparedQuery(INSTANCE_INSERT).execute(Tuple.from(new Object[] {
                    i.id(), i.tenantId(), i.name(), i.providerType(), i.providerConfig(), i.perMinute(), i.perHour(),
                    i.perDay(), i.minIntervalMs(), i.jitterMs(), i.maxQueue()}))
                .map(rows -> new QuotaInsert(Instance.from(rows.iterator().next()), quota));
          });
        }));
  }

  public Future<Instance> insert(Instance i) {
    return pool.preparedQuery(INSTANCE_INSERT).execute(Tuple.from(new Object[] {
        i.id(), i.tenantId(), i.name(), i.providerType(), i.providerConfig(), i.perMinute(), i.perHour(), i.perDay(),
        i.minIntervalMs(), i.jitterMs(), i.maxQueue()})).map(rows -> Instance.from(rows.iterator().next()));
  }

  public Future<Optional<Instance>> get(String tenantId, String id) {
    return pool.preparedQuery(INSTANCE_GET_FOR_TENANT).execute(Tuple.of(id, tenantId)).map(InstanceStore::first);
  }

  public Future<Optional<Instance>> get(String id) {
    return pool.preparedQuery(INSTANCE_GET).execute(Tuple.of(id)).map(InstanceStore::first);
  }

  public Future<List<Instance>> list(String tenantId, String afterId, int limit) {
    return pool.preparedQuery(INSTANCE_LIST_FOR_TENANT).execute(Tuple.of(tenantId, afterId == null ? "" : afterId, limit))
        .map(InstanceStore::all);
  }

  /** Every tenant's instances after {@code afterId} (keyset order by id), at most {@code limit}. */
  public Future<List<Instance>> listPage(String afterId, int limit) {
    return pool.preparedQuery(INSTANCE_LIST_PAGE).execute(Tuple.of(afterId, limit)).map(InstanceStore::all);
  }

  /** Optimistic update: empty when the row changed (or vanished) since {@code expectedVersion} was read. */
  public Future<Optional<Instance>> update(Instance i, int expectedVersion) {
    return pool.preparedQuery(INSTANCE_UPDATE).execute(Tuple.from(new Object[] {
        i.id(), i.tenantId(), i.name(), i.providerConfig(), i.perMinute(), i.perHour(), i.perDay(),
        i.minIntervalMs(), i.jitterMs(), i.maxQueue(), expectedVersion})).map(InstanceStore::first);
  }

  /** Deletes the instance (and, by cascade, its messages). Without force, only when nothing is pending. */
  public Future<Boolean> delete(String tenantId, String id, boolean force) {
    return pool.preparedQuery(INSTANCE_DELETE_IF_IDLE).execute(Tuple.of(id, tenantId, force)).map(rows -> rows.size() == 1);
  }

  private static Optional<Instance> first(io.vertx.sqlclient.RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(Instance.from(rows.iterator().next()));
  }

  private static List<Instance> all(io.vertx.sqlclient.RowSet<Row> rows) {
    List<Instance> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(Instance.from(r)));
    return out;
  }
}
