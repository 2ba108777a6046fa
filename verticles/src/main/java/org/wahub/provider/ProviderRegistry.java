package org.wahub.provider;

import org.wahub.provider.adapter.AdapterType;
import org.wahub.provider.cloudapi.CloudApiType;
import org.wahub.provider.simulator.SimulatorType;
import org.wahub.provider.waha.WahaType;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every provider type this build knows, by name. Adding a provider is one line here. */
public final class ProviderRegistry {

  private static final ProviderRegistry DEFAULT = new ProviderRegistry(List.of(
      new SimulatorType(),
      new CloudApiType(),
      new WahaType(),
      new AdapterType()));

  private final Map<String, ProviderType> types;

  public ProviderRegistry(List<ProviderType> types) {
    this.types = types.stream().collect(Collectors.toUnmodifiableMap(ProviderType::name, Function.identity()));
  }

  public static ProviderRegistry defaults() {
    return DEFAULT;
  }

  public Optional<ProviderType> find(String name) {
    return Optional.ofNullable(name == null ? null : types.get(name));
  }

  /** The type of a stored instance (its name was validated when it was stored). */
  public ProviderType get(String name) {
    return find(name).orElseThrow(() -> new IllegalStateException("unknown provider type " + name));
  }

  public SortedSet<String> names() {
    return new TreeSet<>(types.keySet());
  }

  public List<ProviderType> all() {
    return List.copyOf(types.values());
  }
}
