/**
 * What happens after a failed send attempt: the error's classification
 * ({@link org.wahub.hub.retry.SendError}) and the exponential back-off ladder with its attempt
 * budget ({@link org.wahub.hub.retry.RetryPolicy}).
 */
package org.wahub.hub.retry;
