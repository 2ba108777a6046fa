package org.wahub.inbound;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.wahub.api.Access;
import org.wahub.api.ApiError;
import org.wahub.api.ApiRoutes;
import org.wahub.api.Queries;
import org.wahub.api.Responses;
import org.wahub.auth.Authenticator;
import org.wahub.delivery.InstanceClient;
import org.wahub.instance.InstanceStore;

import java.util.List;

/**
 * {@code GET /instances/:id/inbound}: the messages an instance received, oldest first, keyset-paged
 * ({@code limit} 1–200, {@code after} = an earlier page's {@code nextCursor}). Another tenant's
 * instance is a 404, like every tenant resource.
 */
public final class InboundRoutes {

  private static final String CURSOR_PREFIX = "i1:";

  private final InboundStore store;
  private final InstanceStore instances;

  public InboundRoutes(InboundStore store, InstanceStore instances) {
    this.store = store;
    this.instances = instances;
  }

  public void mount(ApiRoutes routes) {
    routes.get("/instances/:instanceId/inbound", Access.TENANT, ctx -> Responses.json(ctx, 200, list(ctx)));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    String tenantId = Authenticator.requireTenant(ctx);
    var q = ctx.queryParams();
    for (String name : q.names()) {
      if (!List.of("after", "limit").contains(name)) {
        throw ApiError.badRequest("invalid_query", "unknown query parameter '" + name + "'");
      }
    }
    long after = decodeCursor(q.get("after"));
    int limit = Queries.limit(q.get("limit"));
    return InstanceClient.owned(instances, tenantId, ctx.pathParam("instanceId"))
        .compose(instance -> store.messages(instance.id(), after, limit))
        .map(page -> new JsonObject()
            .put("items", new JsonArray(List.copyOf(page.items())))
            .put("nextCursor", page.lastId() == null ? null : encodeCursor(page.lastId())));
  }

  static String encodeCursor(long key) {
    return org.wahub.api.Queries.encodeCursor(CURSOR_PREFIX, key);
  }

  static long decodeCursor(String cursor) {
    return org.wahub.api.Queries.decodeCursor(CURSOR_PREFIX, cursor);
  }
}
