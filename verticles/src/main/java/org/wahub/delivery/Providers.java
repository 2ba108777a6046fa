package org.wahub.delivery;

import org.wahub.instance.Instance;
import org.wahub.provider.MissingProvider;
import org.wahub.provider.SimulatorLog;
import org.wahub.provider.SimulatorProvider;

/** Picks the provider implementation for an instance's provider type. */
public final class Providers {

  private Providers() {
  }

  public static InstanceVerticle.ProviderFactory forInstance(Instance instance) {
    return (verticle, pool) -> switch (instance.providerType()) {
      case "simulator" -> new SimulatorProvider(verticle.vertxInstance(), instance.id(), instance.providerConfig(),
          new SimulatorLog(pool), verticle);
      default -> new MissingProvider(instance.providerType(), verticle);
    };
  }
}
