package org.wahub.provider;

import io.vertx.core.json.JsonObject;
import org.wahub.hub.validation.FieldError;

import java.util.Map;
import java.util.Optional;

/**
 * One kind of WhatsApp engine the hub can drive (DESIGN §7a): its name, its config fields, what it
 * can do, the routes it mounts, and a session per instance. Adding a provider is one package with
 * one of these and a line in {@link ProviderRegistry}.
 */
public interface ProviderType {

  /** The {@code provider.type} value, e.g. {@code simulator}, {@code cloud-api}. */
  String name();

  /** Its config fields, which of them are secrets, and how each is validated. */
  ProviderConfigSpec config();

  /** What an instance with this stored config can do (some capabilities are configurable). */
  ProviderCapabilities capabilities(JsonObject config);

  /** Routes the type mounts (inbound webhooks, adapter streams, fault injection), each with its access. */
  default void mount(ProviderRoutes routes) {
  }

  /**
   * Why no instance of this type can carry this valid message (a poll it cannot map, a kind it has
   * no way to send), or empty. Asked at intake, with no instance in hand, for every type; the
   * intake's own statement then refuses the request for instances of the types that objected, in
   * the round trip that would store it: a 400 at intake without a query of its own.
   *
   * @param kind    the message kind ({@code text}, {@code poll}, {@code template} …)
   * @param content the validated content (see {@code OutboundRequest#content})
   */
  default Optional<FieldError> refuses(String kind, Map<String, Object> content) {
    return Optional.empty();
  }

  /** Opens the session of one instance; called on the instance's own context. */
  ProviderSession open(SessionContext context);
}
