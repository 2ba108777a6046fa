package org.wahub.intake;

import io.vertx.core.json.JsonObject;

/** What the intake answers for one request; the API maps each case to one HTTP answer. */
public sealed interface IntakeResult {

  /** Committed now: 202. */
  record Accepted(String id) implements IntakeResult {
  }

  /** The key is known and its message still pending: 202 with Idempotent-Replayed. */
  record Replayed(String id, String status) implements IntakeResult {
  }

  /** The key is known and its message is done (sent, failed, …): 200 with the message. */
  record Completed(JsonObject message) implements IntakeResult {
  }

  /** The key is known with another payload or instance: 422. */
  record KeyConflict(String key) implements IntakeResult {
  }

  /** The instance already holds its cap of pending messages: 429. */
  record QueueFull(int cap, long retryAfterSeconds) implements IntakeResult {
  }

  /** The instance's provider cannot carry this message (see {@code ProviderType#refuses}): 400. */
  record Unsupported(String providerType) implements IntakeResult {
  }

  /** No such instance for this tenant: 404. */
  record UnknownInstance() implements IntakeResult {
  }

  /**
   * The intake's own reason for not taking a request now (shutting down, overloaded, waited too
   * long). Its text is written for API clients; any other cause is never shown to them.
   */
  final class Unavailable extends RuntimeException {
    public Unavailable(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Nothing was stored: 503 (database unreachable, overloaded) or 500 (a bug). */
  record Failed(Throwable cause) implements IntakeResult {
  }
}
