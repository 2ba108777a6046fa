package org.wahub.inbound;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.wahub.api.Sql;
import org.wahub.event.EventLog;
import org.wahub.hub.event.EventType;
import org.wahub.hub.inbound.Ballot;
import org.wahub.hub.inbound.PollTally;
import org.wahub.hub.inbound.ReceiptRule;
import org.wahub.hub.inbound.ReceiptStatus;
import org.wahub.hub.message.MessageStatus;
import org.wahub.provider.Inbound;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The inbound side's SQL (V16), one named statement per operation. Every item is stored at most
 * once (the {@code inbound_once} key: instance, provider event id, content hash) and, when it changes
 * something, writes its outbox event in the same statement or transaction as the change (DESIGN §8):
 * {@code message.received}, {@code message.delivered}/{@code read} (or {@code message.sent} for an
 * in-doubt message a receipt proves went out, {@code message.failed} for a provider's late failure of
 * a sent message), {@code poll.vote}. The decisions come from {@code hub/} ({@link ReceiptRule},
 * {@link PollTally}); this class only reads what they need and writes what they decided, under a
 * row lock on the message, so two items about one message cannot interleave.
 *
 * <p>Times: {@code at} is the provider's time of the item, {@code now} the hub's clock (the time of
 * the change, of its history row and of its event).
 */
public final class InboundStore {

  /**
   * What storing an item did. {@code outcome} is the V16 {@code inbound.outcome} value, or
   * "duplicate"; {@code event} the outbox event it wrote, or null (a duplicate, a late or
   * redundant receipt, a vote that does not count).
   */
  public record Result(String outcome, UUID messageId, Long inboundId, EventType event) {
    public boolean duplicate() {
      return "duplicate".equals(outcome);
    }
  }

  /** One page of received messages, plus the id of the last one when more may follow. */
  public record Page(List<JsonObject> items, Long lastId) {
  }

  private static final String INBOUND_COLUMNS = "inbound (tenant_id, instance_id, provider_event_id, content_hash, kind, "
      + "at, received_at, chat_id, sender, provider_message_id, message_kind, body, receipt_status, error, options, "
      + "message_id, outcome)";

  // A received message and its event in one statement: a replay hits inbound_once and writes neither.
  static final String INBOUND_INSERT_MESSAGE = """
      WITH ins AS (
        INSERT INTO %s
        VALUES ($1, $2, $3, $4, 'message', $5, $6, $7, $8, $9, $10, $11, NULL, NULL, NULL, NULL, 'stored')
        ON CONFLICT ON CONSTRAINT inbound_once DO NOTHING
        RETURNING id, tenant_id, instance_id, provider_event_id, at, received_at, chat_id, sender,
                  provider_message_id, message_kind, body)
      INSERT INTO %s
      SELECT tenant_id, instance_id, NULL::uuid, 'message.received', received_at,
             jsonb_build_object('tenantId', tenant_id, 'instanceId', instance_id, 'inboundId', id::text,
               'chatId', chat_id, 'from', sender, 'kind', message_kind, 'text', body,
               'providerMessageId', provider_message_id, 'providerEventId', provider_event_id,
               'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM ins
      RETURNING (SELECT id FROM ins) AS id""".formatted(INBOUND_COLUMNS, EventLog.INSERT_COLUMNS);

  // A receipt or vote; its effect follows in the same transaction, only if this returned a row.
  static final String INBOUND_INSERT = "INSERT INTO " + INBOUND_COLUMNS
      + " VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, NULL, NULL, $10, $11, $12, $13, $14)"
      + " ON CONFLICT ON CONSTRAINT inbound_once DO NOTHING RETURNING id";

  // The message a receipt or vote is about, locked until the item's transaction ends. The newest
  // row wins should an operator's resend ever have reused a provider id.
  static final String MESSAGE_FIND_BY_PROVIDER_ID_FOR_UPDATE = """
      SELECT id, status, kind, payload FROM messages
       WHERE instance_id = $1 AND provider_message_id = $2
       ORDER BY seq DESC LIMIT 1 FOR UPDATE""";

