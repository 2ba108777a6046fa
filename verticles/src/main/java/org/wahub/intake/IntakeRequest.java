package org.wahub.intake;

import java.time.OffsetDateTime;

/**
 * A message request that passed validation, on its way to an IdempotencyVerticle. Immutable, so
 * it crosses the local event bus by reference (see {@link LocalCodec}).
 *
 * @param payloadHash SHA-256 over the instance id and the canonical payload: the same key with
 *                    another payload or for another instance is a different request (422)
 * @param refusedBy   the provider types that cannot carry this message, comma-separated, or null
 *                    (the common case): the intake refuses it for their instances
 */
public record IntakeRequest(
    String requestId,
    String tenantId,
    String instanceId,
    String idempotencyKey,
    boolean keyDerived,
    String payloadHash,
    String kind,
    String chatId,
    String recipient,
    String payloadJson,
    String metadataJson,
    OffsetDateTime sendAt,
    OffsetDateTime expiresAt,
    String refusedBy,
    long receivedAtNanos) {

  /** Requests that carry the same key for the same tenant are the same request, whatever else differs. */
  String dedupeKey() {
    return tenantId + '\u0000' + idempotencyKey;
  }

  /** The database's unique key for (tenant, idempotency key): 128 bits of their SHA-256. */
  java.util.UUID dedupeId() {
    return dedupeId(tenantId, idempotencyKey);
  }

  static java.util.UUID dedupeId(String tenantId, String key) {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      byte[] t = tenantId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      sha.update((byte) (t.length >>> 8));
      sha.update((byte) t.length);
      sha.update(t);
      byte[] d = sha.digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(d);
      return new java.util.UUID(b.getLong(), b.getLong());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
