/**
 * Send-rate rules of one instance: exact sliding-window limits over attempts
 * ({@link org.wahub.hub.limit.RollingWindowLimiter}) and the minimum gap with jitter between two
 * sends ({@link org.wahub.hub.limit.Pacer}). The steady send loop may send only when both agree.
 */
package org.wahub.hub.limit;
