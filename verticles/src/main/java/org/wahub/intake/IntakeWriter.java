package org.wahub.intake;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.wahub.event.EventLog;
import org.wahub.hub.message.MessageIds;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one group-commit batch with ONE statement (autocommit: one round trip, one WAL flush
 * for up to a few hundred requests). The statement locks the instance rows involved (in id order,
 * so two batches cannot deadlock on them) and reads their queue depth from the locked, newest row
 * version; it admits per instance at most {@code max_queue - queue_depth} new keys, inserts them
 * with {@code ON CONFLICT DO NOTHING}, and returns one row per input
 * saying what happened. Keys that already exist are not rewritten (no {@code DO UPDATE} row
 * versions for duplicates): their id, status, hash and instance come back from the same statement.
 *
 * <p>A request may name provider types that cannot carry it ({@code refused_by}): it is not inserted
 * for an instance of such a type, and the row says so ({@code refused}); the instance row is read
 * here anyway, so the check costs the intake nothing.
 *
 * <p>Input keys must be distinct per tenant within a batch (the caller defers in-batch repeats).
 *
 * <p>One clock: {@code order_at} and {@code created_at} are stamped with the hub's clock ($16), like
 * every time the delivery side compares (due, expiry, lease, attempts). PostgreSQL's {@code now()}
 * is never compared with them, so a skew between the hub's and the database's host cannot make a
 * message due early or late.
 */
final class IntakeWriter {

  /**
   * message.queued, in the same statement as the insert, but only for messages some enabled
   * endpoint of the tenant asks for by name (hub/ EventTypeFilter: wildcards never include it), so
   * an intake nobody listens to writes no event row: it pays one probe of the tenant's (usually
   * few) endpoints per accepted message, an index scan of webhooks_tenant.
   */
  static final String QUEUED_EVENTS = EventLog.messageEventsFrom("ins", "'message.queued'", "$16::timestamptz",
      "jsonb_build_object('status', 'queued', 'sendAt', s.send_at, 'expiresAt', s.expires_at)",
      "EXISTS (SELECT 1 FROM webhooks w WHERE w.tenant_id = s.tenant_id AND w.enabled"
          + " AND 'message.queued' = ANY (w.event_types) AND (w.instance_id IS NULL OR w.instance_id = s.instance_id))");

  static final String MESSAGE_INSERT_MANY = """
      WITH input AS (
        SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                             $8::text[], $9::text[], $10::bool[], $11::text[], $12::timestamptz[], $13::timestamptz[],
                             $14::uuid[], $15::uuid[], $17::text[])
          AS t(ord, tenant_id, instance_id, chat_id, recipient, kind, payload, metadata, idempotency_key,
               key_derived, payload_hash, send_at, expires_at, dedupe_id, id, refused_by)
      ),
      locked AS (
        SELECT i.id, i.tenant_id, i.max_queue, i.queue_depth, i.per_minute, i.provider_type
          FROM instances i
         WHERE i.id = ANY ($3::text[])   -- a primary-key probe per id, whatever the plan
         ORDER BY i.id
           FOR UPDATE
      ),
      existing AS (
        -- LATERAL ... LIMIT 1 pins an index probe per request: a cached generic plan must never
        -- turn this into a hash join over the whole (growing) messages table
        SELECT input.dedupe_id, m.id, m.instance_id, m.status, m.payload_hash
          FROM input CROSS JOIN LATERAL (
                 SELECT id, instance_id, status, payload_hash FROM messages
                  WHERE messages.dedupe_id = input.dedupe_id LIMIT 1) m
      ),
      ranked AS (
        SELECT input.*, l.max_queue - l.queue_depth AS free,
               row_number() OVER (PARTITION BY input.instance_id ORDER BY input.ord) AS rn
          FROM input JOIN locked l ON l.id = input.instance_id AND l.tenant_id = input.tenant_id
         WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.dedupe_id = input.dedupe_id)
           AND NOT coalesce(l.provider_type = ANY (string_to_array(input.refused_by, ',')), false)
      ),
      ins AS (
        INSERT INTO messages (id, tenant_id, instance_id, chat_id, recipient, kind, payload, metadata, idempotency_key,
                              key_derived, payload_hash, send_at, expires_at, order_at, dedupe_id, created_at)
        SELECT id, tenant_id, instance_id, chat_id, recipient, kind, payload::jsonb, metadata::jsonb, idempotency_key,
               key_derived, payload_hash, send_at, expires_at, greatest(send_at, $16::timestamptz), dedupe_id,
               $16::timestamptz
          FROM ranked WHERE rn <= free ORDER BY ord
        ON CONFLICT (dedupe_id) DO NOTHING
        RETURNING id, dedupe_id, tenant_id, instance_id, recipient, attempts, metadata, send_at, expires_at
      ),
      queued AS (""" + QUEUED_EVENTS + """
        RETURNING message_id
      )
      SELECT input.ord,
             ins.id AS new_id,
             e.id AS existing_id, e.instance_id AS existing_instance, e.status AS existing_status,
             e.payload_hash AS existing_hash,
             l.id IS NOT NULL AS instance_found, l.max_queue, l.per_minute,
             coalesce(r.rn <= r.free, false) AS admitted,
             l.provider_type,
             coalesce(l.provider_type = ANY (string_to_array(input.refused_by, ',')), false) AS refused,
             q.message_id IS NOT NULL AS queued_event
        FROM input
        LEFT JOIN ins ON ins.dedupe_id = input.dedupe_id
        LEFT JOIN existing e ON e.dedupe_id = input.dedupe_id
        LEFT JOIN locked l ON l.id = input.instance_id AND l.tenant_id = input.tenant_id
        LEFT JOIN ranked r ON r.ord = input.ord
        LEFT JOIN queued q ON q.message_id = ins.id
      """;

