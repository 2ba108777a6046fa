package org.wahub.outbound;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which addresses a call out of the hub must not reach unless the operator allows them: everything
 * that is not ordinary public unicast. Pure; no lookups.
 *
 * <p>IPv6 forms that carry an IPv4 address are judged by that address where a packet really goes
 * there (IPv4-mapped, NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}), so
 * {@code ::ffff:127.0.0.1} and {@code 64:ff9b::a9fe:a9fe} are loopback and link-local. Forms whose
 * destination the hub cannot judge (Teredo, IPv4-compatible, local-use NAT64) are refused outright.
 */
public final class AddressRules {

  public static final String LOOPBACK = "loopback";
  public static final String PRIVATE = "private";
  public static final String LINK_LOCAL = "link-local";
  public static final String CGNAT = "shared (CGNAT)";
  public static final String MULTICAST = "multicast";
  public static final String UNSPECIFIED = "unspecified";
  public static final String BROADCAST = "broadcast";
  public static final String THIS_NETWORK = "this-network";
  public static final String BENCHMARKING = "benchmarking";
  public static final String DOCUMENTATION = "documentation";
  public static final String RESERVED = "reserved";
  public static final String TEREDO = "Teredo";
  public static final String IPV4_COMPATIBLE = "IPv4-compatible";

  private record Block(Cidr cidr, String why) {
  }

  // first match wins, so the more specific blocks come first
  private static final List<Block> V4 = List.of(
      block("0.0.0.0/32", UNSPECIFIED),
      block("0.0.0.0/8", THIS_NETWORK),
      block("10.0.0.0/8", PRIVATE),
      block("100.64.0.0/10", CGNAT),
      block("127.0.0.0/8", LOOPBACK),
      block("169.254.0.0/16", LINK_LOCAL),           // cloud metadata 169.254.169.254 included
      block("172.16.0.0/12", PRIVATE),
      block("192.0.0.0/24", RESERVED),               // IETF protocol assignments
      block("192.0.2.0/24", DOCUMENTATION),
      block("192.88.99.0/24", RESERVED),             // retired 6to4 relay anycast
      block("192.168.0.0/16", PRIVATE),
      block("198.18.0.0/15", BENCHMARKING),
      block("198.51.100.0/24", DOCUMENTATION),
      block("203.0.113.0/24", DOCUMENTATION),
      block("224.0.0.0/4", MULTICAST),
      block("255.255.255.255/32", BROADCAST),
      block("240.0.0.0/4", RESERVED));

  private static final List<Block> V6 = List.of(
      block("::/128", UNSPECIFIED),
      block("::1/128", LOOPBACK),
      block("::/96", IPV4_COMPATIBLE),
      block("64:ff9b:1::/48", PRIVATE),              // local-use NAT64 (RFC 8215)
      block("100::/64", RESERVED),                   // discard-only
      block("2001::/32", TEREDO),
      block("2001:2::/48", BENCHMARKING),
      block("2001:db8::/32", DOCUMENTATION),
      block("2001::/23", RESERVED),                  // IETF protocol assignments (ORCHID, …)
      block("3fff::/20", DOCUMENTATION),
      block("fc00::/7", PRIVATE),                    // unique local
      block("fe80::/10", LINK_LOCAL),
      block("fec0::/10", PRIVATE),                   // old site-local
      block("ff00::/8", MULTICAST));

  private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
  private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");
  private static final Cidr GLOBAL_UNICAST = Cidr.parse("2000::/3");

  private AddressRules() {
  }

  /** Why {@code address} must not be reached without the operator's leave, or null when it is public. */
  public static String forbidden(InetAddress address) {
    InetAddress a = normalize(address);
    if (a instanceof Inet4Address) {
      return firstMatch(V4, a);
    }
    byte[] b = a.getAddress();
    if (NAT64.contains(a)) {
      return embedded(b, 12);
    }
    if (SIX_TO_FOUR.contains(a)) {
      return embedded(b, 2);
    }
    String why = firstMatch(V6, a);
    if (why != null) {
      return why;
    }
    // everything outside 2000::/3 is unallocated or special; nothing legitimate lives there
    return GLOBAL_UNICAST.contains(a) ? null : RESERVED;
  }

  /** An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as the IPv4 address it is; others unchanged. */
  public static InetAddress normalize(InetAddress address) {
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = b[i] == 0;
      }
      if (mapped) {
        return v4(b, 12);
      }
    }
    return address;
  }

  private static String embedded(byte[] b, int offset) {
    return firstMatch(V4, v4(b, offset));
  }

  private static InetAddress v4(byte[] b, int offset) {
    try {
      return InetAddress.getByAddress(new byte[] {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String firstMatch(List<Block> blocks, InetAddress a) {
    for (Block b : blocks) {
      if (b.cidr.contains(a)) {
        return b.why;
      }
    }
    return null;
  }

  private static Block block(String cidr, String why) {
    return new Block(Cidr.parse(cidr), why);
  }
}
