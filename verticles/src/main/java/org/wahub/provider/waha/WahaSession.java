package org.wahub.provider.waha;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.api.ApiError;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.retry.SendError;
import org.wahub.hub.send.ProviderOutcome;
import org.wahub.provider.OutboundMessage;
import org.wahub.provider.ProviderEvents;
import org.wahub.provider.ProviderSession;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * One instance's WAHA session (PROVIDERS.md §2). The session itself lives in the WAHA server; this
 * class keeps it the way the hub wants it and tells the instance what it is:
 *
 * <ul>
 * <li><b>start</b>: the session exists (created with {@code start: true} sent explicitly), carries
 *     the hub's webhook (with the HMAC key) and runs; its status is reported through
 *     {@link WahaStatus}.</li>
 * <li><b>soft restart</b> = WAHA's {@code restart}; <b>hard</b> = {@code stop}, then the same as a
 *     start. Either completes when WAHA reports WORKING again, fails when it reports FAILED or a
 *     status only a person can end (QR, passkey); otherwise the instance's restart time-out decides.</li>
 * <li><b>status</b> comes from the webhook ({@code session.status}) and from a poll, re-armed with
 *     one one-shot timer (quick while starting, every 30 s while working): the poll keeps the state
 *     right when a webhook is lost or the hub has no HUB_PUBLIC_URL.</li>
 * <li><b>stop</b> (an operator's) stops the WAHA session; <b>close</b> (undeploy, redeploy, hub
 *     shutdown) leaves it running, so a hub restart or a PATCH does not disconnect the phone.</li>
 * </ul>
 *
 * <p>Every method and callback runs on the instance's context ({@link WahaClient} hands answers
 * back there), so the fields need no synchronization.
 */
public final class WahaSession implements ProviderSession {

  private static final Logger LOG = LoggerFactory.getLogger(WahaSession.class);
  /** Said once per process, not once per instance: it is the operator's setting, not the instance's. */
  private static final AtomicBoolean NO_PUBLIC_URL_SAID = new AtomicBoolean();
  /** Webhook events remembered for the quick replay check (the instance's inbound store dedupes for good). */
  private static final int SEEN_EVENTS = 1024;
  /** Polls that got no answer in a row before the hub calls the session lost. */
  private static final int UNREACHABLE_POLLS = 2;
  private static final Duration UNANSWERED_POLL_AFTER = Duration.ofSeconds(10);

  static final String OP_WEBHOOK = "webhook";
  static final String OP_PAIRING_CODE = "pairing-code";

