package org.wahub.provider;

import io.vertx.core.Vertx;
import org.wahub.api.ApiRoutes;
import io.vertx.sqlclient.Pool;
import org.wahub.HubConfig;
import org.wahub.delivery.InstanceClient;
import org.wahub.instance.InstanceStore;

/**
 * What a provider type needs to mount its routes: the API routes (each declared with its access), the pool, the instances (to check a
 * tenant owns one) and the client that asks a running instance.
 */
public record ProviderRoutes(Vertx vertx, HubConfig hub, ApiRoutes api, Pool pool, InstanceStore instances, InstanceClient client) {
}
