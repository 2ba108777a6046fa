package org.wahub.auth;

import org.wahub.tenant.TenantQuotas;

/**
 * Who is calling: the admin (tenantId null) or a tenant, identified by the key they used. A
 * tenant's quotas come with it, read in the same query as the key, so enforcing them on the
 * intake path costs no query of its own.
 */
public record Principal(String keyId, String tenantId, TenantQuotas quotas) {

  public Principal {
    if (quotas == null) {
      quotas = TenantQuotas.DEFAULTS;
    }
  }

  public Principal(String keyId, String tenantId) {
    this(keyId, tenantId, TenantQuotas.DEFAULTS);
  }

  public boolean isAdmin() {
    return tenantId == null;
  }
}
