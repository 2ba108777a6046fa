package org.wahub.tenant;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.wahub.HubConfig;

/**
 * A tenant's quotas as the admin set them; a null member means "the configured default"
 * (HUB_TENANT_MAX_INSTANCES, HUB_TENANT_MAX_QUEUE_SIZE, HUB_TENANT_ACCEPTED_PER_MINUTE), so
 * changing a default reaches every tenant that has no quota of its own.
 */
public record TenantQuotas(Integer instances, Integer maxQueueSize, Integer acceptedPerMinute) {

  public static final TenantQuotas DEFAULTS = new TenantQuotas(null, null, null);

  /** The names clients see in problems ({@code "quota": …}) and in {@code PATCH /tenants/:id}. */
  public static final String INSTANCES = "instances";
  public static final String MAX_QUEUE_SIZE = "maxQueueSize";
  public static final String ACCEPTED_PER_MINUTE = "acceptedPerMinute";

  /** Upper bounds of what an admin may set; the per-minute counter packs counts into 21 bits. */
  public static final int MAX_INSTANCES = 1_000_000;
  public static final int MAX_QUEUE_SIZE_CEILING = 1_000_000;
  public static final int MAX_ACCEPTED_PER_MINUTE = 1_000_000;

  /** Reads the three nullable columns {@code max_instances, max_queue_size, accepted_per_minute}. */
  public static TenantQuotas from(Row row) {
    return new TenantQuotas(row.getInteger("max_instances"), row.getInteger("max_queue_size"),
        row.getInteger("accepted_per_minute"));
  }

  public int instances(HubConfig config) {
    return instances != null ? instances : config.tenantMaxInstances();
  }

  public int maxQueueSize(HubConfig config) {
    return maxQueueSize != null ? maxQueueSize : config.tenantMaxQueueSize();
  }

  public int acceptedPerMinute(HubConfig config) {
    return acceptedPerMinute != null ? acceptedPerMinute : config.tenantAcceptedPerMinute();
  }

  /** The effective values, plus which of them are the admin's own (the rest follow the defaults). */
  public JsonObject toJson(HubConfig config) {
    JsonObject own = new JsonObject();
    if (instances != null) {
      own.put(INSTANCES, instances);
    }
    if (maxQueueSize != null) {
      own.put(MAX_QUEUE_SIZE, maxQueueSize);
    }
    if (acceptedPerMinute != null) {
      own.put(ACCEPTED_PER_MINUTE, acceptedPerMinute);
    }
    return new JsonObject().put(INSTANCES, instances(config)).put(MAX_QUEUE_SIZE, maxQueueSize(config))
        .put(ACCEPTED_PER_MINUTE, acceptedPerMinute(config)).put("set", own);
  }
}
