/**
 * The decisions of one send: whether the instance may send now ({@link org.wahub.hub.send.SendGate}),
 * which message ({@link org.wahub.hub.send.SendGate#pick}), and what an attempt's outcome means for
 * the message and the instance ({@link org.wahub.hub.send.AttemptResolver}). Pure, clock-driven,
 * tested in virtual time; the instance's verticle only carries the answers out.
 */
package org.wahub.hub.send;