  /** Per input row: what the statement did. {@code newId} set = inserted now. */
  record Outcome(int ord, String newId, String existingId, String existingInstance, String existingStatus,
                 String existingHash, boolean instanceFound, int maxQueue, int perMinute, boolean admitted,
                 String providerType, boolean refused, boolean queuedEvent) {
  }

  private final Pool pool;
  private final MessageIds ids;
  private final Clock clock;

  IntakeWriter(Pool pool, MessageIds ids, Clock clock) {
    this.pool = pool;
    this.ids = ids;
    this.clock = clock;
  }

  Future<List<Outcome>> write(List<IntakeRequest> batch) {
    int n = batch.size();
    Integer[] ord = new Integer[n];
    String[] tenant = new String[n];
    String[] instance = new String[n];
    String[] chat = new String[n];
    String[] recipient = new String[n];
    String[] kind = new String[n];
    String[] payload = new String[n];
    String[] metadata = new String[n];
    String[] key = new String[n];
    Boolean[] derived = new Boolean[n];
    String[] hash = new String[n];
    OffsetDateTime[] sendAt = new OffsetDateTime[n];
    OffsetDateTime[] expiresAt = new OffsetDateTime[n];
    java.util.UUID[] dedupe = new java.util.UUID[n];
    // a fresh id per attempt: a request that loses to an existing key simply leaves its id unused
    java.util.UUID[] id = new java.util.UUID[n];
    String[] refusedBy = new String[n];
    for (int i = 0; i < n; i++) {
      IntakeRequest r = batch.get(i);
      ord[i] = i;
      tenant[i] = r.tenantId();
      instance[i] = r.instanceId();
      chat[i] = r.chatId();
      recipient[i] = r.recipient();
      kind[i] = r.kind();
      payload[i] = r.payloadJson();
      metadata[i] = r.metadataJson();
      key[i] = r.idempotencyKey();
      derived[i] = r.keyDerived();
      hash[i] = r.payloadHash();
      sendAt[i] = r.sendAt();
      expiresAt[i] = r.expiresAt();
      dedupe[i] = r.dedupeId();
      id[i] = ids.next();
      refusedBy[i] = r.refusedBy();
    }
    Tuple params = Tuple.from(new Object[] {ord, tenant, instance, chat, recipient, kind, payload, metadata, key,
        derived, hash, sendAt, expiresAt, dedupe, id, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), refusedBy});
    return pool.preparedQuery(MESSAGE_INSERT_MANY).execute(params).map(rows -> {
      Outcome[] out = new Outcome[n];
      for (Row r : rows) {
        int i = r.getInteger("ord");
        out[i] = new Outcome(i, uuid(r, "new_id"), uuid(r, "existing_id"), r.getString("existing_instance"),
            r.getString("existing_status"), r.getString("existing_hash"), r.getBoolean("instance_found"),
            r.getInteger("max_queue") == null ? 0 : r.getInteger("max_queue"),
            r.getInteger("per_minute") == null ? 0 : r.getInteger("per_minute"), r.getBoolean("admitted"),
            r.getString("provider_type"), r.getBoolean("refused"), r.getBoolean("queued_event"));
      }
      List<Outcome> list = new ArrayList<>(n);
      for (Outcome o : out) {
        if (o == null) {
          throw new IllegalStateException("intake statement returned fewer rows than requests");
        }
        list.add(o);
      }
      return list;
    });
  }

  private static String uuid(Row r, String column) {
    java.util.UUID u = r.getUUID(column);
    return u == null ? null : u.toString();
  }
}
