package org.wahub.metrics;

import io.micrometer.core.instrument.Counter;
import org.wahub.hub.instance.InstanceState;
import org.wahub.hub.instance.RestartType;
import org.wahub.hub.send.Resolved;
import org.wahub.hub.send.WaitReason;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One instance's meters, held by its verticle and used only on its context (so plain fields).
 * Every call is one line at the place where the instance learns the fact; the counters are
 * resolved once and again only when {@link HubMetrics} changes the label mode.
 */
public final class InstanceMeters {

  private final HubMetrics metrics;
  private final String instanceId;
  private final String tenantId;
  private long generation = -1;
  private Counter sent;
  private Counter inDoubt;
  private Counter expired;
  private Counter disconnects;
  private final Map<String, Counter> tagged = new HashMap<>();

  InstanceMeters(HubMetrics metrics, String instanceId, String tenantId) {
    this.metrics = metrics;
    this.instanceId = instanceId;
    this.tenantId = tenantId;
  }

  /**
   * A send attempt ended: the provider answered (or the send timed out) {@code providerNanos}
   * after the hand-off and the resolver made {@code resolution} of it. {@code orderAt} is when
   * the message could first be sent (accepted, or its sendAt); a sent message's queue wait runs
   * from there.
   */
  public void attempt(Resolved.MessageResolution resolution, Instant orderAt, Instant now, long providerNanos) {
    fresh();
    metrics.sendAnswered(tenantId, now, providerNanos);
    if (resolution instanceof Resolved.MessageResolution.MarkSent) {
      sent.increment();
      metrics.eventsWritten("message.sent", 1);
      if (orderAt != null) {
        metrics.queueWait(Duration.between(orderAt, now));
      }
    } else if (resolution instanceof Resolved.MessageResolution.RetryAt r) {
      tagged(HubMetrics.RETRIED, "reason", HubMetrics.reasonClass(r.code())).increment();
    } else if (resolution instanceof Resolved.MessageResolution.InDoubt) {
      inDoubt.increment();
      metrics.eventsWritten("message.in_doubt", 1);
    } else if (resolution instanceof Resolved.MessageResolution.Fail f) {
      tagged(HubMetrics.FAILED, "reason", HubMetrics.reasonClass(f.code())).increment();
      metrics.eventsWritten("message.failed", 1);
    }
  }

  /** {@code n} queued messages passed their expiresAt. */
  public void expired(int n) {
    if (n > 0) {
      fresh();
      expired.increment(n);
      metrics.eventsWritten("message.expired", n);
    }
  }

  /**
   * On start, {@code n} sends of an earlier run were found cut short: resent with the same id when
   * the provider deduplicates, otherwise in doubt.
   */
  public void rescued(int n, boolean resent) {
    if (n > 0 && !resent) {
      fresh();
      inDoubt.increment(n);
      metrics.eventsWritten("message.in_doubt", n);
    }
  }

  /** The send gate held a due message back for {@code reason}. */
  public void deferred(WaitReason reason) {
    fresh();
    tagged(HubMetrics.DEFERRALS, "reason", reason.wire()).increment();
  }

  /** Outbox events of this instance committed (a state change's, written by InstanceEffects). */
  public void eventsWritten(java.util.List<org.wahub.hub.event.EventType> types) {
    types.forEach(t -> metrics.eventsWritten(t.wire(), 1));
  }

  /** A restart starts. */
  public void restart(RestartType type, boolean manual) {
    fresh();
    tagged(HubMetrics.RESTARTS, "type", type.wire(), "trigger", manual ? "manual" : "automatic").increment();
  }

  /** The instance machine moved; {@code kind} is its audit kind ({@code disconnected} for a dropped session). */
  public void stateChanged(InstanceState from, InstanceState to, String kind) {

    if ("disconnected".equals(kind)) {
      fresh();
      disconnects.increment();
    }
  }

  private void fresh() {
    long g = metrics.generation();
    if (g != generation) {
      // the label mode changed (or this instance's series were dropped): take the current counters
      generation = g;
      sent = metrics.counter(HubMetrics.SENT, instanceId);
      inDoubt = metrics.counter(HubMetrics.IN_DOUBT, instanceId);
      expired = metrics.counter(HubMetrics.EXPIRED, instanceId);
      disconnects = metrics.counter(HubMetrics.DISCONNECTS, instanceId);
      tagged.clear();
    }
  }

  private Counter tagged(String name, String... tags) {
    String key = name + '\u0000' + String.join("\u0000", tags);
    Counter c = tagged.get(key);
    if (c == null) {
      c = metrics.counter(name, instanceId, tags);
      tagged.put(key, c);
    }
    return c;
  }
}
