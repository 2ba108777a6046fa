package org.wahub.intake;

import java.time.OffsetDateTime;

/**
 * A message request that passed validation, on its way to an IdempotencyVerticle. Immutable, so
 * it crosses the local event bus by reference (see {@link LocalCodec}).
 *
 * @param payloadHash SHA-256 over the instance id and the canonical payload: the same key with
 *                    another payload or for another instance is a different request (422)
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
    long receivedAtNanos) {

  /** Requests that carry the same key for the same tenant are the same request, whatever else differs. */
  String dedupeKey() {
    return tenantId + '\u0000' + idempotencyKey;
  }
}
