package org.wahub.provider;

import io.vertx.core.Future;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.ProviderOutcome;

import java.util.Optional;

/**
 * The session of a provider type whose engine this build cannot drive yet. It says so truthfully:
 * the instance goes to FAILED with that reason and its messages stay queued — nothing is sent and
 * nothing is lost.
 */
public final class MissingSession implements ProviderSession {

  private final String type;
  private final ProviderEvents events;

  public MissingSession(String type, ProviderEvents events) {
    this.type = type;
    this.events = events;
  }

  private String reason() {
    return "provider type '" + type + "' is not available in this build; messages stay queued";
  }

  @Override
  public Future<Void> start() {
    events.stateChanged(InstanceState.FAILED, reason());
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> restart(RestartType restartType) {
    return Future.failedFuture(reason());
  }

  @Override
  public Future<Void> stop() {
    return Future.succeededFuture();
  }

  @Override
  public Future<ProviderOutcome> send(OutboundMessage message) {
    return Future.succeededFuture(new ProviderOutcome.Refused(
        SendError.retriable(SendError.PROVIDER_UNAVAILABLE, reason())));
  }

  @Override
  public Future<Optional<String>> qr() {
    return Future.succeededFuture(Optional.empty());
  }
}