  // Moves the message as ReceiptRule decided (only if it is still where the decision saw it),
  // with its history row and its event.
  static final String MESSAGE_APPLY_RECEIPT = """
      WITH upd AS (
        UPDATE messages SET status = $3, updated_at = $5,
               sent_at = CASE WHEN $3 IN ('sent', 'delivered', 'read') THEN coalesce(sent_at, $4) ELSE sent_at END,
               delivered_at = CASE WHEN $3 IN ('delivered', 'read') THEN coalesce(delivered_at, $4) ELSE delivered_at END,
               read_at = CASE WHEN $3 = 'read' THEN coalesce(read_at, $4) ELSE read_at END,
               last_error_code = CASE WHEN $3 = 'failed' THEN 'receipt_failed' ELSE last_error_code END,
               last_error = CASE WHEN $3 = 'failed' THEN $8 ELSE last_error END
         WHERE id = $1 AND status = $2
        RETURNING id, tenant_id, instance_id, recipient, attempts, metadata),
      hist AS (
        INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt, detail)
        SELECT id, instance_id, $5, $6, $2, $3, attempts, $9 FROM upd)
      INSERT INTO %s
      SELECT tenant_id, instance_id, id, $7, $5, %s FROM upd
      RETURNING message_id""".formatted(EventLog.INSERT_COLUMNS, EventLog.messageData("upd",
      "jsonb_build_object('status', $3::text, 'previousStatus', $2::text, 'providerMessageId', $10::text, "
          + "'receiptAt', to_char($4 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'error', $8::text)"));

  // A receipt or vote that changes nothing on the message but belongs in its history.
  static final String MESSAGE_EVENT_RECORD = """
      INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt, detail)
      SELECT id, instance_id, $2, $3, status, status, attempts, $4 FROM messages WHERE id = $1""";

  static final String POLL_BALLOT_GET_FOR_UPDATE =
      "SELECT options, voted_at FROM poll_votes WHERE message_id = $1 AND voter = $2 FOR UPDATE";

  // A vote that counts: it replaces the voter's ballot (PollTally.replaces decided), with its history
  // row and its poll.vote event.
  static final String POLL_BALLOT_REPLACE = """
      WITH ballot AS (
        INSERT INTO poll_votes (message_id, voter, options, voted_at, inbound_id, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (message_id, voter) DO UPDATE SET options = EXCLUDED.options, voted_at = EXCLUDED.voted_at,
               inbound_id = EXCLUDED.inbound_id, updated_at = EXCLUDED.updated_at
        RETURNING message_id),
      m AS (SELECT m.id, m.tenant_id, m.instance_id, m.recipient, m.attempts, m.metadata
              FROM messages m JOIN ballot b ON b.message_id = m.id),
      hist AS (
        INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt, detail)
        SELECT id, instance_id, $6, 'vote', NULL, NULL, attempts, $8 FROM m)
      INSERT INTO %s
      SELECT tenant_id, instance_id, id, 'poll.vote', $6, %s FROM m
      RETURNING message_id""".formatted(EventLog.INSERT_COLUMNS, EventLog.messageData("m",
      "jsonb_build_object('voter', $2::text, 'selectedOptions', to_jsonb($3::text[]), "
          + "'previousOptions', to_jsonb($7::text[]), 'failed', false, "
          + "'votedAt', to_char($4 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"));

  // A vote the provider could not read: history and a poll.vote event marked failed; the ballot
  // stays as it was (selectedOptions shows the choice that still counts).
  static final String POLL_VOTE_RECORD_FAILED = """
      WITH m AS (SELECT id, tenant_id, instance_id, recipient, attempts, metadata FROM messages WHERE id = $1),
      hist AS (
        INSERT INTO message_events (message_id, instance_id, at, kind, from_status, to_status, attempt, detail)
        SELECT id, instance_id, $3, 'vote_failed', NULL, NULL, attempts, $2 || ': the provider could not read the vote' FROM m)
      INSERT INTO %s
      SELECT tenant_id, instance_id, id, 'poll.vote', $3, %s FROM m
      RETURNING message_id""".formatted(EventLog.INSERT_COLUMNS, EventLog.messageData("m",
      "jsonb_build_object('voter', $2::text, 'selectedOptions', to_jsonb($4::text[]), 'previousOptions', to_jsonb($4::text[]), "
          + "'failed', true, 'votedAt', to_char($5 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"));

