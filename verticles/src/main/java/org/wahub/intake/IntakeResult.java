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

  /** No such instance for this tenant: 404. */
  record UnknownInstance() implements IntakeResult {
  }

  /** Nothing was stored: 503 (database unreachable, overloaded) or 500 (a bug). */
  record Failed(Throwable cause) implements IntakeResult {
  }
}
