package org.wahub.outbound;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A URL taken apart the one way the guard uses it: the request goes to exactly this host, port and
 * path, so no second parser (Vert.x's, a resolver's) can read the URL differently.
 *
 * @param host    lower case, no brackets, no trailing dot
 * @param literal the address when the host is an IP literal, else null
 * @param target  path and query as sent on the request line
 */
record UrlParts(String scheme, String host, int port, boolean ssl, InetAddress literal, String target) {

  private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0x[0-9a-f]*");

  /**
   * Parses an absolute http(s) URL. User info is refused always; with {@code base} also a query and
   * a fragment (a provider base URL is a prefix that paths are appended to). Messages never repeat
   * the URL: it may carry credentials.
   */
  static UrlParts parse(String url, boolean base) {
    if (url == null || url.isBlank()) {
      throw bad("the URL is empty");
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw bad("the URL is not well formed");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
      throw bad("only absolute http and https URLs are allowed");
    }
    if (uri.getRawUserInfo() != null) {
      throw bad("user info (user:password@) is not allowed in the URL; pass credentials in the provider's secret fields");
    }
    String rawHost = uri.getHost();
    if (rawHost == null || rawHost.isEmpty()) {
      // URI leaves the host null for names it does not accept (underscores, non-ASCII, a bad port)
      throw bad("the URL has no valid host (use ASCII/punycode host names and a numeric port)");
    }
    if (base && uri.getRawQuery() != null) {
      throw bad("a base URL must not have a query (?...)");
    }
    if (base && uri.getRawFragment() != null) {
      throw bad("a base URL must not have a fragment (#...)");
    }
    String host = rawHost.startsWith("[") ? rawHost.substring(1, rawHost.length() - 1) : rawHost;
    host = OutboundPolicy.normalizeHost(host);
    if (host.isEmpty() || host.indexOf('%') >= 0) {
      throw bad("the URL has no valid host");
    }
    InetAddress literal = null;
    if (host.indexOf(':') >= 0) {
      literal = Cidr.literal(host);
      if (literal == null) {
        throw bad("the URL's IPv6 address is not valid");
      }
    } else if (numericLooking(host)) {
      if (!Cidr.CANONICAL_V4.matcher(host).matches()) {
        // 2130706433, 0x7f.1, 0177.0.0.1, 127.1: resolvers, browsers and Java disagree on these
        throw bad("IPv4 addresses must be written as four decimal numbers (a.b.c.d)");
      }
      literal = Cidr.literal(host);
    }
    int port = uri.getPort();
    boolean ssl = scheme.equals("https");
    if (port == -1) {
      port = ssl ? 443 : 80;
    }
    if (port < 1 || port > 65535) {
      throw bad("the URL's port is out of range");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    return new UrlParts(scheme, host, port, ssl, literal, target);
  }

  /** The origin: scheme, host and port, with default ports made explicit. */
  String origin() {
    String h = literal == null ? host
        : literal instanceof java.net.Inet6Address ? "[" + literal.getHostAddress() + "]" : literal.getHostAddress();
    return scheme + "://" + h + ":" + port;
  }

  /**
   * True when the last label is numeric (decimal or 0x-hex), as WHATWG URL parsers treat such a host
   * as an IPv4 address: {@code 0x7f.1}, {@code 2130706433}, {@code foo.0x10}.
   */
  static boolean numericLooking(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    int dot = h.lastIndexOf('.');
    String last = dot < 0 ? h : h.substring(dot + 1);
    return NUMERIC_LABEL.matcher(last).matches();
  }

  private static OutboundRefused bad(String message) {
    return new OutboundRefused(OutboundRefused.BAD_URL, message);
  }
}
