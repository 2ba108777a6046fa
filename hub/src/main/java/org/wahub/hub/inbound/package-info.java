/**
 * What the other side of a chat tells the hub, as pure rules: how a provider's receipt moves a sent
 * message (only ever forward, {@link org.wahub.hub.inbound.ReceiptRule}) and how poll votes add up
 * (the newest selection of each voter counts, {@link org.wahub.hub.inbound.PollTally}).
 */
package org.wahub.hub.inbound;
