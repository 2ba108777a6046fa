/**
 * The life of one accepted message ({@link org.wahub.hub.message.MessageStatus}) and the rule
 * that picks which queued message an instance sends next while keeping every chat in FIFO order
 * ({@link org.wahub.hub.message.ChatOrder}).
 */
package org.wahub.hub.message;
