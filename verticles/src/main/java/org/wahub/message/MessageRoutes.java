package org.wahub.message;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import org.wahub.instance.Instance;
import org.wahub.api.ApiError;
import org.wahub.api.Responses;
import org.wahub.auth.Authenticator;
import org.wahub.hub.message.MessageStatus;
import org.wahub.hub.validation.Recipient;
import org.wahub.hub.validation.RecipientParser;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reading messages (one with its history, or a keyset-paginated list) and mounting the
 * dead-letter operations of {@link MessageOpsRoutes} (retry, cancel, delete, bulk retry).
 */
public final class MessageRoutes {

  private static final String CURSOR_PREFIX = "m1:";
  private final MessageStore store;
  private final MessageOpsRoutes ops;

  /** {@code pool} backs the write side ({@link MessageOps}); {@code vertx} publishes instance wakes. */
  public MessageRoutes(Vertx vertx, MessageStore store, Pool pool) {
    this.store = store;
    this.ops = new MessageOpsRoutes(vertx, new MessageOps(pool));
  }

  public void mount(Router router) {
    router.get("/messages").handler(ctx -> Responses.json(ctx, 200, list(ctx)));
    router.get("/messages/:messageId").handler(ctx -> Responses.json(ctx, 200, get(ctx)));
    ops.mount(router);
  }

  private Future<JsonObject> get(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    String raw = ctx.pathParam("messageId");
    Optional<UUID> id = parseUuid(raw);
    if (id.isEmpty()) {
      return Future.failedFuture(ApiError.notFound("no message " + raw));
    }
    return store.get(tenantId, id.get(), true).compose(m -> m.isPresent()
        ? Future.succeededFuture(m.get())
        : Future.failedFuture(ApiError.notFound("no message " + raw)));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    var q = ctx.queryParams();
    for (String name : q.names()) {
      if (!List.of("instance", "status", "chat", "after", "limit").contains(name)) {
        throw ApiError.badRequest("invalid_query", "unknown query parameter '" + name + "'");
      }
    }
    String instance = q.get("instance");
    if (instance != null && !Instance.ID.matcher(instance).matches()) {
      throw ApiError.badRequest("invalid_query", "instance is not a valid instance id");
    }
    String status = q.get("status");
    if (status != null && MessageStatus.parse(status).isEmpty()) {
      throw ApiError.badRequest("invalid_query", "status must be one of queued, sending, sent, delivered, read, "
          + "failed, cancelled, expired, in_doubt");
    }
    String chat = q.get("chat");
    String chatId = null;
    if (chat != null) {
      chatId = RecipientParser.tryParse(chat).map(Recipient::chatId)
          .orElseThrow(() -> ApiError.badRequest("invalid_query", "chat must be an E.164 number or a WhatsApp chat id"));
    }
    long after = decodeCursor(q.get("after"));
    int limit = org.wahub.api.Queries.limit(q.get("limit"));
    return store.list(tenantId, new MessageStore.Filter(instance, status, chatId, after, limit)).map(page ->
        new JsonObject()
            .put("items", new JsonArray(List.copyOf(page.items())))
            .put("nextCursor", page.lastSeq() == null ? null : encodeCursor(page.lastSeq())));
  }

  static String encodeCursor(long seq) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((CURSOR_PREFIX + seq).getBytes(StandardCharsets.US_ASCII));
  }

  static long decodeCursor(String cursor) {
    if (cursor == null) {
      return 0;
    }
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      if (raw.startsWith(CURSOR_PREFIX)) {
        long seq = Long.parseLong(raw.substring(CURSOR_PREFIX.length()));
        if (seq >= 0) {
          return seq;
        }
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw ApiError.badRequest("invalid_cursor", "after must be a nextCursor value from an earlier page");
  }



  static Optional<UUID> parseUuid(String raw) {
    if (raw == null || raw.length() != 36) {
      return Optional.empty();
    }
    try {
      return Optional.of(UUID.fromString(raw));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
