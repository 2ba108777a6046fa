package org.wahub.provider;

import io.vertx.core.Future;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.retry.SendError;

import java.util.Optional;

/**
 * Stands in for a provider type this build cannot drive yet (cloud-api, waha and adapter arrive
 * with their own issues). It says so truthfully: the instance goes to FAILED with that reason, and
 * its messages stay queued — nothing is sent and nothing is lost.
 */
public final class MissingProvider implements Provider {

  private final String type;
  private final ProviderEvents events;

  public MissingProvider(String type, ProviderEvents events) {
    this.type = type;
    this.events = events;
  }

  private String reason() {
    return "provider type '" + type + "' is not available in this build; messages stay queued";
  }

  @Override
  public boolean deduplicatesByMessageId() {
    return false;
  }

  @Override
  public Future<Void> start() {
    events.stateChanged(InstanceState.FAILED, reason());
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> restart(RestartType type) {
    return Future.failedFuture(reason());
  }

  @Override
  public Future<Void> stop() {
    return Future.succeededFuture();
  }

  @Override
  public Future<SendOutcome> send(OutboundMessage message) {
    return Future.failedFuture(new SendFailure(SendError.retriable(SendError.PROVIDER_UNAVAILABLE, reason()), false));
  }

  @Override
  public Optional<String> qr() {
    return Optional.empty();
  }
}
