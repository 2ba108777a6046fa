package org.wahub.outbound;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every forbidden address class, in IPv4 and IPv6 spellings, through the guard's public
 * {@code check(url)} under the strict policy; public addresses pass. Only IP literals and
 * {@code localhost} (from /etc/hosts) are used, so nothing here asks DNS or opens a connection.
 */
@ExtendWith(VertxExtension.class)
class OutboundAddressTableTest {

  static final String OK = "allowed";
  static final String BAD_URL = "bad_url";

  /** host as written in the URL, expected outcome: OK, BAD_URL or the address class named in the refusal. */
  static final String[][] TABLE = {
      // IPv4
      {"127.0.0.1", AddressRules.LOOPBACK},
      {"127.255.255.254", AddressRules.LOOPBACK},
      {"10.0.0.1", AddressRules.PRIVATE},
      {"10.255.255.255", AddressRules.PRIVATE},
      {"172.16.0.1", AddressRules.PRIVATE},
      {"172.31.255.255", AddressRules.PRIVATE},
      {"172.32.0.1", OK},
      {"192.168.1.1", AddressRules.PRIVATE},
      {"169.254.169.254", AddressRules.LINK_LOCAL},
      {"169.254.0.1", AddressRules.LINK_LOCAL},
      {"100.64.0.1", AddressRules.CGNAT},
      {"100.127.255.255", AddressRules.CGNAT},
      {"100.128.0.1", OK},
      {"0.0.0.0", AddressRules.UNSPECIFIED},
      {"0.1.2.3", AddressRules.THIS_NETWORK},
      {"224.0.0.1", AddressRules.MULTICAST},
      {"239.255.255.250", AddressRules.MULTICAST},
      {"255.255.255.255", AddressRules.BROADCAST},
      {"240.0.0.1", AddressRules.RESERVED},
      {"192.0.0.8", AddressRules.RESERVED},
      {"198.18.0.1", AddressRules.BENCHMARKING},
      {"198.19.255.255", AddressRules.BENCHMARKING},
      {"198.20.0.1", OK},
      {"192.0.2.1", AddressRules.DOCUMENTATION},
      {"198.51.100.7", AddressRules.DOCUMENTATION},
      {"203.0.113.9", AddressRules.DOCUMENTATION},
      {"8.8.8.8", OK},
      {"1.1.1.1", OK},
      {"93.184.216.34", OK},
      // IPv6, and IPv4 inside IPv6
      {"[::1]", AddressRules.LOOPBACK},
      {"[::]", AddressRules.UNSPECIFIED},
      {"[::ffff:127.0.0.1]", AddressRules.LOOPBACK},
      {"[::ffff:7f00:1]", AddressRules.LOOPBACK},
      {"[::ffff:a9fe:a9fe]", AddressRules.LINK_LOCAL},
      {"[::ffff:10.1.2.3]", AddressRules.PRIVATE},
      {"[::ffff:8.8.8.8]", OK},
      {"[::127.0.0.1]", AddressRules.IPV4_COMPATIBLE},
      {"[::8.8.8.8]", AddressRules.IPV4_COMPATIBLE},
      {"[64:ff9b::a9fe:a9fe]", AddressRules.LINK_LOCAL},
      {"[64:ff9b::7f00:1]", AddressRules.LOOPBACK},
      {"[64:ff9b::c0a8:101]", AddressRules.PRIVATE},
      {"[64:ff9b::808:808]", OK},
      {"[64:ff9b:1::1]", AddressRules.PRIVATE},
      {"[2002:7f00:1::1]", AddressRules.LOOPBACK},
      {"[2002:a9fe:a9fe::1]", AddressRules.LINK_LOCAL},
      {"[2002:808:808::1]", OK},
      {"[2001::1]", AddressRules.TEREDO},
      {"[2001:0:4136:e378:8000:63bf:3fff:fdd2]", AddressRules.TEREDO},
      {"[2001:2::1]", AddressRules.BENCHMARKING},
      {"[2001:db8::1]", AddressRules.DOCUMENTATION},
      {"[3fff::1]", AddressRules.DOCUMENTATION},
      {"[2001:10::1]", AddressRules.RESERVED},
      {"[100::1]", AddressRules.RESERVED},
      {"[4000::1]", AddressRules.RESERVED},
      {"[fc00::1]", AddressRules.PRIVATE},
      {"[fd12:3456:789a::1]", AddressRules.PRIVATE},
      {"[fec0::1]", AddressRules.PRIVATE},
      {"[fe80::1]", AddressRules.LINK_LOCAL},
      {"[febf:ffff::1]", AddressRules.LINK_LOCAL},
      {"[ff02::1]", AddressRules.MULTICAST},
      {"[ff0e::1]", AddressRules.MULTICAST},
      {"[2606:4700:4700::1111]", OK},
      {"[2a00:1450:4001:80b::200e]", OK},
      // IPv4 spellings other than a.b.c.d: Java reads 2130706433 and 127.1 as 127.0.0.1 but
      // 0177.0.0.1 as 177.0.0.1 where curl and glibc read 127.0.0.1; all refused before any lookup
      {"2130706433", BAD_URL},
      {"0x7f.1", BAD_URL},
      {"0x7f000001", BAD_URL},
      {"017700000001", BAD_URL},
      {"0177.0.0.1", BAD_URL},
      {"127.1", BAD_URL},
      {"127.0.0.01", BAD_URL},
      {"1.2.3.0x4", BAD_URL},
      {"example.123", BAD_URL},
      // a name resolving to loopback (/etc/hosts)
      {"localhost", AddressRules.LOOPBACK},
  };

