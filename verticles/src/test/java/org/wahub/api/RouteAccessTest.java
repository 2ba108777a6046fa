package org.wahub.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wahub.support.Http;
import org.wahub.support.TestHub;
import org.wahub.support.TestPg;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route of the API and the access it takes, as one table: adding a route without declaring
 * its access fails here, and so does a declared access the route does not enforce (each route is
 * called over HTTP without a key and with the wrong kind of key).
 */
@ExtendWith(VertxExtension.class)
class RouteAccessTest {

  static TestHub hub;
  static TestHub.Tenant shop;
  static final String METRICS_KEY = "route-access-metrics-key-0123456789";

  @BeforeAll
  static void start(Vertx vertx) {
    // with a scrape key, so the metrics route's guard has something to enforce
    hub = TestHub.start(vertx, TestPg.newDatabaseUrl(), java.util.Map.of("HUB_METRICS_KEY", METRICS_KEY));
    shop = hub.tenant("route-shop");
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static ApiRoutes.Entry e(HttpMethod m, String path, Access a) {
    return new ApiRoutes.Entry(m, path, a);
  }

  static final List<ApiRoutes.Entry> EXPECTED = List.of(
      e(HttpMethod.GET, "/health/live", Access.PUBLIC),
      e(HttpMethod.GET, "/health/ready", Access.PUBLIC),
      e(HttpMethod.GET, "/health", Access.ANY_KEY),
      e(HttpMethod.GET, "/metrics", Access.METRICS_KEY),
      e(HttpMethod.PATCH, "/tenants/:tenantId", Access.ADMIN),
      e(HttpMethod.POST, "/tenants", Access.ADMIN),
      e(HttpMethod.GET, "/tenants", Access.ADMIN),
      e(HttpMethod.GET, "/tenants/:tenantId", Access.ADMIN),
      e(HttpMethod.POST, "/tenants/:tenantId/keys", Access.ADMIN),
      e(HttpMethod.DELETE, "/tenants/:tenantId/keys/:keyId", Access.ADMIN),
      e(HttpMethod.POST, "/instances", Access.TENANT),
      e(HttpMethod.GET, "/instances", Access.TENANT),
      e(HttpMethod.GET, "/instances/:instanceId", Access.TENANT),
      e(HttpMethod.PATCH, "/instances/:instanceId", Access.TENANT),
      e(HttpMethod.DELETE, "/instances/:instanceId", Access.TENANT),
      e(HttpMethod.GET, "/instances/:instanceId/status", Access.TENANT),
      e(HttpMethod.POST, "/instances/:instanceId/restart", Access.TENANT),
      e(HttpMethod.POST, "/instances/:instanceId/stop", Access.TENANT),
      e(HttpMethod.POST, "/instances/:instanceId/start", Access.TENANT),
      e(HttpMethod.GET, "/instances/:instanceId/qr", Access.TENANT),
      e(HttpMethod.GET, "/instances/:instanceId/inbound", Access.TENANT),
      e(HttpMethod.POST, "/instances/:instanceId/simulate", Access.TENANT),
      e(HttpMethod.GET, "/instances/:instanceId/simulate/log", Access.TENANT),
      e(HttpMethod.POST, "/instances/:instanceId/pairing-code", Access.TENANT),
      e(HttpMethod.POST, "/providers/waha/:instanceId/webhook", Access.PROVIDER_SIGNATURE),
      e(HttpMethod.GET, "/instances/:instanceId/adapter/stream", Access.ADAPTER_TOKEN),
      e(HttpMethod.POST, "/instances/:instanceId/adapter/events", Access.ADAPTER_TOKEN),
      e(HttpMethod.POST, "/messages/:messageId/ack", Access.ADAPTER_TOKEN),
      e(HttpMethod.POST, "/messages/:messageId/confirm", Access.ADAPTER_TOKEN),
      e(HttpMethod.POST, "/messages/:messageId/fail", Access.ADAPTER_TOKEN),
      e(HttpMethod.GET, "/providers/cloud-api/:instanceId/webhook", Access.PROVIDER_SIGNATURE),
      e(HttpMethod.POST, "/providers/cloud-api/:instanceId/webhook", Access.PROVIDER_SIGNATURE),
      e(HttpMethod.POST, "/instances/:instanceId/messages", Access.TENANT),
      e(HttpMethod.POST, "/instances/:instanceId/polls", Access.TENANT),
      e(HttpMethod.GET, "/messages", Access.TENANT),
      e(HttpMethod.GET, "/messages/:messageId", Access.TENANT),
      e(HttpMethod.POST, "/messages/retry", Access.TENANT),
      e(HttpMethod.POST, "/messages/:messageId/retry", Access.TENANT),
      e(HttpMethod.POST, "/messages/:messageId/cancel", Access.TENANT),
      e(HttpMethod.DELETE, "/messages/:messageId", Access.TENANT),
      e(HttpMethod.POST, "/webhooks", Access.TENANT),
      e(HttpMethod.GET, "/webhooks", Access.TENANT),
      e(HttpMethod.GET, "/webhooks/:webhookId", Access.TENANT),
      e(HttpMethod.PATCH, "/webhooks/:webhookId", Access.TENANT),
      e(HttpMethod.DELETE, "/webhooks/:webhookId", Access.TENANT),
      e(HttpMethod.POST, "/webhooks/:webhookId/rotate-secret", Access.TENANT),
      e(HttpMethod.POST, "/webhooks/:webhookId/test", Access.TENANT),
      e(HttpMethod.GET, "/webhooks/:webhookId/deliveries", Access.TENANT),
      e(HttpMethod.POST, "/webhooks/:webhookId/deliveries/:deliveryId/replay", Access.TENANT),
      e(HttpMethod.GET, "/events", Access.TENANT),
      e(HttpMethod.GET, "/", Access.PUBLIC),
      e(HttpMethod.GET, "/assets/*", Access.PUBLIC),
      e(HttpMethod.GET, "/openapi.json", Access.PUBLIC));

  @Test
  void everyRouteIsDeclaredWithItsAccess() {
    assertThat(hub.hub.routeTable()).containsExactlyInAnyOrderElementsOf(EXPECTED);
  }

  @Test
  void everyRouteEnforcesItsAccess() {
    Http http = hub.http;
    int checked = 0;
    for (ApiRoutes.Entry entry : hub.hub.routeTable()) {
      String path = entry.path().replaceAll(":[A-Za-z]+", "does-not-exist");
      String what = entry.method() + " " + entry.path();
      int anonymous = http.send(entry.method().name(), path, null, "{}", "application/json", java.util.Map.of()).status();
      switch (entry.access()) {
        case PUBLIC -> assertThat(anonymous).as(what).isNotIn(401, 403);
        case ADMIN -> {
          assertThat(anonymous).as(what).isEqualTo(401);
          assertThat(http.send(entry.method().name(), path, shop.key(), "{}", "application/json", java.util.Map.of()).status()).as(what + " with a tenant key").isEqualTo(403);
        }
        case TENANT -> {
          assertThat(anonymous).as(what).isEqualTo(401);
          assertThat(http.send(entry.method().name(), path, TestHub.ADMIN_KEY, "{}", "application/json", java.util.Map.of()).status()).as(what + " with the admin key").isEqualTo(403);
        }
        case ANY_KEY, ADAPTER_TOKEN, PROVIDER_SIGNATURE -> assertThat(anonymous).as(what).isEqualTo(401);
        case METRICS_KEY -> {
          // API keys do not open it; only the configured scrape key does
          assertThat(anonymous).as(what).isEqualTo(401);
          assertThat(http.send(entry.method().name(), path, TestHub.ADMIN_KEY, null, null, java.util.Map.of()).status())
              .as(what + " with the admin key").isEqualTo(401);
          assertThat(http.send(entry.method().name(), path, shop.key(), null, null, java.util.Map.of()).status())
              .as(what + " with a tenant key").isEqualTo(401);
          assertThat(http.send(entry.method().name(), path, METRICS_KEY, null, null, java.util.Map.of()).status())
              .as(what + " with the metrics key").isEqualTo(200);
        }
      }
      checked++;
    }
    assertThat(checked).isEqualTo(EXPECTED.size());
  }
}