  static final String POLL_BALLOTS_FOR_MESSAGE =
      "SELECT voter, options, voted_at FROM poll_votes WHERE message_id = $1 ORDER BY voted_at, voter";

  static final String INBOUND_MESSAGES_PAGE = """
      SELECT id, provider_event_id, at, received_at, chat_id, sender, provider_message_id, message_kind, body
        FROM inbound WHERE instance_id = $1 AND kind = 'message' AND id > $2
       ORDER BY id LIMIT $3""";

  private final Pool pool;

  public InboundStore(Pool pool) {
    this.pool = pool;
  }

  /** Stores one item for an instance of {@code tenantId} and carries out what it means. */
  public Future<Result> store(String tenantId, String instanceId, Inbound item, Instant now) {
    if (item instanceof Inbound.Message m) {
      return pool.preparedQuery(INBOUND_INSERT_MESSAGE).execute(Tuple.from(new Object[] {
          tenantId, instanceId, m.providerEventId(), contentHash(m), utc(m.at()), utc(now), m.chatId(), m.from(),
          m.providerMessageId(), m.kind(), m.text()})).map(rows -> rows.size() == 0
          ? new Result("duplicate", null, null, null)
          : new Result("stored", null, rows.iterator().next().getLong("id"), EventType.MESSAGE_RECEIVED));
    }
    return pool.withTransaction(c -> {
      if (item instanceof Inbound.Receipt r) {
        return receipt(c, tenantId, instanceId, r, now);
      }
      if (item instanceof Inbound.Vote v) {
        return vote(c, tenantId, instanceId, v.providerEventId(), v.at(), v.pollProviderMessageId(), v.voter(),
            v.options(), now);
      }
      Inbound.VoteFailed f = (Inbound.VoteFailed) item;
      return vote(c, tenantId, instanceId, f.providerEventId(), f.at(), f.pollProviderMessageId(), f.voter(), null, now);
    });
  }

  private Future<Result> receipt(SqlClient c, String tenantId, String instanceId, Inbound.Receipt r, Instant now) {
    ReceiptStatus status = ReceiptStatus.valueOf(r.status().name());
    return c.preparedQuery(MESSAGE_FIND_BY_PROVIDER_ID_FOR_UPDATE).execute(Tuple.of(instanceId, r.providerMessageId()))
        .compose(found -> {
          Row m = found.size() == 0 ? null : found.iterator().next();
          ReceiptRule.Decision d = m == null ? null
              : ReceiptRule.decide(MessageStatus.parse(m.getString("status")).orElseThrow(), status);
          String outcome = d == null ? "unmatched" : d instanceof ReceiptRule.Apply ? "applied"
              : d instanceof ReceiptRule.Late ? "late" : "redundant";
          UUID messageId = m == null ? null : m.getUUID("id");
          return insert(c, tenantId, instanceId, r.providerEventId(), contentHash(r), "receipt", r.at(), now,
              null, r.providerMessageId(), status.wire(), r.error(), null, messageId, outcome).compose(inboundId -> {
                if (inboundId == null) {
                  return Future.succeededFuture(new Result("duplicate", messageId, null, null));
                }
                Result result = new Result(outcome, messageId, inboundId, null);
                if (d instanceof ReceiptRule.Apply a) {
                  String kind = switch (a.to()) {
                    case DELIVERED, READ -> a.to().wire();
                    default -> "receipt_" + status.wire();
                  };
                  EventType type = switch (a.to()) {
                    case SENT -> EventType.MESSAGE_SENT;
                    case DELIVERED -> EventType.MESSAGE_DELIVERED;
                    case READ -> EventType.MESSAGE_READ;
                    default -> EventType.MESSAGE_FAILED;
                  };
                  String detail = "receipt " + status.wire() + (r.error() == null ? "" : ": " + r.error());
                  return c.preparedQuery(MESSAGE_APPLY_RECEIPT).execute(Tuple.from(new Object[] {messageId,
                      a.from().wire(), a.to().wire(), utc(r.at()), utc(now), kind, type.wire(),
                      r.error() == null ? "the provider reported a failure" : r.error(), detail, r.providerMessageId()}))
                      .map(rows -> new Result(outcome, messageId, inboundId, rows.size() > 0 ? type : null));
                }
                if (d instanceof ReceiptRule.Late late) {
                  String detail = late.reason() + (r.error() == null ? "" : " (" + r.error() + ")");
                  return c.preparedQuery(MESSAGE_EVENT_RECORD).execute(Tuple.of(messageId, utc(now), "receipt_late", detail))
                      .map(result);
                }
                return Future.succeededFuture(result);
              });
        });
  }

