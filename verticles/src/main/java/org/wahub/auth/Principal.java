package org.wahub.auth;

/** Who is calling: the admin (tenantId null) or a tenant, identified by the key they used. */
public record Principal(String keyId, String tenantId) {

  public boolean isAdmin() {
    return tenantId == null;
  }
}
