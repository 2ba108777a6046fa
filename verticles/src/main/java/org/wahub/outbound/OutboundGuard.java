package org.wahub.outbound;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Every call the hub makes to a URL a tenant chose (provider APIs, webhooks) goes through here
 * (DESIGN §12). The URL is parsed once; the host is resolved once, on a worker; every address it
 * resolves to must be allowed (one forbidden answer refuses the call, so a DNS answer that mixes a
 * public and an internal address cannot be used to get in); the connection then goes to the checked
 * address while the request carries the original host name in {@code Host} and in TLS (SNI and
 * certificate verification), so a second, different DNS answer is never asked for or used.
 * Redirects are never followed, the answer is read up to {@code maxResponseBytes} and no further,
 * and the whole exchange is bounded in time.
 */
public final class OutboundGuard {

  /** Name resolution; the default asks the system resolver. Tests pass a fixed table. */
  @FunctionalInterface
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private static final Set<CharSequence> DROPPED_HEADERS = Set.of("host", "content-length", "transfer-encoding", "connection");

  private final Vertx vertx;
  private final OutboundPolicy policy;
  private final Resolver resolver;
  private final HttpClientAgent client;

  public OutboundGuard(Vertx vertx, OutboundPolicy policy) {
    this(vertx, policy, InetAddress::getAllByName, new HttpClientOptions());
  }

