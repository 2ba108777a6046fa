package org.wahub.delivery;

import io.vertx.core.json.JsonObject;
import org.wahub.hub.instance.RestartType;

import java.util.Objects;

/** What others may ask a running instance over {@link org.wahub.Addresses#instanceOps}. */
public sealed interface InstanceRequest {

  record Status() implements InstanceRequest {
  }

  record Restart(RestartType type) implements InstanceRequest {
    public Restart {
      Objects.requireNonNull(type, "type");
    }
  }

  record Stop() implements InstanceRequest {
  }

  record Start() implements InstanceRequest {
  }

  record Qr() implements InstanceRequest {
  }

  /** A provider-specific operation (e.g. the simulator's fault injection), handed to the session. */
  record ProviderOperation(String name, JsonObject body) implements InstanceRequest {
    public ProviderOperation {
      Objects.requireNonNull(name, "name");
      body = body == null ? new JsonObject() : body.copy();
    }
  }
}
