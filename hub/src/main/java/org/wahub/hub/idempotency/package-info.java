/**
 * "The same request" made precise: a canonical JSON form of a payload
 * ({@link org.wahub.hub.idempotency.CanonicalJson}) and the explicit and derived idempotency
 * keys built on it ({@link org.wahub.hub.idempotency.IdempotencyKey}).
 */
package org.wahub.hub.idempotency;
