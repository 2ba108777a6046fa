package org.wahub.webhook;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.wahub.api.Sql;
import org.wahub.hub.webhook.WebhookKeys;
import org.wahub.hub.webhook.WebhookSecret;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * One webhook endpoint row. {@link #toJson()} is the API view: it never contains a secret (they are
 * shown once, by the answer that created or rotated them).
 */
public record Webhook(String id, String tenantId, String instanceId, String url, String description,
                      List<String> eventTypes, String secret, String previousSecret,
                      OffsetDateTime previousSecretExpiresAt, boolean enabled, String disabledReason,
                      OffsetDateTime disabledAt, OffsetDateTime eventsSince, int version,
                      OffsetDateTime createdAt, OffsetDateTime updatedAt) {

  /** What a webhook id looks like ({@code Ids.random("wh")}). */
  public static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("wh_[0-9a-z]{20}");

  /** Why an endpoint is disabled: it answered 410 Gone. */
  public static final String DISABLED_GONE = "gone";
  /** Why an endpoint is disabled: its owner said so (PATCH enabled=false). */
  public static final String DISABLED_BY_OWNER = "disabled";

  static final String COLUMNS = "id, tenant_id, instance_id, url, description, event_types, secret, previous_secret, "
      + "previous_secret_expires_at, enabled, disabled_reason, disabled_at, events_since, version, created_at, updated_at";

  static Webhook from(Row r) {
    String[] types = r.getArrayOfStrings("event_types");
    return new Webhook(r.getString("id"), r.getString("tenant_id"), r.getString("instance_id"), r.getString("url"),
        r.getString("description"), types == null ? List.of() : List.of(types), r.getString("secret"),
        r.getString("previous_secret"), r.getOffsetDateTime("previous_secret_expires_at"), r.getBoolean("enabled"),
        r.getString("disabled_reason"), r.getOffsetDateTime("disabled_at"), r.getOffsetDateTime("events_since"),
        r.getInteger("version"), r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"));
  }

  /** The signing keys as stored. */
  public WebhookKeys keys() {
    return new WebhookKeys(WebhookSecret.parse(secret), previousSecret == null ? null : WebhookSecret.parse(previousSecret),
        previousSecretExpiresAt == null ? null : previousSecretExpiresAt.toInstant());
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("url", url)
        .put("eventTypes", new JsonArray(List.copyOf(eventTypes)))
        .put("instanceId", instanceId)
        .put("description", description)
        .put("enabled", enabled)
        .put("disabledReason", disabledReason)
        .put("disabledAt", Sql.iso(disabledAt))
        .put("previousSecretExpiresAt", Sql.iso(previousSecretExpiresAt))
        .put("createdAt", Sql.iso(createdAt))
        .put("updatedAt", Sql.iso(updatedAt));
  }
}
