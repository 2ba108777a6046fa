package org.wahub.provider;

import org.wahub.outbound.OutboundGuard;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.wahub.HubConfig;

/**
 * What a session gets when it is opened: the Vert.x of the instance's context, the instance, its
 * stored provider config (secrets included), the database pool, and where to report.
 */
public record SessionContext(Vertx vertx, HubConfig hub, String instanceId, JsonObject config, Pool pool, ProviderEvents events,
                             OutboundGuard outbound) {
}
