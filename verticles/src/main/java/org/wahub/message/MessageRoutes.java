package org.wahub.message;

import org.wahub.api.Access;
import org.wahub.api.ApiRoutes;
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
  public MessageRoutes(Vertx vertx, MessageStore store, Pool pool, org.wahub.metrics.HubMetrics metrics) {
    this.store = store;
    this.ops = new MessageOpsRoutes(vertx, new MessageOps(pool), metrics);
  }

  public void mount(ApiRoutes routes) {
    routes.get("/messages", Access.TENANT, ctx -> Responses.json(ctx, 200, list(ctx)));
    routes.get("/messages/:messageId", Access.TENANT, ctx -> Responses.json(ctx, 200, get(ctx)));
    ops.mount(routes);
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
      if (!List.of("instance", "status", "chat", "after", "limit", "archived").contains(name)) {
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
    String archivedParam = q.get("archived");
    if (archivedParam != null && !List.of("true", "false").contains(archivedParam)) {
      throw ApiError.badRequest("invalid_query", "archived must be true or false");
    }
    boolean archived = "true".equals(archivedParam);
    long after = decodeCursor(q.get("after"));
    int limit = org.wahub.api.Queries.limit(q.get("limit"));
    return store.list(tenantId, new MessageStore.Filter(instance, status, chatId, after, limit, archived)).map(page ->
        new JsonObject()
            .put("items", new JsonArray(List.copyOf(page.items())))
            .put("nextCursor", page.lastSeq() == null ? null : encodeCursor(page.lastSeq())));
  }

  static String encodeCursor(long key) {
    return org.wahub.api.Queries.encodeCursor(CURSOR_PREFIX, key);
  }

  static long decodeCursor(String cursor) {
    return org.wahub.api.Queries.decodeCursor(CURSOR_PREFIX, cursor);
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
