/** The circuit breaker shared by the send loop and webhook delivery, in virtual time. */
package org.wahub.hub.breaker;
