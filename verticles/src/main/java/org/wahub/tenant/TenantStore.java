package org.wahub.tenant;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.wahub.Ids;
import org.wahub.api.Sql;
import org.wahub.auth.KeyStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tenants in PostgreSQL. A tenant is born with its first API key, in one transaction. */
public final class TenantStore {

  static final String TENANT_INSERT = "INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING created_at";
  static final String TENANT_GET = "SELECT id, name, created_at FROM tenants WHERE id = $1";
  static final String TENANT_LIST = "SELECT id, name, created_at FROM tenants ORDER BY created_at, id";

  public record Created(JsonObject tenant, KeyStore.CreatedKey key) {
  }

  private final Pool pool;
  private final KeyStore keys;

  public TenantStore(Pool pool, KeyStore keys) {
    this.pool = pool;
    this.keys = keys;
  }

  public Future<Created> create(String name, String keyLabel) {
    String id = Ids.random("ten");
    return pool.withTransaction(c -> c.preparedQuery(TENANT_INSERT).execute(Tuple.of(id, name))
        .compose(rows -> keys.create(c, id, keyLabel).map(key -> new Created(
            new JsonObject().put("id", id).put("name", name)
                .put("createdAt", Sql.iso(rows.iterator().next().getOffsetDateTime("created_at"))),
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

  private static JsonObject toJson(Row r) {
    return new JsonObject().put("id", r.getString("id")).put("name", r.getString("name"))
        .put("createdAt", Sql.iso(r.getOffsetDateTime("created_at")));
  }
}
