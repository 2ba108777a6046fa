package org.wahub.provider;

import org.wahub.hub.retry.SendError;

/**
 * A send that failed in a retriable way. {@code maybeDelivered} is true when the message may have
 * reached WhatsApp anyway (timeout or crash after hand-off): the in-doubt rule then applies.
 */
public final class SendFailure extends RuntimeException {

  private final SendError error;
  private final boolean maybeDelivered;

  public SendFailure(SendError error, boolean maybeDelivered) {
    super(error.code() + ": " + error.reason(), null, false, false);
    this.error = error;
    this.maybeDelivered = maybeDelivered;
  }

  public SendError error() {
    return error;
  }

  public boolean maybeDelivered() {
    return maybeDelivered;
  }
}
