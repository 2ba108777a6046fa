package org.wahub.delivery;

import io.vertx.core.json.JsonObject;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.OperatorReply;

import java.util.Objects;

/** A running instance's typed answer; the routes turn it into HTTP. */
public sealed interface InstanceReply {

  /** The status view ({@code GET /instances/:id/status}). */
  record Status(JsonObject view) implements InstanceReply {
  }

  /** The machine's answer to restart, stop or start. */
  record Operator(OperatorReply reply) implements InstanceReply {
    public Operator {
      Objects.requireNonNull(reply, "reply");
    }
  }

  /** The QR code, or null when the session needs none. */
  record Qr(String qr, InstanceState state) implements InstanceReply {
  }

  /** A provider operation's result. */
  record OperationDone(JsonObject result) implements InstanceReply {
  }

  /** A provider operation refused by the provider (its own error, shaped by the provider's routes). */
  record OperationFailed(Throwable error) implements InstanceReply {
  }

  /** The instance could not answer (its database was unreachable). */
  record Unavailable(String detail) implements InstanceReply {
  }
}
