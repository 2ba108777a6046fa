package org.wahub.provider.cloudapi;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.ProviderOutcome;
import org.wahub.outbound.OutboundRefused;
import org.wahub.provider.Inbound;
import org.wahub.provider.OutboundMessage;
import org.wahub.provider.ProviderSession;
import org.wahub.provider.SessionContext;

import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * One instance on Meta's Cloud API. There is no session to pair: start and restart check the
 * phone number id and the token with one Graph call (READY on success, AUTH_FAILURE when Meta
 * refuses the token or the account, a failed start otherwise, which the reconnect ladder retries);
 * a send is one Graph call whose answer is sorted by {@link GraphErrors}; the webhook's events
 * arrive as the {@value #WEBHOOK} operation (from {@link CloudApiRoutes}, after the signature was
 * checked) and go to the instance as {@link Inbound} events.
 *
 * <p>Graph does not deduplicate by a client id, so a send whose answer is lost is in doubt
 * (DESIGN §4): a time-out after the request went out, a broken connection, or a 5xx without a Graph
 * error body. Refusals before anything was sent (connection refused, the outbound guard's policy)
 * are plain retriable errors. Runs on its instance's context; every call is non-blocking.
 */
final class CloudApiSession implements ProviderSession {

  static final String WEBHOOK = "webhook";
  private static final Logger LOG = LoggerFactory.getLogger(CloudApiSession.class);

  private final SessionContext context;
  private final GraphClient graph;
  private final String phoneNumberId;
  private final String listButton;
  private boolean stopped;

  CloudApiSession(SessionContext context) {
    this.context = context;
    JsonObject config = context.config();
    this.phoneNumberId = config.getString("phoneNumberId", "");
    this.listButton = config.getString("listButtonText");
    // answer before the send loop's own time-out, so a slow Graph shows as such and not as silence
    Duration guardTimeout = context.outbound().policy().totalTimeout();
    Duration loopTimeout = Duration.ofMillis(Math.max(1_000, context.hub().sendTimeoutMs() - 500));
    this.graph = new GraphClient(context.outbound(), config.getString("baseUrl", CloudApiType.DEFAULT_BASE_URL),
        config.getString("apiVersion", CloudApiType.DEFAULT_API_VERSION), phoneNumberId,
        config.getString("accessToken"), guardTimeout.compareTo(loopTimeout) < 0 ? guardTimeout : loopTimeout);
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public Future<Void> start() {
    stopped = false;
    return check().compose(state -> {
      context.events().stateChanged(state.state, state.reason);
      return Future.<Void>succeededFuture();
    });
  }

  @Override
  public Future<Void> restart(RestartType type) {
    // soft and hard are the same here: there is no connection to drop, only the check to repeat
    stopped = false;
    return check().compose(state -> {
      if (state.state == InstanceState.READY) {
        return Future.<Void>succeededFuture(); // the instance moves to READY with the restart's success
      }
      context.events().stateChanged(state.state, state.reason);
      return Future.<Void>failedFuture(state.reason);
    });
  }

  @Override
  public Future<Void> stop() {
    stopped = true;
    return Future.succeededFuture();
  }

  @Override
  public Future<Optional<String>> qr() {
    return Future.succeededFuture(Optional.empty());
  }

  private record Checked(InstanceState state, String reason) {
  }

  /** READY or AUTH_FAILURE from Graph's answer; a failed future when Graph could not say (retried). */
  private Future<Checked> check() {
    return graph.phoneNumber().recover(err -> Future.failedFuture(transportReason(err))).compose(answer -> {
      if (answer.ok()) {
        return Future.succeededFuture(new Checked(InstanceState.READY, "Graph accepted phone number id " + phoneNumberId));
      }
      if (GraphErrors.isAccountProblem(answer.status(), answer.json())) {
        JsonObject error = GraphErrors.graphError(answer.json());
        String why = error == null ? "HTTP " + answer.status() : "Graph " + GraphErrors.code(error) + ": " + GraphErrors.text(error);
        return Future.succeededFuture(new Checked(InstanceState.AUTH_FAILURE,
            "Meta refused the access token or the account for phone number id " + phoneNumberId + " (" + why + ")"));
      }
      JsonObject error = GraphErrors.graphError(answer.json());
      return Future.failedFuture("Graph answered HTTP " + answer.status()
          + (error == null ? "" : " (" + GraphErrors.code(error) + ": " + GraphErrors.text(error) + ")"));
    });
  }

  // ---------------------------------------------------------------- sending

  @Override
  public Future<ProviderOutcome> send(OutboundMessage m) {
    if (stopped) {
      return Future.succeededFuture(new ProviderOutcome.Refused(SendError.retriable(SendError.DISCONNECTED,
          "the cloud-api session is stopped")));
    }
    JsonObject body;
    try {
      body = CloudApiMessages.body(m.recipient(), m.kind(), m.content(), listButton);
    } catch (CloudApiMessages.Unsupported e) {
      return Future.succeededFuture(new ProviderOutcome.Refused(SendError.permanent(SendError.UNSUPPORTED, e.getMessage())));
    }
    return graph.sendMessage(body)
        .map(answer -> outcome(answer, m.attempt()))
        .otherwise(CloudApiSession::transportOutcome);
  }

  /** Graph's answer to a send: the wamid, an error sorted by its code, or lost (5xx without an error body). */
  static ProviderOutcome outcome(GraphClient.Answer answer, int attempt) {
    if (answer.ok()) {
      String wamid = wamid(answer.json());
      return wamid != null
          ? new ProviderOutcome.Sent(wamid)
          // accepted, but whatever Meta called it is unknown: receipts could not be matched, a resend
          // would duplicate; the in-doubt rule lets a human decide
          : new ProviderOutcome.Lost(SendError.retriable(SendError.UNKNOWN, "Graph answered HTTP " + answer.status()
              + " without a message id"));
    }
    if (answer.status() >= 500 && GraphErrors.graphError(answer.json()) == null) {
      return new ProviderOutcome.Lost(SendError.retriable(SendError.PROVIDER_UNAVAILABLE,
          "Graph answered HTTP " + answer.status() + " without an error body; the message may have been taken"));
    }
    return new ProviderOutcome.Refused(GraphErrors.fromAnswer(answer.status(), answer.json(),
        GraphErrors.retryAfter(answer.headers().get("Retry-After")), attempt));
  }

  private static String wamid(JsonObject json) {
    if (json == null || json.getJsonArray("messages") == null || json.getJsonArray("messages").isEmpty()) {
      return null;
    }
    Object first = json.getJsonArray("messages").getValue(0);
    return first instanceof JsonObject o && o.getValue("id") instanceof String id && !id.isBlank() ? id : null;
  }

  /**
   * A call that got no answer. Before the request left (refused connection, the guard's policy, an
   * unresolvable host) nothing was sent: retriable. After (a time-out, a reset): lost.
   */
  static ProviderOutcome transportOutcome(Throwable err) {
    if (err instanceof ConnectException) {
      return new ProviderOutcome.Refused(SendError.retriable(SendError.NETWORK, "Graph refused the connection"));
    }
    if (err instanceof OutboundRefused r && !OutboundRefused.TIMEOUT.equals(r.code()) && !OutboundRefused.TOO_LARGE.equals(r.code())) {
      return new ProviderOutcome.Refused(SendError.retriable(r.code(), "not sent: " + r.getMessage()));
    }
    if (err instanceof OutboundRefused r) {
      return new ProviderOutcome.Lost(SendError.retriable(r.code(), "sent, no usable answer: " + r.getMessage()));
    }
    return new ProviderOutcome.Lost(SendError.retriable(SendError.NETWORK, "sent, then the connection failed: "
        + err.getClass().getSimpleName()));
  }

  private static Throwable transportReason(Throwable err) {
    // the exception's own text may carry the URL: name the kind of failure only
    return new IllegalStateException("Graph not reachable: " + (err instanceof OutboundRefused r
        ? r.code() + " (" + r.getMessage() + ")" : err.getClass().getSimpleName()), null);
  }

  // ---------------------------------------------------------------- the webhook

  /** The {@value #WEBHOOK} operation: a verified payload from {@link CloudApiRoutes}, mapped and handed on. */
  @Override
  public Future<JsonObject> operation(String name, JsonObject body) {
    if (!WEBHOOK.equals(name)) {
      return ProviderSession.super.operation(name, body);
    }
    CloudApiWebhook.Mapped mapped = CloudApiWebhook.map(body, phoneNumberId, Instant.now());
    if (mapped.otherNumbers() > 0) {
      LOG.warn("cloud-api webhook carried changes for other phone numbers {} {}", kv("instanceId", context.instanceId()),
          kv("changes", mapped.otherNumbers()));
    }
    // Meta sends a webhook again until it gets a 200: answer only once everything in it is stored
    return context.events().inboundAll(mapped.events()).map(v -> mapped.summary());
  }
}
