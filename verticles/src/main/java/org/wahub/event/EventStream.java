package org.wahub.event;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wahub.hub.event.EventFilter;
import org.wahub.hub.event.EventPosition;

import java.util.function.Consumer;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * One open {@code GET /events} stream: pages the tenant's outbox from its position and writes each
 * event as {@code id: <tx>-<seq>}, {@code event: <type>}, {@code data: <body>}. Single-flight: one
 * page at a time; a wake while a page is under way reads once more after it. It reads only when
 * woken (a notification of its tenant, a full page that may have more, the write queue drained)
 * and, while committed events are held back behind an older open transaction, a short re-armed
 * look-again timer; otherwise its only timer is the ping.
 *
 * <p>Memory stays bounded: it stops writing as soon as the response's write queue is full and
 * continues from the last event written when it drains; a client that does not drain it within the
 * slow-client limit is dropped (a final comment, then the connection is closed), and can reconnect
 * with Last-Event-ID to continue where it was.
 */
final class EventStream {

  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  /** The reconnection delay browsers are told to use (ms). */
  static final int RETRY_MS = 2000;
  private static final long HELD_BACK_FIRST_MS = 50;
  private static final long HELD_BACK_MAX_MS = 1000;

  private final Vertx vertx;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final EventLog log;
  private final String tenantId;
  private final EventFilter filter;
  private final int pageSize;
  private final long pingMs;
  private final long slowClientMs;
  private final Consumer<EventStream> onEnd;

  private EventPosition position;
  private boolean reading;
  private boolean again;
  private boolean ended;
  private long pingTimer = -1;
  private long slowTimer = -1;
  private long heldBackTimer = -1;
  private long heldBackMs = HELD_BACK_FIRST_MS;

  EventStream(Vertx vertx, HttpServerRequest request, HttpServerResponse response, EventLog log, String tenantId,
              EventFilter filter, EventPosition from, int pageSize, long pingMs, long slowClientMs,
              Consumer<EventStream> onEnd) {
    this.vertx = vertx;
    this.request = request;
    this.response = response;
    this.log = log;
    this.tenantId = tenantId;
    this.filter = filter;
    this.position = from;
    this.pageSize = pageSize;
    this.pingMs = pingMs;
    this.slowClientMs = slowClientMs;
    this.onEnd = onEnd;
  }

  void start() {
    response.setStatusCode(200).setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> end(null));
    response.exceptionHandler(e -> end(null));
    response.drainHandler(v -> drained());
    // the headers and a first line at once, so the client knows the stream is open before any event
    response.write("retry: " + RETRY_MS + "\n: stream open after " + position.token() + "\n\n");
    armPing();
    wake();
  }

  /** New events may be readable: read (now, or once more after the page under way). */
  void wake() {
    if (ended) {
      return;
    }
    if (reading || response.writeQueueFull()) {
      again = again || reading;
      return;
    }
    cancel(heldBackTimer);
    heldBackTimer = -1;
    reading = true;
    again = false;
    log.page(tenantId, position, filter, pageSize).onComplete(ar -> {
      reading = false;
      if (ended) {
        return;
      }
      if (ar.failed()) {
        // the database is away: the next notification (or the LISTEN re-established) wakes us again
        LOG.warn("event stream could not read the outbox {} {}", kv("tenantId", tenantId),
            kv("error", String.valueOf(ar.cause().getMessage())));
        lookAgainSoon();
        return;
      }
      write(ar.result());
    });
  }

  private void write(EventLog.Page page) {
    boolean cut = false;
    StringBuilder out = new StringBuilder();
    for (EventLog.Event e : page.events()) {
      out.setLength(0);
      out.append("id: ").append(e.position().token()).append('\n')
          .append("event: ").append(e.type()).append('\n')
          .append("data: ").append(e.body().encode()).append("\n\n");
      response.write(out.toString());
      position = e.position();
      if (response.writeQueueFull()) {
        cut = true; // continue after this event once the client has read
        break;
      }
    }
    if (!cut) {
      position = page.next(); // past events the filter skipped too
    }
    if (cut || response.writeQueueFull()) {
      stalled();
    } else if (page.events().size() >= pageSize || again) {
      vertx.runOnContext(v -> wake());
    } else if (page.heldBack()) {
      lookAgainSoon();
    } else {
      heldBackMs = HELD_BACK_FIRST_MS;
    }
  }

  /** Committed events wait behind an older open transaction, which may never notify: look again shortly. */
  private void lookAgainSoon() {
    if (heldBackTimer == -1 && !ended) {
      heldBackTimer = vertx.setTimer(heldBackMs, t -> {
        heldBackTimer = -1;
        wake();
      });
      heldBackMs = Math.min(HELD_BACK_MAX_MS, heldBackMs * 2);
    }
  }

  private void stalled() {
    if (slowTimer == -1) {
      slowTimer = vertx.setTimer(slowClientMs, t -> {
        slowTimer = -1;
        if (response.writeQueueFull()) {
          LOG.warn("event stream dropped: the client does not read {} {} {}", kv("tenantId", tenantId),
              kv("position", position.token()), kv("slowClientMs", slowClientMs));
          end("dropped: the client did not read for " + slowClientMs + " ms; reconnect with Last-Event-ID");
        }
      });
    }
  }

  private void drained() {
    cancel(slowTimer);
    slowTimer = -1;
    wake();
  }

  private void armPing() {
    pingTimer = vertx.setTimer(pingMs, t -> {
      pingTimer = -1;
      if (ended) {
        return;
      }
      if (!response.writeQueueFull()) {
        response.write(": ping\n\n");
      }
      armPing();
    });
  }

  /** Ends the stream (once): with a final comment when {@code why} is given, then the connection is closed. */
  void end(String why) {
    if (ended) {
      return;
    }
    ended = true;
    cancel(pingTimer);
    cancel(slowTimer);
    cancel(heldBackTimer);
    onEnd.accept(this);
    if (why != null && !response.closed()) {
      response.write(Buffer.buffer(": " + why + "\n\n"));
      // a slow client's queue may never drain: close the connection rather than wait for it
      request.connection().close();
    }
  }

  private void cancel(long timer) {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }
}
