package org.wahub.outbound;

import org.wahub.HubConfig;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What calls out of the hub may reach, and how long and how much they may take (DESIGN §12).
 *
 * @param allowedNets      address blocks allowed although {@link AddressRules} forbids them
 * @param allowedHosts     host names (lower case, no trailing dot) trusted whatever they resolve to:
 *                         the operator vouches for that name's DNS
 * @param connectTimeout   to establish the TCP (and TLS) connection
 * @param totalTimeout     the whole exchange, from resolving to the last byte of the answer
 * @param maxResponseBytes answers with a larger body fail with {@code response_too_large}
 * @param allowListOnly    only the allowed nets and hosts are reachable at all (an egress
 *                         allow-list; the test suite uses it so no test can ever reach the internet)
 */
public record OutboundPolicy(List<Cidr> allowedNets, Set<String> allowedHosts, Duration connectTimeout,
                             Duration totalTimeout, int maxResponseBytes, boolean allowListOnly) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 1_048_576;

  private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*");

  public OutboundPolicy {
    allowedNets = List.copyOf(allowedNets);
    allowedHosts = Set.copyOf(allowedHosts);
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(totalTimeout, "totalTimeout");
    if (connectTimeout.toMillis() <= 0 || totalTimeout.toMillis() <= 0) {
      throw new IllegalArgumentException("outbound timeouts must be positive");
    }
    if (maxResponseBytes <= 0) {
      throw new IllegalArgumentException("outbound maxResponseBytes must be positive");
    }
  }

  public static OutboundPolicy from(HubConfig c) {
    List<Cidr> nets = new ArrayList<>();
    Set<String> hosts = new LinkedHashSet<>();
    parseAllow(c.outboundAllow(), nets, hosts);
    return new OutboundPolicy(nets, hosts, c.outboundConnectTimeout(), c.outboundTimeout(), c.outboundMaxResponseBytes(),
        c.outboundAllowOnly());
  }

  /** Public unicast only, default timeouts and size. */
  public static OutboundPolicy strict() {
    return new OutboundPolicy(List.of(), Set.of(), DEFAULT_CONNECT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
        false);
  }

  /** This policy with the entries of a {@code HUB_OUTBOUND_ALLOW}-style list added. */
  public OutboundPolicy allowing(String allowList) {
    List<Cidr> nets = new ArrayList<>(allowedNets);
    Set<String> hosts = new LinkedHashSet<>(allowedHosts);
    parseAllow(allowList, nets, hosts);
    return new OutboundPolicy(nets, hosts, connectTimeout, totalTimeout, maxResponseBytes, allowListOnly);
  }

  public OutboundPolicy withTimeouts(Duration connect, Duration total) {
    return new OutboundPolicy(allowedNets, allowedHosts, connect, total, maxResponseBytes, allowListOnly);
  }

  public OutboundPolicy withMaxResponseBytes(int max) {
    return new OutboundPolicy(allowedNets, allowedHosts, connectTimeout, totalTimeout, max, allowListOnly);
  }

  /** This policy reaching nothing but its allowed nets and hosts. */
  public OutboundPolicy onlyAllowed() {
    return new OutboundPolicy(allowedNets, allowedHosts, connectTimeout, totalTimeout, maxResponseBytes, true);
  }

  public boolean hostAllowed(String host) {
    return allowedHosts.contains(normalizeHost(host));
  }

  public boolean netAllowed(InetAddress address) {
    for (Cidr c : allowedNets) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  static String normalizeHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  /** An entry with a '/' or an IP literal is a block; anything else must be a host name. */
  private static void parseAllow(String list, List<Cidr> nets, Set<String> hosts) {
    if (list == null) {
      return;
    }
    for (String raw : list.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.indexOf('/') >= 0 || Cidr.literal(entry) != null) {
        try {
          nets.add(Cidr.parse(entry));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("config HUB_OUTBOUND_ALLOW: " + e.getMessage());
        }
        continue;
      }
      String host = normalizeHost(entry);
      if (!HOST_NAME.matcher(host).matches() || UrlParts.numericLooking(host)) {
        throw new IllegalArgumentException("config HUB_OUTBOUND_ALLOW: '" + entry
            + "' is neither a CIDR, an IP address nor a host name");
      }
      hosts.add(host);
    }
  }
}
