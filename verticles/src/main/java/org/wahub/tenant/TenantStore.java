package org.wahub.tenant;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.wahub.HubConfig;
import org.wahub.Ids;
import org.wahub.api.Sql;
import org.wahub.auth.KeyStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tenants in PostgreSQL. A tenant is born with its first API key, in one transaction. */
public final class TenantStore {

  static final String TENANT_INSERT = "INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING created_at";
  private static final String TENANT_COLUMNS = "id, name, created_at, max_instances, max_queue_size, accepted_per_minute";
  static final String TENANT_GET = "SELECT " + TENANT_COLUMNS + " FROM tenants WHERE id = $1";
  static final String TENANT_LIST = "SELECT " + TENANT_COLUMNS + " FROM tenants ORDER BY created_at, id";
  /** Sets the quotas whose flag is true (a null value: back to the configured default), leaves the others. */
  static final String TENANT_UPDATE_QUOTAS =
      "UPDATE tenants SET max_instances = CASE WHEN $2 THEN $3 ELSE max_instances END, "
          + "max_queue_size = CASE WHEN $4 THEN $5 ELSE max_queue_size END, "
          + "accepted_per_minute = CASE WHEN $6 THEN $7 ELSE accepted_per_minute END "
          + "WHERE id = $1 RETURNING " + TENANT_COLUMNS;

  public record Created(JsonObject tenant, KeyStore.CreatedKey key) {
  }

  /** A quota change: for each quota whether to set it, and to what (null: the configured default). */
  public record QuotaChange(boolean setInstances, Integer instances, boolean setMaxQueueSize, Integer maxQueueSize,
                            boolean setAcceptedPerMinute, Integer acceptedPerMinute) {
  }

  private final Pool pool;
  private final KeyStore keys;
  private final HubConfig config;

  public TenantStore(Pool pool, KeyStore keys, HubConfig config) {
    this.pool = pool;
    this.keys = keys;
    this.config = config;
  }

  /** Empty when there is no such tenant. */
  public Future<Optional<JsonObject>> updateQuotas(String id, QuotaChange c) {
    return pool.preparedQuery(TENANT_UPDATE_QUOTAS).execute(Tuple.from(new Object[] {id,
            c.setInstances(), c.instances(), c.setMaxQueueSize(), c.maxQueueSize(),
            c.setAcceptedPerMinute(), c.acceptedPerMinute()}))
        .map(rows -> rows.size() == 0 ? Optional.<JsonObject>empty() : Optional.of(toJson(rows.iterator().next())));
  }

  public Future<Created> create(String name, String keyLabel) {
    String id = Ids.random("ten");
    return pool.withTransaction(c -> c.preparedQuery(TENANT_INSERT).execute(Tuple.of(id, name))
        .compose(rows -> keys.create(c, id, keyLabel).map(key -> new Created(
            new JsonObject().put("id", id).put("name", name)
                .put("createdAt", Sql.iso(rows.iterator().next().getOffsetDateTime("created_at")))
                .put("quotas", TenantQuotas.DEFAULTS.toJson(config)),
            key))));
  }

  public Future<Optional<JsonObject>> get(String id) {
    return pool.preparedQuery(TENANT_GET).execute(Tuple.of(id)).map(rows -> rows.size() == 0
        ? Optional.<JsonObject>empty() : Optional.of(toJson(rows.iterator().next())));
  }

  public Future<List<JsonObject>> list() {
    return pool.preparedQuery(TENANT_LIST).execute().map(rows -> {
      List<JsonObject> out = new ArrayList<>();
      rows.forEach(r -> out.add(toJson(r)));
      return out;
    });
  }

  private JsonObject toJson(Row r) {
    return new JsonObject().put("id", r.getString("id")).put("name", r.getString("name"))
        .put("createdAt", Sql.iso(r.getOffsetDateTime("created_at")))
        .put("quotas", TenantQuotas.from(r).toJson(config));
  }
}
