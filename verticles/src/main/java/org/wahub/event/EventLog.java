package org.wahub.event;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.wahub.hub.event.EventFilter;
import org.wahub.hub.event.EventPosition;
import org.wahub.hub.event.EventType;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The ordered outbox of domain events ({@code events}, V9): how events are written with the change
 * that caused them, and how readers page through them without gaps (DESIGN §8a).
 *
 * <p><b>Writing.</b> An event is written in the same transaction as its change, never after it:
 * either {@link #append} on the caller's connection inside its transaction, or, where the change is
 * one statement (the send completion), as one more part of that statement's CTE, built from
 * {@link #INSERT_COLUMNS} and {@link #messageData}. Positions are assigned by PostgreSQL (the
 * writing transaction's id and a sequence), so writers need no coordination.
 *
 * <p><b>Reading.</b> {@link #page} returns the events after a position, in position order, but only
 * those written by transactions older than the oldest one still running
 * ({@code tx < pg_snapshot_xmin(pg_current_snapshot())}, in the statement's own snapshot). Every
 * such transaction has ended, so no event can later appear behind the returned ones: a reader that
 * continues after the last position it got never misses or repeats one. A committed event above
 * that line is "held back" until the older transactions end; the page says so, so the reader can
 * look again soon instead of waiting for the next notification.
 *
 * <p>Readers are woken by {@code NOTIFY wahub_events} (payload: the tenant id) on commit; see
 * {@link EventNotifier}.
 */
public final class EventLog {

  /** The listen channel the {@code events_notify} trigger notifies on commit. */
  public static final String CHANNEL = "wahub_events";

  /** One stored event. {@code type} is kept as stored, so a reader never fails on a type it does not know. */
  public record Event(EventPosition position, String tenantId, String instanceId, UUID messageId, String type,
                      Instant at, JsonObject data) {

    /** The body clients get, the same for SSE and Standard Webhooks: {@code {"type","timestamp","data"}}. */
    public JsonObject body() {
      return new JsonObject().put("type", type).put("timestamp", at.toString()).put("data", data);
    }
  }

  /** An event to write. {@code data} is the body's {@code data} member. */
  public record NewEvent(String tenantId, String instanceId, UUID messageId, EventType type, Instant at, JsonObject data) {
    public NewEvent {
      Objects.requireNonNull(tenantId, "tenantId");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(data, "data");
    }
  }

  /**
   * A page: the events (at most the limit asked for), where to continue, and whether committed
   * events are held back behind a transaction still running. {@code next} is past every readable
   * event the page looked at — also the ones the filter dropped — so a selective reader does not
   * scan them again.
   */
  public record Page(List<Event> events, EventPosition next, boolean heldBack) {
  }

  /** The column list of an insert into events; see {@link #messageData} for a CTE that writes one per message. */
  public static final String INSERT_COLUMNS = "events (tenant_id, instance_id, message_id, type, at, data)";

  static final String EVENT_INSERT =
      "INSERT INTO " + INSERT_COLUMNS + " VALUES ($1, $2, $3, $4, $5, $6)";

  /**
   * The page for one tenant (index events_tenant_position). Params: $1 tenant, $2 after.tx (text),
   * $3 after.seq, $4 types (text[] or null = all), $5 instance (or null = all), $6 limit. Always one
   * row at least: with an empty page, one row of nulls carrying {@code held} and {@code end_tx/end_seq}.
   */
  static final String EVENT_PAGE_FOR_TENANT = page("e.tenant_id = $1 AND ");

  /** The page across all tenants (the primary key), e.g. for webhook dispatch. Params as above, $1 ignored. */
  static final String EVENT_PAGE_ALL = page("$1::text IS NULL AND ");

  private static String page(String scope) {
    return """
        WITH snap AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
        page AS MATERIALIZED (
          SELECT e.tx, e.seq, e.tenant_id, e.instance_id, e.message_id, e.type, e.at, e.data
            FROM events e
           WHERE %1$s(e.tx, e.seq) > ($2::text::xid8, $3::bigint)
             AND e.tx < (SELECT xmin FROM snap)
             AND ($4::text[] IS NULL OR e.type = ANY($4::text[]))
             AND ($5::text IS NULL OR e.instance_id = $5::text)
           ORDER BY e.tx, e.seq
           LIMIT $6::int),
        readable_end AS MATERIALIZED (
          SELECT e.tx, e.seq FROM events e
           WHERE %1$s(e.tx, e.seq) > ($2::text::xid8, $3::bigint) AND e.tx < (SELECT xmin FROM snap)
           ORDER BY e.tx DESC, e.seq DESC
           LIMIT 1),
        held AS MATERIALIZED (
          SELECT EXISTS (SELECT 1 FROM events e
                          WHERE %1$s(e.tx, e.seq) > ($2::text::xid8, $3::bigint) AND e.tx >= (SELECT xmin FROM snap)
                            AND ($4::text[] IS NULL OR e.type = ANY($4::text[]))
                            AND ($5::text IS NULL OR e.instance_id = $5::text)) AS held)
        SELECT p.tx::text AS tx, p.seq, p.tenant_id, p.instance_id, p.message_id, p.type, p.at, p.data,
               h.held, r.tx::text AS end_tx, r.seq AS end_seq
          FROM held h
          LEFT JOIN readable_end r ON true
          LEFT JOIN page p ON true
         ORDER BY p.tx, p.seq
        """.formatted(scope);
  }

  /**
   * Retention, one bounded batch: events older than $1, but only those the webhook fan-out has
   * already read (at or before webhook_dispatch_cursor). A fanned-out event lives on in its
   * deliveries, which carry their own body (V10), so retries and replays never need it again; an
   * event the fan-out has not reached yet is kept however old, or an endpoint would miss it.
   * SKIP LOCKED: two nodes pruning at once share the work. Params: $1 cutoff, $2 batch.
   */
  static final String EVENT_DELETE_FANNED_OUT_BEFORE = """
      WITH doomed AS (
        SELECT e.tx, e.seq FROM events e, webhook_dispatch_cursor c
         WHERE e.at < $1 AND (e.tx, e.seq) <= (c.tx, c.seq)
         LIMIT $2
           FOR UPDATE OF e SKIP LOCKED)
      DELETE FROM events e USING doomed d WHERE e.tx = d.tx AND e.seq = d.seq""";

  /** The last readable position of a tenant (or of all tenants): where a live-only reader starts. */
  static final String EVENT_END_FOR_TENANT = endSql("e.tenant_id = $1 AND ");
  static final String EVENT_END_ALL = endSql("$1::text IS NULL AND ");

  private static String endSql(String scope) {
    return """
        SELECT e.tx::text AS end_tx, e.seq AS end_seq FROM events e
         WHERE %se.tx < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY e.tx DESC, e.seq DESC
         LIMIT 1
        """.formatted(scope);
  }

  /**
   * The data of a message event, as SQL over a row source {@code m} that has the message's
   * columns (id, tenant_id, instance_id, recipient, attempts, metadata), merged with
   * {@code extra} (a jsonb expression, e.g. {@code jsonb_build_object('providerMessageId', $3)}).
   * For CTEs that write the event in the change's own statement.
   */
  public static String messageData(String m, String extra) {
    return ("jsonb_build_object('tenantId', %1$s.tenant_id, 'instanceId', %1$s.instance_id, 'messageId', %1$s.id, "
        + "'to', %1$s.recipient, 'attempt', %1$s.attempts, 'metadata', coalesce(%1$s.metadata, '{}'::jsonb)) || %2$s")
        .formatted(m, extra);
  }

  /**
   * A CTE body that writes one message event per row of {@code source} (a CTE with the message's
   * columns id, tenant_id, instance_id, recipient, attempts, metadata): {@code type} and {@code at}
   * are SQL expressions, {@code extra} is merged into {@link #messageData}, {@code where} (or null)
   * keeps only some rows. For {@code WITH upd AS (UPDATE … RETURNING …), ev AS (<this>) …}: the event
   * exists iff the change committed, and a change that matched no row (fenced, raced) writes none.
   */
  public static String messageEventsFrom(String source, String type, String at, String extra, String where) {
    return "INSERT INTO " + INSERT_COLUMNS + " SELECT s.tenant_id, s.instance_id, s.id, " + type + ", " + at + ", "
        + messageData("s", extra) + " FROM " + source + " s" + (where == null ? "" : " WHERE " + where);
  }

  /** The error member of a failed / in-doubt / expired message event, from SQL expressions for code and message. */
  public static String errorData(String code, String message) {
    return "jsonb_build_object('code', " + code + ", 'message', " + message + ")";
  }

  private final SqlClient client;

  /** A reader over {@code client} (a pool: each page is one statement on its own snapshot). */
  public EventLog(SqlClient client) {
    this.client = client;
  }

  /** Writes one event on {@code connection}, inside the caller's transaction (it commits or rolls back with it). */
  public static Future<Void> append(SqlClient connection, NewEvent e) {
    return connection.preparedQuery(EVENT_INSERT).execute(Tuple.from(new Object[] {
        e.tenantId(), e.instanceId(), e.messageId(), e.type().wire(), utc(e.at()), e.data()})).mapEmpty();
  }

  /**
   * Up to {@code limit} events after {@code after} that match {@code filter}, of one tenant
   * ({@code tenantOrNull} null: of all tenants), in position order; gap-safe (see the class comment).
   */
  public Future<Page> page(String tenantOrNull, EventPosition after, EventFilter filter, int limit) {
    Objects.requireNonNull(after, "after");
    String sql = tenantOrNull == null ? EVENT_PAGE_ALL : EVENT_PAGE_FOR_TENANT;
    Tuple params = Tuple.from(new Object[] {tenantOrNull, Long.toString(after.tx()), after.seq(), filter.typeWires(),
        filter.instanceId(), limit});
    return client.preparedQuery(sql).execute(params).map(rows -> toPage(rows, after, limit));
  }

  /** The last readable position (of one tenant, or of all): a reader starting there sees only what comes next. */
  public Future<EventPosition> end(String tenantOrNull) {
    return client.preparedQuery(tenantOrNull == null ? EVENT_END_ALL : EVENT_END_FOR_TENANT)
        .execute(Tuple.of(tenantOrNull))
        .map(rows -> rows.size() == 0 ? EventPosition.START : position(rows.iterator().next(), "end_tx", "end_seq"));
  }

  /** Deletes up to {@code batch} events older than {@code cutoff} that webhook fan-out has read; completes with how many. */
  public Future<Integer> pruneBefore(Instant cutoff, int batch) {
    return client.preparedQuery(EVENT_DELETE_FANNED_OUT_BEFORE).execute(Tuple.of(utc(cutoff), batch))
        .map(RowSet::rowCount);
  }

  private static Page toPage(RowSet<Row> rows, EventPosition after, int limit) {
    List<Event> events = new ArrayList<>(Math.min(rows.size(), limit));
    boolean held = false;
    EventPosition end = null;
    for (Row r : rows) {
      held = r.getBoolean("held");
      if (end == null && r.getString("end_tx") != null) {
        end = position(r, "end_tx", "end_seq");
      }
      if (r.getString("tx") != null) {
        OffsetDateTime at = r.getOffsetDateTime("at");
        Object data = r.getValue("data");
        events.add(new Event(position(r, "tx", "seq"), r.getString("tenant_id"), r.getString("instance_id"),
            r.getUUID("message_id"), r.getString("type"), at.toInstant(),
            data instanceof JsonObject o ? o : new JsonObject().put("value", data)));
      }
    }
    EventPosition next = events.isEmpty() ? after : events.get(events.size() - 1).position();
    // a short page saw every readable event after `after`: the reader may skip to the readable end
    if (events.size() < limit && end != null && end.compareTo(next) > 0) {
      next = end;
    }
    return new Page(List.copyOf(events), next, held);
  }

  private static EventPosition position(Row r, String tx, String seq) {
    return new EventPosition(Long.parseLong(r.getString(tx)), r.getLong(seq));
  }

  static OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }
}