  /** A vote ({@code options} non-null) or a failed vote ({@code options} null). */
  private Future<Result> vote(SqlClient c, String tenantId, String instanceId, String eventId, Instant at, String pollId,
                              String voter, List<String> options, Instant now) {
    boolean failed = options == null;
    byte[] contentHash = sha256(new JsonArray().add(failed ? "vote_failed" : "vote").add(pollId).add(voter)
        .add(failed ? null : new JsonArray(new ArrayList<>(options))).encode());
    return c.preparedQuery(MESSAGE_FIND_BY_PROVIDER_ID_FOR_UPDATE).execute(Tuple.of(instanceId, pollId))
        .compose(found -> {
          Row m = found.size() == 0 ? null : found.iterator().next();
          if (m != null && !"poll".equals(m.getString("kind"))) {
            m = null; // a vote on something that is not a poll: nothing to count it on
          }
          UUID messageId = m == null ? null : m.getUUID("id");
          Future<Ballot> current = messageId == null ? Future.succeededFuture(null)
              : c.preparedQuery(POLL_BALLOT_GET_FOR_UPDATE).execute(Tuple.of(messageId, voter)).map(rows -> {
                if (rows.size() == 0) {
                  return null;
                }
                Row b = rows.iterator().next();
                return new Ballot(voter, List.of(b.getArrayOfStrings("options")), b.getOffsetDateTime("voted_at").toInstant());
              });
          return current.compose(ballot -> {
            boolean counts = messageId != null && !failed && PollTally.replaces(ballot, at);
            String outcome = messageId == null ? "unmatched" : failed ? "applied" : counts ? "applied" : "late";
            return insert(c, tenantId, instanceId, eventId, contentHash, failed ? "vote_failed" : "vote", at, now, voter,
                pollId, null, null, failed ? null : options.toArray(String[]::new), messageId, outcome).compose(inboundId -> {
                  if (inboundId == null) {
                    return Future.succeededFuture(new Result("duplicate", messageId, null, null));
                  }
                  Result result = new Result(outcome, messageId, inboundId, null);
                  Result voted = new Result(outcome, messageId, inboundId, EventType.POLL_VOTE);
                  String[] previous = ballot == null ? null : ballot.options().toArray(String[]::new);
                  if (messageId == null) {
                    return Future.succeededFuture(result);
                  }
                  if (failed) {
                    return c.preparedQuery(POLL_VOTE_RECORD_FAILED).execute(Tuple.of(messageId, voter, utc(now), previous,
                        utc(at))).map(voted);
                  }
                  String chosen = options.isEmpty() ? "(withdrawn)" : String.join(", ", options);
                  if (counts) {
                    return c.preparedQuery(POLL_BALLOT_REPLACE).execute(Tuple.from(new Object[] {messageId, voter,
                        options.toArray(String[]::new), utc(at), inboundId, utc(now), previous, voter + ": " + chosen}))
                        .map(voted);
                  }
                  return c.preparedQuery(MESSAGE_EVENT_RECORD).execute(Tuple.of(messageId, utc(now), "vote_late",
                      voter + ": " + chosen + " (older than the vote that counts: not applied)")).map(result);
                });
          });
        });
  }