  static OutboundGuard guard;

  @BeforeAll
  static void start(Vertx vertx) {
    guard = new OutboundGuard(vertx, OutboundPolicy.strict());
  }

  @AfterAll
  static void stop() throws Exception {
    guard.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void everyRowIsJudgedAsExpected() throws Exception {
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    int refused = 0;
    for (String[] row : TABLE) {
      String outcome = outcome(guard, "http://" + row[0] + ":8080/path");
      checked++;
      boolean expectRefused = !row[1].equals(OK) && !row[1].equals(BAD_URL);
      if (expectRefused) {
        refused++;
        if (!outcome.startsWith(OutboundRefused.REFUSED + ":") || !outcome.contains(" a " + row[1] + " address")) {
          wrong.add(row[0] + " expected refused as " + row[1] + " but got " + outcome);
        }
      } else if (!outcome.equals(row[1])) {
        wrong.add(row[0] + " expected " + row[1] + " but got " + outcome);
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(checked).isEqualTo(TABLE.length).isEqualTo(73);
    assertThat(refused).isEqualTo(53);
  }

  @Test
  void theOperatorCanAllowByCidrOrByHostName(Vertx vertx) throws Exception {
    OutboundGuard byNet = new OutboundGuard(vertx, OutboundPolicy.strict().allowing("10.0.0.0/8, fd00::/8 ,169.254.169.254"));
    OutboundGuard byName = new OutboundGuard(vertx, OutboundPolicy.strict().allowing("localhost,wa.internal"));
    OutboundGuard loopbackNet = new OutboundGuard(vertx, OutboundPolicy.strict().allowing("127.0.0.0/8"));
    try {
      assertThat(outcome(byNet, "http://10.20.30.40/")).isEqualTo(OK);
      assertThat(outcome(byNet, "http://[::ffff:10.0.0.1]/")).isEqualTo(OK);
      assertThat(outcome(byNet, "http://[fd00::5]/")).isEqualTo(OK);
      assertThat(outcome(byNet, "http://169.254.169.254/latest/meta-data")).isEqualTo(OK);
      assertThat(outcome(byNet, "http://169.254.169.253/")).startsWith(OutboundRefused.REFUSED);
      assertThat(outcome(byNet, "http://[fc00::5]/")).startsWith(OutboundRefused.REFUSED);
      assertThat(outcome(byNet, "http://192.168.0.1/")).startsWith(OutboundRefused.REFUSED);
      assertThat(outcome(byNet, "http://localhost/")).startsWith(OutboundRefused.REFUSED);

      // a trusted name passes whatever it resolves to; the literal it resolves to does not
      assertThat(outcome(byName, "http://localhost:9/")).isEqualTo(OK);
      assertThat(outcome(byName, "http://LOCALHOST./")).isEqualTo(OK);
      assertThat(outcome(byName, "http://127.0.0.1/")).startsWith(OutboundRefused.REFUSED);

      // without the name in the list, localhost passes only if every address it resolves to is in an allowed net
      boolean onlyV4Loopback = true;
      for (InetAddress a : InetAddress.getAllByName("localhost")) {
        onlyV4Loopback &= a.getAddress().length == 4 && a.getAddress()[0] == 127;
      }
      assertThat(outcome(loopbackNet, "http://localhost/")).isEqualTo(onlyV4Loopback ? OK : OutboundRefused.REFUSED
          + ": host localhost resolves to a loopback address; the operator can allow it with HUB_OUTBOUND_ALLOW");
      assertThat(outcome(guard, "http://localhost/")).startsWith(OutboundRefused.REFUSED);
    } finally {
      byNet.close();
      byName.close();
      loopbackNet.close();
    }
  }

  @Test
  void anAllowListOnlyPolicyReachesNothingElse(Vertx vertx) throws Exception {
    OutboundGuard only = new OutboundGuard(vertx, OutboundPolicy.strict().allowing("127.0.0.1/32,localhost").onlyAllowed());
    try {
      assertThat(outcome(only, "http://127.0.0.1:9/")).isEqualTo(OK);
      assertThat(outcome(only, "http://localhost:9/")).isEqualTo(OK); // trusted by name
      // public addresses, which the default policy lets through, are refused too
      assertThat(outcome(guard, "http://8.8.8.8/")).isEqualTo(OK);
      assertThat(outcome(only, "http://8.8.8.8/")).isEqualTo(OutboundRefused.REFUSED
          + ": address 8.8.8.8 is not in HUB_OUTBOUND_ALLOW, and HUB_OUTBOUND_ALLOW_ONLY lets nothing else out");
      assertThat(outcome(only, "http://[2001:4860:4860::8888]/")).startsWith(OutboundRefused.REFUSED);
      assertThat(outcome(only, "http://127.0.0.2/")).startsWith(OutboundRefused.REFUSED);
    } finally {
      only.close();
    }
  }

  @Test
  void urlFormIsChecked() throws Exception {
    assertThat(outcome(guard, "http://user:hunter2@8.8.8.8/")).isEqualTo(BAD_URL);
    assertThat(failure(guard, "http://user:hunter2@8.8.8.8/").getMessage()).doesNotContain("hunter2");
    assertThat(outcome(guard, "http://user@8.8.8.8/")).isEqualTo(BAD_URL);
    assertThat(outcome(guard, "ftp://8.8.8.8/")).isEqualTo(BAD_URL);
    assertThat(outcome(guard, "file:///etc/passwd")).isEqualTo(BAD_URL);
    assertThat(outcome(guard, "//8.8.8.8/")).isEqualTo(BAD_URL);
    assertThat(outcome(guard, "http://[fe80::1%25eth0]/")).isEqualTo(BAD_URL);
    assertThat(outcome(guard, "http:///x")).isEqualTo(BAD_URL);
    assertThat(outcome(guard, "http://8.8.8.8:0/")).isEqualTo(BAD_URL);
    assertThat(outcome(guard, "HTTPS://8.8.8.8/x?a=b#frag")).isEqualTo(OK); // a full URL may have a query

    assertThat(OutboundGuard.origin("https://Graph.Facebook.com./v1")).isEqualTo("https://graph.facebook.com:443");
    assertThat(OutboundGuard.origin("http://[::ffff:127.0.0.1]:80")).isEqualTo("http://127.0.0.1:80");
    OutboundGuard.validateBaseUrl("https://waha.example.com:3000/api");
    for (String bad : List.of("https://waha.example.com/?x=1", "https://waha.example.com/#f", "https://k:s@waha.example.com",
        "https://waha.example.com?", "mailto:a@b.c", "waha.example.com")) {
      try {
        OutboundGuard.validateBaseUrl(bad);
        throw new AssertionError("accepted " + bad);
      } catch (OutboundRefused e) {
        assertThat(e.code()).isEqualTo(OutboundRefused.BAD_URL);
        assertThat(e.getMessage()).doesNotContain(":s@");
      }
    }
  }

  @Test
  void allowListIsParsedStrictly() {
    OutboundPolicy p = OutboundPolicy.strict().allowing(" 127.0.0.1/32 ,localhost, WA.internal. ,::1, 10.1.0.0/16,");
    assertThat(p.allowedNets()).extracting(Cidr::toString)
        .containsExactly("127.0.0.1/32", "0:0:0:0:0:0:0:1/128", "10.1.0.0/16");
    assertThat(p.allowedHosts()).containsExactlyInAnyOrder("localhost", "wa.internal");
    assertThat(Cidr.parse("10.1.2.3/8").toString()).isEqualTo("10.0.0.0/8");
    for (String bad : List.of("10.0.0.0/33", "999.1.1.1/8", "exa mple", "http://x", "2130706433", "0x7f.1", "fe80::/x")) {
      try {
        OutboundPolicy.strict().allowing(bad);
        throw new AssertionError("accepted " + bad);
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).startsWith("config HUB_OUTBOUND_ALLOW");
      }
    }
  }

  static String outcome(OutboundGuard g, String url) throws Exception {
    Throwable t = failure(g, url);
    if (t == null) {
      return OK;
    }
    if (t instanceof OutboundRefused r) {
      return r.code().equals(BAD_URL) ? BAD_URL : r.code() + ": " + r.getMessage();
    }
    return t.toString();
  }

  static Throwable failure(OutboundGuard g, String url) throws Exception {
    try {
      g.check(url).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }
}
