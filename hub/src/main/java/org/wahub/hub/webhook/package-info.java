/**
 * The rules of outbound webhooks (Standard Webhooks, DESIGN §8): the {@code whsec_} secret and its
 * rotation ({@link org.wahub.hub.webhook.WebhookSecret}, {@link org.wahub.hub.webhook.WebhookKeys}),
 * the {@code v1} signature ({@link org.wahub.hub.webhook.WebhookSigner}), what an endpoint's answer
 * means ({@link org.wahub.hub.webhook.WebhookResponse}), when to try again
 * ({@link org.wahub.hub.webhook.WebhookRetrySchedule}), when to stop trying an endpoint for a while
 * ({@link org.wahub.hub.webhook.EndpointBreaker}), which events an endpoint wants
 * ({@link org.wahub.hub.webhook.EventTypeFilter}) and the states of one delivery
 * ({@link org.wahub.hub.webhook.DeliveryStatus}). Pure: time comes in as an {@code Instant},
 * randomness as a {@code RandomGenerator}.
 */
package org.wahub.hub.webhook;
