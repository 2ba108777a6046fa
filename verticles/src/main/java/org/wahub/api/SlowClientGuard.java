package org.wahub.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Closes a connection whose client sends a request head or body too slowly (slowloris). The idle
 * timeout alone cannot: a client that sends one byte every few seconds is never idle, and with 8 KB
 * of headers and 64 KB of body allowed it could hold a connection for days.
 *
 * <p>A request's head must arrive within {@code headTimeout} of its first byte (or of the connect,
 * for a connection's first request), and its body within {@code bodyTimeout} of the head. A
 * keep-alive connection waiting between requests is left to the idle timeout, and the time the hub
 * takes to answer is not counted. Two Netty handlers do it, both on the connection's event loop:
 * one before the HTTP decoder sees bytes arrive, one after it sees heads and last contents. Vert.x
 * exposes no such deadline, so this reaches the channel through {@link ConnectionBase} — a Vert.x
 * internal class, pinned with the Vert.x version.
 */
final class SlowClientGuard {

  private static final Logger LOG = LoggerFactory.getLogger(SlowClientGuard.class);
  private static final String DECODER = "httpDecoder";

  private enum Phase { HEAD, BODY, IDLE }

  private final Duration headTimeout;
  private final Duration bodyTimeout;

  SlowClientGuard(Duration headTimeout, Duration bodyTimeout) {
    this.headTimeout = headTimeout;
    this.bodyTimeout = bodyTimeout;
  }

  /**
   * For {@code HttpServer.connectionHandler}: watches this connection (HTTP/1.x only). The server
   * must not allow h2c, or Vert.x calls the connection handler only after a first whole request.
   */
  void install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    if (pipeline.get(DECODER) == null) {
      return; // not an HTTP/1.x connection as this Vert.x version builds it: nothing to watch
    }
    Watch watch = new Watch();
    pipeline.addBefore(DECODER, "wahubBytesWatch", watch.bytes);
    pipeline.addAfter(DECODER, "wahubRequestWatch", watch.requests);
  }

  /** One connection's state; touched only on its event loop. */
  private final class Watch {
    private Phase phase = Phase.HEAD;
    private ScheduledFuture<?> deadline;
    /** The bytes watch's context: a close from there skips Vert.x's handler on its way to the socket. */
    private ChannelHandlerContext first;

    final ChannelDuplexHandler bytes = new ChannelDuplexHandler() {
      @Override
      public void handlerAdded(ChannelHandlerContext ctx) {
        first = ctx;
        // the first request's head is due from the connect
        arm(ctx, Phase.HEAD, headTimeout);
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.IDLE && msg instanceof ByteBuf buf && buf.isReadable()) {
          arm(ctx, Phase.HEAD, headTimeout);
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
      }
    };

    final ChannelInboundHandlerAdapter requests = new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
          arm(ctx, Phase.BODY, bodyTimeout);
        }
        if (msg instanceof LastHttpContent) {
          // the request is in; answering it is the hub's time, not the client's
          cancel();
          phase = Phase.IDLE;
        }
        ctx.fireChannelRead(msg);
      }
    };

    private void arm(ChannelHandlerContext ctx, Phase next, Duration timeout) {
      cancel();
      phase = next;
      if (!ctx.channel().isActive()) {
        return; // the decoder flushes a partial head when the connection goes: nothing left to watch
      }
      deadline = ctx.executor().schedule(() -> {
        LOG.info("closed a connection that sent its request too slowly {} {} {}", kv("phase", next.name().toLowerCase()),
            kv("limitMs", timeout.toMillis()), kv("remote", String.valueOf(ctx.channel().remoteAddress())));
        // not channel().close(): that runs through Vert.x's handler, which lets a request in progress
        // finish first — and a request whose head never ends would keep the connection forever
        first.close();
      }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancel() {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
    }
  }
}
