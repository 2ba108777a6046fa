/**
 * Domain events as the outside sees them (DESIGN §8): their types ({@link org.wahub.hub.event.EventType}),
 * their positions in the ordered outbox ({@link org.wahub.hub.event.EventPosition}), the rule that says
 * which events a change emits ({@link org.wahub.hub.event.EventRules}) and a reader's filter
 * ({@link org.wahub.hub.event.EventFilter}).
 */
package org.wahub.hub.event;