  private static Future<Long> insert(SqlClient c, String tenantId, String instanceId, String eventId, byte[] hash,
                                     String kind, Instant at, Instant now, String sender, String providerMessageId,
                                     String receiptStatus, String error, String[] options, UUID messageId,
                                     String outcome) {
    return c.preparedQuery(INBOUND_INSERT).execute(Tuple.from(new Object[] {tenantId, instanceId, eventId,
            io.vertx.core.buffer.Buffer.buffer(hash), kind, utc(at), utc(now), sender, providerMessageId, receiptStatus,
            error, options, messageId, outcome}))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("id"));
  }

  /** The poll's options with their counts and voters (GET /messages/:id of a poll). */
  public Future<JsonObject> pollResults(UUID messageId, JsonObject pollContent) {
    List<String> pollOptions = new ArrayList<>();
    JsonArray declared = pollContent == null ? null : pollContent.getJsonArray("options");
    if (declared != null) {
      declared.forEach(o -> pollOptions.add(String.valueOf(o)));
    }
    return pool.preparedQuery(POLL_BALLOTS_FOR_MESSAGE).execute(Tuple.of(messageId)).map(rows -> {
      List<Ballot> ballots = new ArrayList<>();
      for (Row r : rows) {
        ballots.add(new Ballot(r.getString("voter"), List.of(r.getArrayOfStrings("options")),
            r.getOffsetDateTime("voted_at").toInstant()));
      }
      JsonArray options = new JsonArray();
      for (PollTally.OptionCount c : PollTally.tally(pollOptions, ballots)) {
        options.add(new JsonObject().put("option", c.option()).put("count", c.count())
            .put("voters", new JsonArray(new ArrayList<>(c.voters()))));
      }
      JsonArray votes = new JsonArray();
      for (Ballot b : ballots) {
        votes.add(new JsonObject().put("voter", b.voter()).put("options", new JsonArray(new ArrayList<>(b.options())))
            .put("votedAt", b.votedAt().toString()));
      }
      return new JsonObject().put("options", options).put("voters", PollTally.voters(ballots)).put("votes", votes);
    });
  }

  /** Received messages of one instance after {@code afterId}, oldest first; the caller checked the tenant. */
  public Future<Page> messages(String instanceId, long afterId, int limit) {
    return pool.preparedQuery(INBOUND_MESSAGES_PAGE).execute(Tuple.of(instanceId, afterId, limit + 1)).map(rows -> {
      List<JsonObject> items = new ArrayList<>();
      long last = 0;
      for (Row r : rows) {
        if (items.size() == limit) {
          return new Page(items, last);
        }
        last = r.getLong("id");
        items.add(view(instanceId, r));
      }
      return new Page(items, null);
    });
  }

  private static JsonObject view(String instanceId, Row r) {
    return new JsonObject()
        .put("id", Long.toString(r.getLong("id")))
        .put("instanceId", instanceId)
        .put("chatId", r.getString("chat_id"))
        .put("from", r.getString("sender"))
        .put("kind", r.getString("message_kind"))
        .put("text", r.getString("body"))
        .put("providerMessageId", r.getString("provider_message_id"))
        .put("providerEventId", r.getString("provider_event_id"))
        .put("at", Sql.iso(r.getOffsetDateTime("at")))
        .put("receivedAt", Sql.iso(r.getOffsetDateTime("received_at")));
  }

  /** SHA-256 of a message's content without its time: a replay hashes equal, new content never does. */
  static byte[] contentHash(Inbound.Message m) {
    return sha256(new JsonArray().add("message").add(m.chatId()).add(m.from()).add(m.providerMessageId())
        .add(m.kind()).add(m.text()).encode());
  }

  static byte[] contentHash(Inbound.Receipt r) {
    return sha256(new JsonArray().add("receipt").add(r.providerMessageId()).add(r.status().name().toLowerCase(Locale.ROOT))
        .add(r.error()).encode());
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }
}
