package org.wahub.provider;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.wahub.api.ApiError;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.send.ProviderOutcome;

import java.util.Optional;

/**
 * One instance's connection to its engine. Every method runs on the instance's context and answers
 * with a future; what the engine says on its own (state, receipts) comes back through
 * {@link ProviderEvents}.
 */
public interface ProviderSession {

  /** Opens the session; the state arrives through {@link ProviderEvents#stateChanged}. Fails if it cannot even begin. */
  Future<Void> start();

  /** Restarts the session; completes when it is READY again, fails when the restart failed. */
  Future<Void> restart(RestartType type);

  /** Stops the session because an operator paused the instance: no session, no sends, until started again. */
  Future<Void> stop();

  /**
   * Lets go of the session because the instance's verticle goes away (undeploy, redeploy after a
   * PATCH, hub shutdown): timers and local resources end here. A provider whose session lives in
   * another server (WAHA) leaves that session running, so a hub restart or a changed limit does not
   * disconnect the phone; by default the same as {@link #stop()}.
   */
  default Future<Void> close() {
    return stop();
  }

  /**
   * Hands one message over and says what came of it: {@link ProviderOutcome.Sent},
   * {@link ProviderOutcome.Refused} (an answer with an error) or {@link ProviderOutcome.Lost} (the
   * answer is unknown). A failed future counts as lost: the message may be on the phone.
   */
  Future<ProviderOutcome> send(OutboundMessage message);

  /** The pairing QR code while the session needs one. */
  Future<Optional<String>> qr();

  /**
   * A provider-specific operation asked for through the instance (the simulator's fault injection,
   * a pairing code); fails with an {@link ApiError} when the provider has no such operation.
   */
  default Future<JsonObject> operation(String name, JsonObject body) {
    return Future.failedFuture(ApiError.conflict("unsupported_operation", "this provider has no operation " + name));
  }
}
