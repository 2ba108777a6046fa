/**
 * The life of an instance (one WhatsApp number/session): its state machine
 * ({@link org.wahub.hub.instance.InstanceState}) and the reconnect ladder that decides when and
 * how to restart a lost session ({@link org.wahub.hub.instance.ReconnectLadder}).
 */
package org.wahub.hub.instance;
