package org.wahub.outbound;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.time.Duration;

/**
 * One call out of the hub. {@code headers} and {@code body} may be null; a {@code Host} header is
 * ignored (the URL's host is sent). {@code timeout} null means the policy's total timeout.
 */
public record GuardedRequest(HttpMethod method, String url, MultiMap headers, Buffer body, Duration timeout) {

  public static GuardedRequest get(String url) {
    return new GuardedRequest(HttpMethod.GET, url, null, null, null);
  }

  public static GuardedRequest post(String url, MultiMap headers, Buffer body) {
    return new GuardedRequest(HttpMethod.POST, url, headers, body, null);
  }

  public GuardedRequest withTimeout(Duration timeout) {
    return new GuardedRequest(method, url, headers, body, timeout);
  }
}
