package org.wahub.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.wahub.Ids;
import org.wahub.tenant.TenantQuotas;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** API keys in PostgreSQL. Only hashes go in; a token leaves this class only at creation. */
public final class KeyStore {

  /** The key and, for a tenant key, the tenant's quotas: one indexed probe per look-up, nothing more per request. */
  static final String KEY_FIND_ACTIVE_BY_HASH =
      "SELECT k.id, k.tenant_id, t.max_instances, t.max_queue_size, t.accepted_per_minute "
          + "FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL";
  static final String KEY_INSERT =
      "INSERT INTO api_keys (id, tenant_id, key_hash, label) VALUES ($1, $2, $3, $4) RETURNING created_at, fingerprint";
  static final String KEY_REVOKE =
      "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL RETURNING key_hash";
  static final String KEY_EXISTS_FOR_TENANT =
      "SELECT revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = $1 AND tenant_id = $2";
  static final String KEY_LIST_BY_TENANT =
      "SELECT id, fingerprint, label, created_at, revoked_at FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id";
  static final String ADMIN_KEY_COUNT_ACTIVE =
      "SELECT count(*) FROM api_keys WHERE tenant_id IS NULL AND revoked_at IS NULL";
  static final String ADMIN_KEY_UPSERT =
      "INSERT INTO api_keys (id, tenant_id, key_hash, label) VALUES ($1, NULL, $2, $3) "
          + "ON CONFLICT (id) DO UPDATE SET key_hash = EXCLUDED.key_hash, revoked_at = NULL";
  static final String ADMIN_KEY_REVOKE_OTHERS =
      "UPDATE api_keys SET revoked_at = now() WHERE tenant_id IS NULL AND id <> $1 AND revoked_at IS NULL";

  /** Id of the admin key that mirrors HUB_ADMIN_KEY (replaced when the variable changes). */
  static final String ENV_ADMIN_KEY_ID = "key_admin_env";
  static final String GENERATED_ADMIN_KEY_ID = "key_admin_generated";

  /**
   * A freshly created key: the only moment its token exists outside the caller. {@code prefix}
   * stays in the JSON for existing clients and is now only the scheme, {@code wah_}; the
   * fingerprint tells keys apart.
   */
  public record CreatedKey(String id, String token, String fingerprint, String label, String createdAt) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("token", token).put("prefix", ApiKeys.PREFIX)
          .put("fingerprint", fingerprint).put("label", label).put("createdAt", createdAt);
    }
  }

  private final Pool pool;

  public KeyStore(Pool pool) {
    this.pool = pool;
  }

  public Pool pool() {
    return pool;
  }

  public Future<Optional<Principal>> findActive(byte[] hash) {
    return pool.preparedQuery(KEY_FIND_ACTIVE_BY_HASH).execute(Tuple.of(Buffer.buffer(hash)))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new Principal(row.getString("id"), row.getString("tenant_id"), TenantQuotas.from(row)));
        });
  }

  public Future<CreatedKey> create(SqlClient client, String tenantId, String label) {
    String token = ApiKeys.newToken();
    String id = Ids.random("key");
    return client.preparedQuery(KEY_INSERT)
        .execute(Tuple.of(id, tenantId, Buffer.buffer(ApiKeys.hash(token)), label))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new CreatedKey(id, token, row.getString("fingerprint"), label,
              row.getOffsetDateTime("created_at").toInstant().toString());
        });
  }

  /** Revokes a key of the tenant: its hash, or empty when the tenant has no such active key. */
  public Future<Optional<byte[]>> revoke(String tenantId, String keyId) {
    return pool.preparedQuery(KEY_REVOKE).execute(Tuple.of(keyId, tenantId))
        .map(rows -> rows.size() == 1 ? Optional.of(rows.iterator().next().getBuffer("key_hash").getBytes()) : Optional.empty());
  }

  /** Empty when the tenant has no such key, else whether it was already revoked. */
  public Future<Optional<Boolean>> state(String tenantId, String keyId) {
    return pool.preparedQuery(KEY_EXISTS_FOR_TENANT).execute(Tuple.of(keyId, tenantId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getBoolean("revoked")));
  }

  public Future<List<JsonObject>> list(String tenantId) {
    return pool.preparedQuery(KEY_LIST_BY_TENANT).execute(Tuple.of(tenantId)).map(KeyStore::keyList);
  }

  private static List<JsonObject> keyList(RowSet<Row> rows) {
    List<JsonObject> out = new ArrayList<>();
    for (Row r : rows) {
      JsonObject k = new JsonObject().put("id", r.getString("id")).put("prefix", ApiKeys.PREFIX)
          .put("fingerprint", r.getString("fingerprint"))
          .put("label", r.getString("label"))
          .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString());
      if (r.getOffsetDateTime("revoked_at") != null) {
        k.put("revokedAt", r.getOffsetDateTime("revoked_at").toInstant().toString());
      }
      out.add(k);
    }
    return out;
  }

  /**
   * Makes HUB_ADMIN_KEY the admin key (revoking any other admin key), or, without it, generates
   * one if there is no admin key yet. Completes with the generated token (to print once) or empty.
   */
  public Future<Optional<String>> bootstrapAdmin(Optional<String> configured) {
    if (configured.isPresent()) {
      String token = configured.get();
      return pool.withTransaction(c -> c.preparedQuery(ADMIN_KEY_UPSERT)
              .execute(Tuple.of(ENV_ADMIN_KEY_ID, Buffer.buffer(ApiKeys.hash(token)), "HUB_ADMIN_KEY"))
              .compose(x -> c.preparedQuery(ADMIN_KEY_REVOKE_OTHERS).execute(Tuple.of(ENV_ADMIN_KEY_ID))))
          .map(x -> Optional.empty());
    }
    return pool.preparedQuery(ADMIN_KEY_COUNT_ACTIVE).execute().compose(rows -> {
      long active = rows.iterator().next().getLong(0);
      if (active > 0) {
        return Future.succeededFuture(Optional.<String>empty());
      }
      String token = ApiKeys.newToken();
      return pool.preparedQuery(ADMIN_KEY_UPSERT)
          .execute(Tuple.of(GENERATED_ADMIN_KEY_ID, Buffer.buffer(ApiKeys.hash(token)), "generated"))
          .map(x -> Optional.of(token));
    });
  }
}
