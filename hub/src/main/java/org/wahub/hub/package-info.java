/**
 * The pure domain core of wa-hub: the rules that decide when an instance may send, how failures
 * are retried, how reconnects escalate, which message goes next, and what a valid request is.
 *
 * <p>Nothing here does I/O or knows about Vert.x: every time-dependent rule takes an explicit
 * {@code Instant now} and every random choice comes from an injected
 * {@link java.util.random.RandomGenerator}, so the whole core runs in virtual time under test.
 */
package org.wahub.hub;
