package org.wahub.api;

/** Who may call a route. Declared per route in {@link ApiRoutes}; never inferred from a path prefix. */
public enum Access {
  /** No credentials (probes, the dashboard's files). */
  PUBLIC,
  /** The admin key: tenants and their keys. */
  ADMIN,
  /** A tenant key: the tenant's own instances, messages, webhooks and events. */
  TENANT,
  /** Any valid key; the handler scopes what it shows (e.g. health: all for the admin, own for a tenant). */
  ANY_KEY,
  /** An instance's adapter token (the adapter protocol), checked by the route's own guard. */
  ADAPTER_TOKEN,
  /** A provider's request signature (inbound webhooks), checked by the route's own guard. */
  PROVIDER_SIGNATURE,
  /**
   * The operator's scrape key ({@code HUB_METRICS_KEY}), checked by the route's own guard; no
   * credentials at all while that key is not configured. API keys do not open it: a Prometheus
   * config holds a key that can read metrics and nothing else.
   */
  METRICS_KEY
}
