package org.wahub.tenant;

import org.wahub.api.ApiError;
import org.wahub.hub.validation.FieldError;

import java.util.List;
import java.util.Map;

/**
 * The problems of a tenant over a quota. Each names the quota in an extension member
 * ({@code "quota": "instances"|"maxQueueSize"|"acceptedPerMinute"}) and gives its {@code limit}.
 */
public final class QuotaErrors {

  public static final String QUOTA_EXCEEDED = "quota_exceeded";
  public static final String TENANT_RATE_LIMITED = "tenant_rate_limited";

  private QuotaErrors() {
  }

  public static ApiError instances(int limit) {
    return new ApiError(403, QUOTA_EXCEEDED, "Tenant quota exceeded",
        "the tenant already has " + limit + " instance(s), its quota 'instances'; delete one or ask the operator",
        List.of(), Map.of(), Map.of("quota", TenantQuotas.INSTANCES, "limit", limit));
  }

  public static ApiError maxQueueSize(int ceiling) {
    return new ApiError(422, QUOTA_EXCEEDED, "Tenant quota exceeded",
        "maxQueueSize is above the tenant's quota 'maxQueueSize' (" + ceiling + ")",
        List.of(new FieldError("/maxQueueSize", QUOTA_EXCEEDED, "must be at most " + ceiling + " (tenant quota maxQueueSize)")),
        Map.of(), Map.of("quota", TenantQuotas.MAX_QUEUE_SIZE, "limit", ceiling));
  }

  public static ApiError acceptedPerMinute(int limit, long retryAfterSeconds) {
    return new ApiError(429, TENANT_RATE_LIMITED, "Tenant rate limit reached",
        "the tenant may hand at most " + limit + " messages per minute to this node (quota 'acceptedPerMinute'); "
            + "retry after " + retryAfterSeconds + " s",
        List.of(), Map.of("Retry-After", Long.toString(retryAfterSeconds)),
        Map.of("quota", TenantQuotas.ACCEPTED_PER_MINUTE, "limit", limit));
  }
}