  private final Vertx vertx;
  private final String instanceId;
  private final ProviderEvents events;
  private final WahaClient client;
  private final String session;
  /** Where WAHA posts this session's events, null when the hub configures no webhook. */
  private final String webhookUrl;
  private final String hmacKey;
  private final Map<String, Boolean> seen = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > SEEN_EVENTS;
    }
  };

  /** WAHA's last known status; null until heard (and after WAHA could not be asked). */
  private String status;
  /** The state this session last reported to the instance. */
  private InstanceState believed;
  /** Started and neither stopped nor closed since. */
  private boolean running;
  private boolean closed;
  /** WAHA refused the API key: no polling until an operator's start or restart. */
  private boolean refused;
  private long pollTimer = -1;
  private boolean polling;
  private int unreachable;
  /** The restart under way, completed by the status WAHA reports. */
  private Promise<Void> restart;

  WahaSession(Vertx vertx, String instanceId, ProviderEvents events, WahaClient client, String webhookUrl,
              String hmacKey) {
    this.vertx = vertx;
    this.instanceId = instanceId;
    this.events = events;
    this.client = client;
    this.session = client.session();
    this.hmacKey = hmacKey == null || hmacKey.isEmpty() ? null : hmacKey;
    this.webhookUrl = this.hmacKey == null ? null : webhookUrl;
    if (webhookUrl == null && NO_PUBLIC_URL_SAID.compareAndSet(false, true)) {
      LOG.warn("HUB_PUBLIC_URL is not set: waha sessions get no webhook (no inbound messages, receipts or votes; "
          + "their status is polled)");
    } else if (webhookUrl != null && this.hmacKey == null) {
      LOG.warn("waha instance without webhookHmacKey: no webhook is configured, since unsigned events cannot be "
          + "trusted (no inbound messages, receipts or votes; the status is polled) {}", kv("instanceId", instanceId));
    }
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public Future<Void> start() {
    running = true;
    refused = false;
    status = null;
    believed = InstanceState.STARTING;
    return ensure()
        .onSuccess(answer -> observe(statusOf(answer)))
        .onFailure(this::lifecycleFailed)
        .eventually(() -> {
          schedulePoll(WahaStatus.pollAfter(status));
          return Future.succeededFuture();
        })
        .mapEmpty();
  }

  @Override
  public Future<Void> restart(RestartType type) {
    if (restart != null) {
      restart.tryFail("superseded by a newer restart");
    }
    Promise<Void> done = Promise.promise();
    restart = done;
    running = true;
    refused = false;
    status = null;
    Future<WahaClient.Answer> call = type == RestartType.SOFT ? softRestart() : hardRestart();
    call.onComplete(ar -> {
      if (restart != done) {
        return; // superseded, stopped or closed meanwhile
      }
      if (ar.failed()) {
        restart = null;
        lifecycleFailed(ar.cause());
        done.tryFail(ar.cause());
        return;
      }
      observe(statusOf(ar.result()));
      schedulePoll(WahaStatus.pollAfter(status));
    });
    return done.future();
  }

  /** An operator paused the instance: the WAHA session stops too (it keeps its login). */
  @Override
  public Future<Void> stop() {
    running = false;
    cancelPoll();
    endRestart("the instance was stopped");
    return client.stop().compose(a -> a.ok() || a.status() == 404 ? Future.<Void>succeededFuture() : failed(a));
  }

  /** The instance's verticle goes away: the WAHA session keeps running (see the class comment). */
  @Override
  public Future<Void> close() {
    closed = true;
    running = false;
    cancelPoll();
    endRestart("the instance is being undeployed");
    return Future.succeededFuture();
  }

  /** A soft restart is WAHA's own; a session that vanished is created again. */
  private Future<WahaClient.Answer> softRestart() {
    return client.restart().compose(a -> {
      if (a.ok()) {
        return Future.succeededFuture(a);
      }
      return a.status() == 404 ? ensure() : failed(a);
    });
  }

  /** Stop (a missing session is stopped enough), then everything a start does. */
  private Future<WahaClient.Answer> hardRestart() {
    return client.stop().compose(a -> a.ok() || a.status() == 404 ? ensure() : failed(a));
  }

  /**
   * Makes the session exist, carry the hub's webhook and run. Answers with WAHA's last word on the
   * session (its status inside).
   */
  private Future<WahaClient.Answer> ensure() {
    return client.getSession().compose(found -> {
      if (found.status() == 404) {
        return create();
      }
      if (!found.ok()) {
        return failed(found);
      }
      JsonObject existing = found.json() != null && found.json().getValue("config") instanceof JsonObject c ? c : null;
      JsonObject wanted = withWebhook(existing);
      Future<WahaClient.Answer> configured = wanted == null ? Future.succeededFuture(found)
          : client.updateSession(wanted).compose(put -> put.ok() ? Future.succeededFuture(put) : failed(put));
      return configured.compose(latest -> {
        String now = statusOf(latest) != null ? statusOf(latest) : statusOf(found);
        if (WahaStatus.STOPPED.equals(now)) {
          return checked(client.start());
        }
        if (WahaStatus.FAILED.equals(now)) {
          return checked(client.restart()); // WAHA's advice for FAILED
        }
        return Future.succeededFuture(latest);
      });
    });
  }

  private Future<WahaClient.Answer> create() {
    return client.createSession(withWebhook(null)).compose(created -> {
      if (created.ok()) {
        return Future.succeededFuture(created);
      }
      if (created.status() == 422 && !WahaErrors.coreOnly(WahaErrors.detail(created.text()))) {
        // created meanwhile by someone else ("… Use PUT to update it."): start what is there
        return checked(client.start());
      }
      return failed(created);
    });
  }

  /**
   * The session's config with the hub's webhook in it, or null when nothing needs to change (it is
   * there already, or the hub configures no webhook). Webhooks of others are kept; an older hub
   * webhook of this instance is replaced. Null members are dropped: WAHA treats them as unset.
   */
  JsonObject withWebhook(JsonObject existing) {
    if (webhookUrl == null) {
      return null;
    }
    JsonObject ours = new JsonObject().put("url", webhookUrl).put("events", new JsonArray(WahaWebhook.EVENTS))
        .put("hmac", new JsonObject().put("key", hmacKey));
    JsonObject config = new JsonObject();
    if (existing != null) {
      existing.forEach(e -> {
        if (e.getValue() != null) {
          config.put(e.getKey(), e.getValue());
        }
      });
    }
    JsonArray hooks = new JsonArray();
    boolean present = false;
    int ourCount = 0;
    if (config.getValue("webhooks") instanceof JsonArray old) {
      for (Object h : old) {
        if (h instanceof JsonObject hook && webhookUrl.equals(hook.getValue("url"))) {
          ourCount++;
          present = present || sameHook(hook, ours);
        } else {
          hooks.add(h);
        }
      }
    }
    if (present && ourCount == 1) {
      return null;
    }
    hooks.add(ours);
    config.put("webhooks", hooks);
    return config;
  }

  private static boolean sameHook(JsonObject hook, JsonObject ours) {
    Set<Object> events = hook.getValue("events") instanceof JsonArray a ? new HashSet<>(a.getList()) : Set.of();
    Object key = hook.getValue("hmac") instanceof JsonObject h ? h.getValue("key") : null;
    return events.equals(new HashSet<>(ours.getJsonArray("events").getList()))
        && ours.getJsonObject("hmac").getValue("key").equals(key);
  }

  // ---------------------------------------------------------------- status

  /** What WAHA says about the session, from any source (an answer, a poll, a webhook). */
  private void observe(String next) {
    if (next == null || closed) {
      return;
    }
    boolean changed = !next.equals(status);
    status = next;
    unreachable = 0;
    if (restart != null) {
      duringRestart(next);
      return;
    }
    if (!running || !changed) {
      return; // an operator stopped it (the session's chatter changes nothing), or nothing new
    }
    WahaStatus.hubState(next, believed).ifPresent(state -> report(state, WahaStatus.reason(next)));
  }

  /** A restart ends with WORKING, or fails with what no restart can fix. */
  private void duringRestart(String next) {
    Promise<Void> done = restart;
    if (WahaStatus.WORKING.equals(next)) {
      restart = null;
      report(InstanceState.READY, "WAHA session WORKING again");
      done.tryComplete();
    } else if (WahaStatus.needsHuman(next)) {
      restart = null;
      report(InstanceState.NEEDS_QR, WahaStatus.reason(next));
      done.tryFail("the WAHA session needs a person: " + WahaStatus.shown(next));
    } else if (WahaStatus.FAILED.equals(next)) {
      // STOPPED is not an end: a restart passes through it, and its webhook may arrive after the
      // restart call was answered (a session stopped by hand meanwhile ends by the restart's time-out)
      restart = null;
      believed = InstanceState.DISCONNECTED; // what the instance makes of a failed restart
      done.tryFail("the WAHA session is " + next + " after the restart");
    }
  }

  private void report(InstanceState state, String reason) {
    believed = state;
    events.stateChanged(state, reason);
  }

  /** A lifecycle call failed: a refused key pauses the instance; anything else is the caller's failure. */
  private void lifecycleFailed(Throwable e) {
    WahaErrors.Verdict v = e instanceof CallFailed f ? f.verdict : WahaErrors.failure(e);
    if (v.accountProblem() && !closed) {
      refused = true;
      cancelPoll();
      report(InstanceState.AUTH_FAILURE, v.error().reason());
    }
    LOG.warn("waha call failed {} {} {}", kv("instanceId", instanceId), kv("code", v.error().code()),
        kv("reason", v.error().reason()));
  }

  private void schedulePoll(Duration after) {
    cancelPoll();
    if (closed || !running || refused) {
      return;
    }
    pollTimer = vertx.setTimer(Math.max(1, after.toMillis()), id -> {
      pollTimer = -1;
      poll();
    });
  }

  /** Ask now: a send was refused because the session is not working, or it vanished. */
  private void refreshSoon() {
    if (!polling) {
      schedulePoll(Duration.ofMillis(1));
    }
  }

  private void poll() {
    if (closed || !running || refused || polling) {
      return;
    }
    polling = true;
    client.getSession().onComplete(ar -> {
      polling = false;
      if (closed || !running) {
        return;
      }
      if (ar.succeeded() && ar.result().ok()) {
        observe(statusOf(ar.result()));
        schedulePoll(WahaStatus.pollAfter(status));
        return;
      }
      if (ar.succeeded() && ar.result().status() == 404) {
        // deleted in WAHA: the reconnect ladder's restart creates it again
        lost("the WAHA session " + session + " does not exist (any more)");
      } else {
        WahaErrors.Verdict v = ar.failed() ? WahaErrors.failure(ar.cause())
            : WahaErrors.answer(ar.result().status(), ar.result().text(), ar.result().retryAfter());
        if (v.accountProblem()) {
          lifecycleFailed(new CallFailed(v));
          return;
        }
        if (++unreachable >= UNREACHABLE_POLLS) {
          lost("WAHA does not answer about the session: " + v.error().reason());
        }
      }
      schedulePoll(UNANSWERED_POLL_AFTER); // not every 2 s at a WAHA that is down
    });
  }

  /** The session cannot be seen: not ready, and the next status WAHA gives is news. */
  private void lost(String reason) {
    status = null;
    // NEEDS_QR is a hard stop the hub must not leave on its own (a person restarts it)
    if (restart == null && running && believed != InstanceState.DISCONNECTED && believed != InstanceState.NEEDS_QR) {
      report(InstanceState.DISCONNECTED, reason);
    }
  }

  private void cancelPoll() {
    if (pollTimer != -1) {
      vertx.cancelTimer(pollTimer);
      pollTimer = -1;
    }
  }

  private void endRestart(String why) {
    if (restart != null) {
      Promise<Void> done = restart;
      restart = null;
      done.tryFail(why);
    }
  }

  // ---------------------------------------------------------------- sending

  @Override
  public Future<ProviderOutcome> send(OutboundMessage m) {
    JsonObject content = m.content() == null ? new JsonObject() : m.content();
    Future<WahaClient.Answer> call;
    switch (m.kind()) {
      case "text" -> call = client.sendText(m.chatId(), content.getString("text", ""));
      case "poll" -> {
        List<String> options = new ArrayList<>();
        if (content.getValue("options") instanceof JsonArray a) {
          a.forEach(o -> options.add(String.valueOf(o)));
        }
        call = client.sendPoll(m.chatId(), content.getString("question", ""), options,
            Boolean.TRUE.equals(content.getValue("multipleAnswers")));
      }
      default -> {
        return Future.succeededFuture(new ProviderOutcome.Refused(SendError.permanent(SendError.UNSUPPORTED,
            "the waha provider sends text messages and polls; " + m.kind() + " is not supported yet")));
      }
    }
    return call.map(a -> outcome(m, a)).recover(e -> {
      WahaErrors.Verdict v = WahaErrors.failure(e);
      if (v.refreshState()) {
        refreshSoon();
      }
      return Future.succeededFuture(v.outcome());
    });
  }

  private ProviderOutcome outcome(OutboundMessage m, WahaClient.Answer a) {
    if (a.ok()) {
      String id = WahaMessageIds.of(a.json(), m.chatId());
      if (id == null) {
        // accepted: it is on its way, only receipts and votes cannot be matched to it
        LOG.warn("waha accepted a message without an id we know {} {}", kv("instanceId", instanceId),
            kv("messageId", m.id()));
      }
      return new ProviderOutcome.Sent(id);
    }
    WahaErrors.Verdict v = WahaErrors.answer(a.status(), a.text(), a.retryAfter());
    if (v.refreshState()) {
      refreshSoon();
    }
    return v.outcome();
  }

  // ---------------------------------------------------------------- QR, pairing code, webhook

  /** The QR as a data URL ({@code data:image/png;base64,…}), live from WAHA while it waits for a scan. */
  @Override
  public Future<Optional<String>> qr() {
    if (!WahaStatus.hasQr(status)) {
      return Future.succeededFuture(Optional.empty());
    }
    return client.qr().map(a -> {
      if (a.ok() && a.json() != null) {
        if (a.json().getValue("data") instanceof String data && !data.isEmpty()) {
          String type = a.json().getValue("mimetype") instanceof String t && !t.isEmpty() ? t : "image/png";
          return Optional.of("data:" + type + ";base64," + data);
        }
        if (a.json().getValue("value") instanceof String value && !value.isEmpty()) {
          return Optional.of(value);
        }
      }
      if (a.status() == 422) {
        refreshSoon(); // not waiting for a scan any more
      }
      return Optional.<String>empty();
    }).recover(e -> Future.succeededFuture(Optional.empty()));
  }

  @Override
  public Future<JsonObject> operation(String name, JsonObject body) {
    return switch (name) {
      case OP_WEBHOOK -> webhook(body.getJsonObject("event", new JsonObject()), body.getString("requestId"));
      case OP_PAIRING_CODE -> pairingCode(body.getString("phoneNumber"));
      default -> ProviderSession.super.operation(name, body);
    };
  }

  /**
   * One verified webhook event (WahaRoutes checked the signature): state or inbound. An inbound item
   * is answered once it is stored; one that could not be stored is forgotten as seen and answered
   * 503, so WAHA's retry brings it again.
   */
  private Future<JsonObject> webhook(JsonObject envelope, String requestId) {
    WahaWebhook.Mapped m = WahaWebhook.map(envelope, requestId, session, Instant.now());
    JsonObject out = new JsonObject().put("event", m.event());
    if (m.eventId() != null && seen.put(m.eventId(), Boolean.TRUE) != null) {
      return Future.succeededFuture(out.put("outcome", "duplicate"));
    }
    if (m.effect() instanceof WahaWebhook.Status s) {
      observe(s.status());
      return Future.succeededFuture(out.put("outcome", "status"));
    }
    if (m.effect() instanceof WahaWebhook.Received r) {
      return events.inboundAll(List.of(r.inbound()))
          .onFailure(e -> {
            if (m.eventId() != null) {
              seen.remove(m.eventId());
            }
          })
          .map(v -> out.put("outcome", "inbound"));
    }
    LOG.debug("waha event ignored {} {} {}", kv("instanceId", instanceId), kv("event", m.event()),
        kv("why", ((WahaWebhook.Ignored) m.effect()).why()));
    return Future.succeededFuture(out.put("outcome", "ignored"));
  }

  /** Pairing by phone number instead of a QR: WAHA answers a code to type on the phone. */
  private Future<JsonObject> pairingCode(String phoneNumber) {
    return client.requestCode(phoneNumber).recover(e -> Future.failedFuture(new ApiError(502, "provider_unavailable",
        "Provider unavailable", "WAHA did not answer: " + WahaErrors.failure(e).error().reason())))
        .compose(a -> {
          if (a.ok() && a.json() != null && a.json().getValue("code") instanceof String code) {
            return Future.succeededFuture(new JsonObject().put("code", code));
          }
          if (a.status() == 422) {
            refreshSoon();
            return Future.failedFuture(ApiError.conflict("not_pairing", "the WAHA session is not waiting to be paired ("
                + WahaErrors.detail(a.text()) + "); a pairing code exists only while the instance is NEEDS_QR"));
          }
          String detail = a.ok() ? "WAHA's answer has no code" : WahaErrors.answer(a.status(), a.text(), null).error().reason();
          return Future.failedFuture(new ApiError(502, "provider_error", "Provider error", detail));
        });
  }

  // ---------------------------------------------------------------- helpers

  private static String statusOf(WahaClient.Answer a) {
    return a != null && a.json() != null && a.json().getValue("status") instanceof String s ? s : null;
  }

  private static Future<WahaClient.Answer> checked(Future<WahaClient.Answer> call) {
    return call.compose(a -> a.ok() ? Future.succeededFuture(a) : failed(a));
  }

  private static <T> Future<T> failed(WahaClient.Answer a) {
    return Future.failedFuture(new CallFailed(WahaErrors.answer(a.status(), a.text(), a.retryAfter())));
  }

  /** A lifecycle call WAHA answered with an error, classified. Its message is the hub's, never WAHA's raw body. */
  static final class CallFailed extends RuntimeException {
    final transient WahaErrors.Verdict verdict;

    CallFailed(WahaErrors.Verdict verdict) {
      super(verdict.error().code() + ": " + verdict.error().reason(), null, false, false);
      this.verdict = verdict;
    }
  }
}