  /** For tests: a fixed resolver and client options (e.g. trust for a test certificate). */
  OutboundGuard(Vertx vertx, OutboundPolicy policy, Resolver resolver, HttpClientOptions base) {
    this.vertx = vertx;
    this.policy = policy;
    this.resolver = resolver;
    HttpClientOptions options = new HttpClientOptions(base)
        .setProtocolVersion(HttpVersion.HTTP_1_1)
        .setKeepAlive(true)
        .setVerifyHost(true)
        .setForceSni(true)
        .setDecompressionSupported(false) // a compressed body would escape the size bound
        .setMaxRedirects(0)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, policy.connectTimeout().toMillis()));
    this.client = vertx.createHttpClient(options);
  }

  public OutboundPolicy policy() {
    return policy;
  }

  /**
   * Checks that a provider base URL is acceptable in form: absolute http(s), a host, no user info,
   * no query, no fragment. Does not resolve. Throws {@link OutboundRefused} ({@code bad_url}).
   */
  public static void validateBaseUrl(String url) {
    UrlParts.parse(url, true);
  }

  /** The origin ({@code scheme://host:port}, default port explicit) of a valid URL. */
  public static String origin(String url) {
    return UrlParts.parse(url, false).origin();
  }

  /** Parses and validates the URL, resolves its host and checks every address; fails with {@link OutboundRefused}. */
  public Future<Void> check(String url) {
    return target(url).mapEmpty();
  }

  /** {@link #check}, then the call to the checked address, bounded in time and size. */
  public Future<GuardedResponse> send(GuardedRequest request) {
    long totalMs = Math.max(1, (request.timeout() != null ? request.timeout() : policy.totalTimeout()).toMillis());
    Exchange ex = new Exchange();
    long timer = vertx.setTimer(totalMs, id -> {
      if (ex.promise.tryFail(new OutboundRefused(OutboundRefused.TIMEOUT, "no complete answer within " + totalMs + " ms"))) {
        ex.abort();
      }
    });
    ex.promise.future().onComplete(ar -> vertx.cancelTimer(timer));
    if (Vertx.currentContext() == null) {
      // from a plain thread the request's future and the connection's events could run on different
      // event loops, and an answer could end before read() sets its handlers: start on one context
      vertx.getOrCreateContext().runOnContext(v -> exchange(request, ex, totalMs));
    } else {
      exchange(request, ex, totalMs);
    }
    return ex.promise.future();
  }

  private void exchange(GuardedRequest request, Exchange ex, long totalMs) {
    target(request.url())
        .compose(t -> {
          if (ex.promise.future().isComplete()) {
            return Future.failedFuture("already timed out");
          }
          RequestOptions options = new RequestOptions()
              .setMethod(request.method())
              .setServer(SocketAddress.inetSocketAddress(t.url.port(), t.address.getHostAddress()))
              .setHost(t.url.host())
              .setPort(t.url.port())
              .setSsl(t.url.ssl())
              .setURI(t.url.target())
              .setFollowRedirects(false)
              .setConnectTimeout(Math.min(policy.connectTimeout().toMillis(), totalMs))
              .setIdleTimeout(totalMs);
          return client.request(options);
        })
        .compose(req -> {
          ex.request = req;
          if (ex.promise.future().isComplete()) {
            req.reset();
            return Future.failedFuture("already timed out");
          }
          if (request.headers() != null) {
            request.headers().forEach(h -> {
              if (!DROPPED_HEADERS.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                req.headers().add(h.getKey(), h.getValue());
              }
            });
          }
          return request.body() == null ? req.send() : req.send(request.body());
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            ex.promise.tryFail(translate(ar.cause(), ex.request != null));
          } else {
            read(ar.result(), ex);
          }
        });
  }

  public Future<Void> close() {
    return client.close();
  }

  // ---- internals

  private record Target(UrlParts url, InetAddress address) {
  }

  /** One send's state; its callbacks may run on different threads (timer, client), so fields are volatile. */
  private static final class Exchange {
    final Promise<GuardedResponse> promise = Promise.promise();
    volatile HttpClientRequest request;

    void abort() {
      HttpClientRequest r = request;
      if (r != null) {
        r.reset(); // closes the HTTP/1.1 connection: nothing more is read
      }
    }
  }

  private Future<Target> target(String url) {
    UrlParts parts;
    try {
      parts = UrlParts.parse(url, false);
    } catch (OutboundRefused e) {
      return Future.failedFuture(e);
    }
    Future<InetAddress[]> addresses = parts.literal() != null
        ? Future.succeededFuture(new InetAddress[] {parts.literal()})
        : vertx.executeBlocking(() -> resolver.resolve(parts.host()), false);
    return addresses
        .recover(err -> Future.failedFuture(err instanceof UnknownHostException
            ? new OutboundRefused(OutboundRefused.UNRESOLVABLE, "host " + parts.host() + " does not resolve")
            : err))
        .map(all -> new Target(parts, choose(parts, all)));
  }

  /** Every answer must pass; the first one is used. */
  private InetAddress choose(UrlParts parts, InetAddress[] all) {
    if (all == null || all.length == 0) {
      throw new OutboundRefused(OutboundRefused.UNRESOLVABLE, "host " + parts.host() + " does not resolve");
    }
    if (parts.literal() == null && policy.hostAllowed(parts.host())) {
      return all[0];
    }
    for (InetAddress a : all) {
      if (policy.allowListOnly() && !policy.netAllowed(a)) {
        throw new OutboundRefused(OutboundRefused.REFUSED, (parts.literal() != null ? "address " : "host ")
            + parts.host() + " is not in HUB_OUTBOUND_ALLOW, and HUB_OUTBOUND_ALLOW_ONLY lets nothing else out");
      }
      String why = AddressRules.forbidden(a);
      if (why != null && !policy.netAllowed(a)) {
        String what = parts.literal() != null ? "address " + parts.host() + " is" : "host " + parts.host() + " resolves to";
        throw new OutboundRefused(OutboundRefused.REFUSED, what + " a " + why
            + " address; the operator can allow it with HUB_OUTBOUND_ALLOW");
      }
    }
    return all[0];
  }

  private void read(HttpClientResponse response, Exchange ex) {
    int max = policy.maxResponseBytes();
    response.exceptionHandler(err -> ex.promise.tryFail(translate(err, true)));
    String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && tooLong(length, max)) {
      if (ex.promise.tryFail(tooLarge(max))) {
        ex.abort();
      }
      return;
    }
    Buffer body = Buffer.buffer();
    response.handler(chunk -> {
      if (ex.promise.future().isComplete()) {
        return;
      }
      if (body.length() + chunk.length() > max) {
        if (ex.promise.tryFail(tooLarge(max))) {
          ex.abort();
        }
        return;
      }
      body.appendBuffer(chunk);
    });
    response.endHandler(v -> ex.promise.tryComplete(new GuardedResponse(response.statusCode(),
        MultiMap.caseInsensitiveMultiMap().addAll(response.headers()), body)));
  }

  private static boolean tooLong(String contentLength, int max) {
    try {
      return Long.parseLong(contentLength.trim()) > max;
    } catch (NumberFormatException e) {
      return false; // the read bound still holds
    }
  }

  private static OutboundRefused tooLarge(int max) {
    return new OutboundRefused(OutboundRefused.TOO_LARGE, "the answer is larger than " + max + " bytes");
  }

  /** {@code connected}: the client had handed out the request, so a timeout was not while connecting. */
  private static Throwable translate(Throwable err, boolean connected) {
    if (err instanceof OutboundRefused) {
      return err;
    }
    // own messages: the client's name the request URI, which may carry a webhook's secret path
    if (err instanceof io.netty.channel.ConnectTimeoutException || (err instanceof TimeoutException && !connected)) {
      return new OutboundRefused(OutboundRefused.TIMEOUT, "connecting timed out");
    }
    if (err instanceof TimeoutException) {
      return new OutboundRefused(OutboundRefused.TIMEOUT, "no data within the time allowed");
    }
    return err;
  }
}
