package org.wahub.bench.reliability;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Generator of bad requests for {@code POST /instances/:id/messages} and friends (scenario 6).
 * Every case is one complete raw HTTP/1.1 request. Most are malformed and must be refused with a
 * 4xx; a few are the valid side of a boundary (controls, must be accepted) so that "everything is
 * refused" cannot pass by accident; the ambiguous-duplicate cases (repeated JSON member names,
 * repeated headers) are tracked on their own instance.
 */
final class Fuzz {

  enum Expect {
    /** Malformed: a 4xx, no row. */
    REJECT,
    /** Ambiguous duplicates (member names, headers): should be refused; sent to their own instance. */
    DUPLICATE,
    /** The valid side of a boundary: 202. */
    CONTROL
  }

  record Case(String category, String name, byte[] request, Expect expect, boolean mayCloseWithoutAnswer) {
  }

  /** What the generator needs to know about the hub under test. */
  record Target(String keyA, String keyB, String revokedKey, String adminKey, String instA, String instDup, String instB,
                String msgA, String msgB) {
  }

  private static final String TO = "+4915112345678";
  private static final String[] CATEGORIES = {
      "wrong_types", "missing_fields", "huge", "deep_nesting", "invalid_utf8", "content_type", "auth", "cross_tenant",
      "odd_ids", "boundary", "random_bytes", "duplicates", "nul_surrogates", "oversized_headers", "misc"};
  private static final int[] WEIGHTS = {10, 4, 2, 4, 5, 5, 6, 6, 9, 8, 6, 4, 6, 3, 8};

  private final Random rnd;
  private final Target t;
  private final String run;
  private long n;

  Fuzz(Random rnd, Target target, String run) {
    this.rnd = rnd;
    this.t = target;
    this.run = run;
  }

  /** {@code malformed} malformed/duplicate cases plus controls (about 3 % on top). */
  List<Case> generate(int malformed) {
    List<Case> out = new ArrayList<>(malformed + malformed / 25);
    int total = 0;
    for (int w : WEIGHTS) {
      total += w;
    }
    int made = 0;
    // every category at least once, in order, then weighted at random
    for (int c = 0; c < CATEGORIES.length && made < malformed; c++) {
      out.add(make(CATEGORIES[c]));
      made++;
    }
    while (made < malformed) {
      int r = rnd.nextInt(total);
      int c = 0;
      while (r >= WEIGHTS[c]) {
        r -= WEIGHTS[c++];
      }
      out.add(make(CATEGORIES[c]));
      made++;
      if (rnd.nextInt(33) == 0) {
        out.add(control());
      }
    }
    for (int i = 0; i < 8; i++) {
      out.add(controlNumber(i));
    }
    return out;
  }

  private Case make(String category) {
    return switch (category) {
      case "wrong_types" -> wrongTypes();
      case "missing_fields" -> missing();
      case "huge" -> huge();
      case "deep_nesting" -> deep();
      case "invalid_utf8" -> invalidUtf8();
      case "content_type" -> contentType();
      case "auth" -> auth();
      case "cross_tenant" -> crossTenant();
      case "odd_ids" -> oddIds();
      case "boundary" -> boundaryInvalid();
      case "random_bytes" -> randomBytes();
      case "duplicates" -> duplicates();
      case "nul_surrogates" -> nulSurrogates();
      case "oversized_headers" -> oversizedHeaders();
      default -> misc();
    };
  }

  // ------------------------------------------------------------------ request building

  private String key() {
    return "fz-" + run + "-" + (++n);
  }

  private final class Req {
    String method = "POST";
    byte[] target;
    String auth = "Bearer " + t.keyA();
    String contentType = "application/json";
    String idempotencyKey = key();
    final List<byte[]> extra = new ArrayList<>();
    byte[] body;
    boolean contentLength = true;
    Integer forcedLength;

    Req(String path) {
      this.target = path.getBytes(StandardCharsets.UTF_8);
    }

    Req target(byte[] raw) {
      this.target = raw;
      return this;
    }

    Req body(String json) {
      this.body = json.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    Req bodyBytes(byte[] b) {
      this.body = b;
      return this;
    }

    Req header(String name, String value) {
      extra.add((name + ": " + value).getBytes(StandardCharsets.UTF_8));
      return this;
    }

    Req rawHeader(byte[] line) {
      extra.add(line);
      return this;
    }

    byte[] build() {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      write(b, method.getBytes(StandardCharsets.US_ASCII));
      write(b, " ".getBytes(StandardCharsets.US_ASCII));
      write(b, target);
      write(b, " HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
      if (auth != null) {
        line(b, ("Authorization: " + auth).getBytes(StandardCharsets.UTF_8));
      }
      if (contentType != null && body != null) {
        line(b, ("Content-Type: " + contentType).getBytes(StandardCharsets.UTF_8));
      }
      if (idempotencyKey != null) {
        line(b, ("Idempotency-Key: " + idempotencyKey).getBytes(StandardCharsets.UTF_8));
      }
      for (byte[] h : extra) {
        line(b, h);
      }
      if (body != null && contentLength) {
        line(b, ("Content-Length: " + (forcedLength != null ? forcedLength : body.length)).getBytes(StandardCharsets.US_ASCII));
      }
      line(b, "Connection: close".getBytes(StandardCharsets.US_ASCII));
      write(b, "\r\n".getBytes(StandardCharsets.US_ASCII));
      if (body != null) {
        write(b, body);
      }
      return b.toByteArray();
    }

    private void line(ByteArrayOutputStream b, byte[] l) {
      write(b, l);
      write(b, "\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private void write(ByteArrayOutputStream b, byte[] bytes) {
      b.write(bytes, 0, bytes.length);
    }
  }

  private String messages(String instance) {
    return "/instances/" + instance + "/messages";
  }

  private Req post() {
    return new Req(messages(t.instA()));
  }

  private Case reject(String category, String name, Req r) {
    return new Case(category, name, r.build(), Expect.REJECT, false);
  }

  private static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private <T> T pick(T[] items) {
    return items[rnd.nextInt(items.length)];
  }

  private String text() {
    return q("fuzz " + n + " " + rnd.nextInt(1_000_000));
  }

  // ------------------------------------------------------------------ categories

  private static final String[] WRONG = {"123", "-1.5", "true", "false", "[]", "[1,2]", "{}", "{\"a\":1}", "1e400", "-0",
      "[\"+4915112345678\"]", "18446744073709551616", "0.0000000000000000000001"};
  private static final String[] WRONG_STRINGISH = {"123", "true", "[]", "{}", "[\"x\"]", "{\"text\":\"x\"}", "1e400"};

  private Case wrongTypes() {
    int which = rnd.nextInt(12);
    String v = pick(WRONG);
    String body = switch (which) {
      case 0 -> "{\"to\":" + v + ",\"text\":" + text() + "}";
      case 1 -> "{\"to\":\"" + TO + "\",\"text\":" + pick(WRONG_STRINGISH) + "}";
      case 2 -> "{\"to\":\"" + TO + "\",\"text\":" + text() + ",\"idempotencyKey\":" + pick(WRONG_STRINGISH) + "}";
      case 3 -> "{\"to\":\"" + TO + "\",\"text\":" + text() + ",\"sendAt\":" + pick(WRONG_STRINGISH) + "}";
      case 4 -> "{\"to\":\"" + TO + "\",\"text\":" + text() + ",\"expiresAt\":" + pick(WRONG_STRINGISH) + "}";
      case 5 -> "{\"to\":\"" + TO + "\",\"text\":" + text() + ",\"metadata\":" + pick(new String[] {"1", "\"m\"", "true",
          "[1]", "[]"}) + "}";
      case 6 -> "{\"to\":\"" + TO + "\",\"media\":" + pick(new String[] {"1", "\"http://x/y.png\"", "[]", "true"}) + "}";
      case 7 -> "{\"to\":\"" + TO + "\",\"location\":" + pick(new String[] {"1", "\"52.5,13.4\"", "[52.5,13.4]"}) + "}";
      case 8 -> "{\"to\":\"" + TO + "\",\"contact\":" + pick(new String[] {"1", "\"Ann\"", "[]"}) + "}";
      case 9 -> "{\"to\":\"" + TO + "\",\"media\":{\"url\":" + pick(WRONG_STRINGISH) + ",\"mimetype\":\"image/png\"}}";
      case 10 -> "{\"to\":\"" + TO + "\",\"location\":{\"latitude\":\"52.5\",\"longitude\":" + pick(WRONG_STRINGISH) + "}}";
      default -> null;
    };
    if (body == null) {
      // polls
      String[] pollBodies = {
          "{\"to\":\"" + TO + "\",\"question\":" + pick(WRONG_STRINGISH) + ",\"options\":[\"a\",\"b\"]}",
          "{\"to\":\"" + TO + "\",\"question\":\"q\",\"options\":" + pick(new String[] {"\"a,b\"", "1", "{}", "[1,2]",
              "[\"a\",2]", "[null,\"b\"]", "[[\"a\"],\"b\"]"}) + "}",
          "{\"to\":\"" + TO + "\",\"question\":\"q\",\"options\":[\"a\",\"b\"],\"multipleAnswers\":" + pick(new String[] {
              "\"true\"", "1", "[]", "{}"}) + "}"};
      return reject("wrong_types", "poll " + which, new Req("/instances/" + t.instA() + "/polls").body(pick(pollBodies)));
    }
    return reject("wrong_types", "field " + which, post().body(body));
  }

  private Case missing() {
    String[] bodies = {"{}", "{\"to\":\"" + TO + "\"}", "{\"text\":" + text() + "}", "null", "[]", "\"x\"", "1", "true",
        "{\"to\":null,\"text\":" + text() + "}", "{\"to\":\"" + TO + "\",\"text\":null}", ""};
    String b = pick(bodies);
    if (rnd.nextInt(5) == 0) {
      String[] polls = {"{\"to\":\"" + TO + "\",\"question\":\"q\"}", "{\"to\":\"" + TO + "\",\"options\":[\"a\",\"b\"]}",
          "{\"question\":\"q\",\"options\":[\"a\",\"b\"]}"};
      return reject("missing_fields", "poll", new Req("/instances/" + t.instA() + "/polls").body(pick(polls)));
    }
    Req r = post().body(b);
    if (b.isEmpty() && rnd.nextBoolean()) {
      r.body = null; // no body at all
    }
    return reject("missing_fields", b.isEmpty() ? "empty" : b.length() > 20 ? b.substring(0, 20) : b, r);
  }

  private Case huge() {
    int kind = rnd.nextInt(4);
    String body = switch (kind) {
      case 0 -> "{\"to\":\"" + TO + "\",\"text\":\"" + "x".repeat(66_000 + rnd.nextInt(40_000)) + "\"}";
      case 1 -> "{\"to\":\"" + TO + "\",\"text\":\"x\",\"metadata\":{\"blob\":\"" + "y".repeat(70_000) + "\"}}";
      case 2 -> "[" + "1,".repeat(40_000) + "1]";
      default -> "{\"to\":\"" + TO + "\",\"text\":\"" + "z".repeat(10_000 + rnd.nextInt(40_000)) + "\"}"; // under 64 KB: too long
    };
    return reject("huge", "kind " + kind + " (" + body.length() + " bytes)", post().body(body));
  }

  private Case deep() {
    int d = pick(new Integer[] {33, 40, 100, 999, 1000, 1001, 2000, 5000, 20_000});
    boolean arrays = rnd.nextBoolean();
    String nest = arrays ? "[".repeat(d) + "1" + "]".repeat(d) : "{\"a\":".repeat(d) + "1" + "}".repeat(d);
    int where = rnd.nextInt(3);
    String body = switch (where) {
      case 0 -> "{\"to\":\"" + TO + "\",\"text\":\"x\",\"metadata\":{\"deep\":" + nest + "}}";
      case 1 -> "{\"to\":\"" + TO + "\",\"text\":" + nest + "}";
      default -> nest;
    };
    if (rnd.nextInt(4) == 0) {
      body = body.substring(0, body.length() - 1 - rnd.nextInt(Math.max(1, d / 2))); // unbalanced too
    }
    return reject("deep_nesting", (arrays ? "arrays " : "objects ") + d + " in " + where, post().body(body));
  }

  private static final byte[][] BAD_UTF8 = {
      {(byte) 0xC3, 0x28}, {(byte) 0xA0, (byte) 0xA1}, {(byte) 0xE2, 0x28, (byte) 0xA1}, {(byte) 0xE2, (byte) 0x82, 0x28},
      {(byte) 0xF0, 0x28, (byte) 0x8C, (byte) 0xBC}, {(byte) 0xFF}, {(byte) 0xFE}, {(byte) 0xC0, (byte) 0xAF},
      {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
      {(byte) 0xC3}, {(byte) 0xE2, (byte) 0x82}};

  private Case invalidUtf8() {
    byte[] bad = BAD_UTF8[rnd.nextInt(BAD_UTF8.length)];
    int where = rnd.nextInt(6);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Function<String, byte[]> u = s -> s.getBytes(StandardCharsets.UTF_8);
    switch (where) {
      case 0 -> {
        b.writeBytes(u.apply("{\"to\":\"" + TO + "\",\"text\":\"bad "));
        b.writeBytes(bad);
        b.writeBytes(u.apply(" utf8\"}"));
      }
      case 1 -> {
        b.writeBytes(u.apply("{\"to\":\"" + TO));
        b.writeBytes(bad);
        b.writeBytes(u.apply("\",\"text\":\"x\"}"));
      }
      case 2 -> {
        b.writeBytes(u.apply("{\"to\":\"" + TO + "\",\"text\":\"x\",\"metadata\":{\"k"));
        b.writeBytes(bad);
        b.writeBytes(u.apply("\":1}}"));
      }
      case 3 -> {
        b.writeBytes(u.apply("{\"to\":\"" + TO + "\",\"text\":\"x\",\"idempotencyKey\":\"k"));
        b.writeBytes(bad);
        b.writeBytes(u.apply("\"}"));
      }
      case 4 -> {
        // in the Idempotency-Key header, with a valid body
        Req r = post().body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}");
        r.idempotencyKey = null;
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.writeBytes(u.apply("Idempotency-Key: k-"));
        h.writeBytes(bad);
        r.rawHeader(h.toByteArray());
        return reject("invalid_utf8", "header bytes " + hex(bad), r);
      }
      default -> {
        // in the instance id of the request line
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.writeBytes(u.apply("/instances/" + t.instA()));
        p.writeBytes(bad);
        p.writeBytes(u.apply("/messages"));
        return reject("invalid_utf8", "path bytes " + hex(bad),
            post().target(p.toByteArray()).body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}"));
      }
    }
    return reject("invalid_utf8", "body bytes " + hex(bad) + " at " + where, post().bodyBytes(b.toByteArray()));
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02X", x));
    }
    return s.toString();
  }

  private static final String[] BAD_TYPES = {"text/plain", "application/xml", "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=xyz", "application/octet-stream", "text/json", "application/jsonx", "json",
      "application/", "*/*", "application/json-seq", "application/javascript", "text/html; charset=utf-8",
      "application/jsonp", "image/png", "application/x-json"};

  private Case contentType() {
    Req r = post().body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}");
    int k = rnd.nextInt(BAD_TYPES.length + 2);
    if (k == BAD_TYPES.length) {
      r.contentType = null;
      return reject("content_type", "none", r);
    }
    if (k == BAD_TYPES.length + 1) {
      r.contentType = "";
      return reject("content_type", "empty", r);
    }
    r.contentType = BAD_TYPES[k];
    return reject("content_type", BAD_TYPES[k], r);
  }

  private Case auth() {
    Req r = post().body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}");
    String[] variants = {null, "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer wah_" + randomToken(43),
        "Bearer " + randomToken(20), "Bearer " + t.keyA() + "x", "Bearer " + t.keyA().substring(0, t.keyA().length() - 1),
        "bearer" + t.keyA(), "Token " + t.keyA(), "Bearer " + t.revokedKey(), "Bearer " + t.adminKey(),
        "Bearer " + "A".repeat(5000), "Bearer " + t.keyA().toUpperCase(), t.keyA(), "Bearer wah_ünïcödé", "Bearer \t"};
    int k = rnd.nextInt(variants.length);
    r.auth = variants[k];
    return reject("auth", "variant " + k, r);
  }

  private String randomToken(int len) {
    String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < len; i++) {
      b.append(chars.charAt(rnd.nextInt(chars.length())));
    }
    return b.toString();
  }

  private Case crossTenant() {
    boolean bAttacksA = rnd.nextBoolean();
    String attacker = bAttacksA ? t.keyB() : t.keyA();
    String victimInstance = bAttacksA ? t.instA() : t.instB();
    String victimMessage = bAttacksA ? t.msgA() : t.msgB();
    String valid = "{\"to\":\"" + TO + "\",\"text\":" + text() + "}";
    int k = rnd.nextInt(15);
    Req r = switch (k) {
      case 0 -> new Req(messages(victimInstance)).body(valid);
      case 1 -> new Req("/instances/" + victimInstance + "/polls")
          .body("{\"to\":\"" + TO + "\",\"question\":\"q\",\"options\":[\"a\",\"b\"]}");
      case 2 -> get("/messages/" + victimMessage);
      case 3 -> new Req("/messages/" + victimMessage + "/cancel").body("{}");
      case 4 -> new Req("/messages/" + victimMessage + "/retry").body("{}");
      case 5 -> method("DELETE", "/messages/" + victimMessage);
      case 6 -> get("/instances/" + victimInstance);
      case 7 -> method("PATCH", "/instances/" + victimInstance).body("{\"name\":\"pwned\"}");
      case 8 -> method("DELETE", "/instances/" + victimInstance + "?force=true");
      case 9 -> new Req("/instances/" + victimInstance + "/stop");
      case 10 -> new Req("/instances/" + victimInstance + "/restart").body("{\"type\":\"hard\"}");
      case 11 -> new Req("/instances/" + victimInstance + "/simulate").body("{\"event\":\"disconnect\"}");
      case 12 -> get("/instances/" + victimInstance + "/simulate/log");
      case 13 -> get("/instances/" + victimInstance + "/status");
      // path normalisation must not become a way around the tenant check
      default -> new Req("/instances/" + (bAttacksA ? t.instB() : t.instA()) + "/../" + victimInstance + "/messages").body(valid);
    };
    r.auth = "Bearer " + attacker;
    return reject("cross_tenant", (bAttacksA ? "B→A " : "A→B ") + k, r);
  }

  private Req get(String path) {
    Req r = new Req(path);
    r.method = "GET";
    r.idempotencyKey = null;
    return r;
  }

  private Req method(String m, String path) {
    Req r = new Req(path);
    r.method = m;
    return r;
  }

  private static final String[] ODD_IDS = {"..", "%2e%2e", "..%2f..%2ftenants", "%2e%2e%2f%2e%2e%2ftenants", "%00",
      "fuzz-a%00", "a%00b", "ü", "%C3%BC", "%FF", "%FE%FF", "%", "%zz", "%%", "%2", ";", "fuzz-a;x", "fuzz-a%3Bx", "%20",
      "+", "~", "-x", ".hidden", "_x", "FUZZ-A", "fuzz-a%2Fmessages", "fuzz-a%5C..%5Cfuzz-b", "%3Cscript%3E",
      "%27%3B%20DROP%20TABLE%20messages%3B--", "%F0%9F%98%80", "%E2%80%AE", "%0d%0aX-Injected:%20x", "con", "nul",
      "fuzz-a%252e%252e", "..%252f", "%c0%ae%c0%ae", "%u002e%u002e", "\\..\\", "*", "$(id)", "%24%7Bjndi:ldap://x%7D"};

  private Case oddIds() {
    String id;
    int k = rnd.nextInt(ODD_IDS.length + 3);
    if (k == ODD_IDS.length) {
      id = "a".repeat(65 + rnd.nextInt(200));
    } else if (k == ODD_IDS.length + 1) {
      id = "x".repeat(64); // well-formed, but nobody's
    } else if (k == ODD_IDS.length + 2) {
      id = t.instB(); // well-formed, another tenant's
    } else {
      id = ODD_IDS[k];
    }
    int form = rnd.nextInt(4);
    String valid = "{\"to\":\"" + TO + "\",\"text\":" + text() + "}";
    Req r = switch (form) {
      case 0, 1 -> new Req(messages(id)).body(valid);
      case 2 -> get("/instances/" + id + "/status");
      default -> {
        // message ids: odd strings, another tenant's id, forms of it
        String[] mids = {id, t.msgB(), t.msgB().toUpperCase(), t.msgB() + "x", "00000000-0000-0000-0000-000000000000",
            "../../etc/passwd", "..%2f..%2fetc%2fpasswd", t.msgB().replace("-", ""), "{" + t.msgB() + "}"};
        String mid = mids[rnd.nextInt(mids.length)];
        yield rnd.nextBoolean() ? get("/messages/" + mid) : new Req("/messages/" + mid + "/cancel").body("{}");
      }
    };
    return reject("odd_ids", "id " + k + " form " + form, r);
  }

  private Case boundaryInvalid() {
    int k = rnd.nextInt(13);
    String poll = "/instances/" + t.instA() + "/polls";
    return switch (k) {
      case 0 -> reject("boundary", "text 4097", post().body("{\"to\":\"" + TO + "\",\"text\":\"" + "t".repeat(4097) + "\"}"));
      case 1 -> reject("boundary", "text 4097 emoji", post().body("{\"to\":\"" + TO + "\",\"text\":\"" + "😀".repeat(4097) + "\"}"));
      case 2 -> {
        Req r = post().body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}");
        r.idempotencyKey = "k".repeat(256);
        yield reject("boundary", "header key 256", r);
      }
      case 3 -> {
        Req r = post().body("{\"to\":\"" + TO + "\",\"text\":" + text() + ",\"idempotencyKey\":\"" + "b".repeat(256) + "\"}");
        r.idempotencyKey = null;
        yield reject("boundary", "body key 256", r);
      }
      case 4 -> reject("boundary", "options 13", new Req(poll).body(pollBody("q", options(13, 5))));
      case 5 -> reject("boundary", "options 1", new Req(poll).body(pollBody("q", options(1, 5))));
      case 6 -> reject("boundary", "options 0", new Req(poll).body(pollBody("q", options(0, 5))));
      case 7 -> reject("boundary", "question 256", new Req(poll).body(pollBody("q".repeat(256), options(2, 5))));
      case 8 -> reject("boundary", "option 101", new Req(poll).body(pollBody("q", "[\"" + "o".repeat(101) + "\",\"b\"]")));
      case 9 -> reject("boundary", "options repeat (case)", new Req(poll).body(pollBody("q", "[\"Yes\",\"yes\"]")));
      case 10 -> {
        Req r = post().body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}");
        r.idempotencyKey = pick(new String[] {"", " ", "a b", "k\t1", "auto:forged", "ключ", "k\u007f"});
        yield reject("boundary", "key charset", r);
      }
      case 11 -> reject("boundary", "metadata 8193+ bytes",
          post().body("{\"to\":\"" + TO + "\",\"text\":\"x\",\"metadata\":{\"m\":\"" + "m".repeat(8200) + "\"}}"));
      default -> reject("boundary", "blank text", post().body("{\"to\":\"" + TO + "\",\"text\":\"" + pick(new String[] {
          "", " ", "   ", "\\n\\t", "\u2003"}) + "\"}"));
    };
  }

  private static String options(int count, int len) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append('"').append("opt").append(i).append("x".repeat(Math.max(0, len - 4))).append('"');
    }
    return b.append(']').toString();
  }

  private static String pollBody(String question, String options) {
    return "{\"to\":\"" + TO + "\",\"question\":" + q(question) + ",\"options\":" + options + "}";
  }

  /** The valid side of the boundaries: must be accepted. */
  private Case control() {
    return controlNumber(rnd.nextInt(8));
  }

  private Case controlNumber(int k) {
    String poll = "/instances/" + t.instA() + "/polls";
    Req r = switch (k) {
      case 0 -> post(); // body below: exactly 4096 characters, unique per case
      case 1 -> post().body("{\"to\":\"" + TO + "\",\"text\":\"" + "😀".repeat(4096) + "\"}");
      case 2 -> {
        Req x = post().body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}");
        String base = key();
        x.idempotencyKey = base + "k".repeat(255 - base.length());
        yield x;
      }
      case 3 -> new Req(poll).body(pollBody("q " + n, options(12, 5)));
      case 4 -> new Req(poll).body(pollBody("q " + n, options(2, 5)));
      case 5 -> new Req(poll).body(pollBody(("q" + n + "q".repeat(255)).substring(0, 255), options(2, 5)));
      case 6 -> new Req(poll).body(pollBody("q " + n, "[\"" + ("o" + n + "o".repeat(100)).substring(0, 100) + "\",\"b\"]"));
      default -> post().body("{\"to\":\"" + TO + "\",\"text\":" + text() + ",\"metadata\":{\"m\":\"" + "m".repeat(8000) + "\"}}");
    };
    if (k == 0) {
      String unique = Long.toString(n);
      r.body("{\"to\":\"" + TO + "\",\"text\":\"" + unique + "t".repeat(4096 - unique.length()) + "\"}");
    }
    if (k == 1) {
      r.idempotencyKey = key(); // same text every time: the explicit key keeps each control its own message
    }
    return new Case("control", "control " + k, r.build(), Expect.CONTROL, false);
  }

  private static final byte[] CONTROL_BYTES = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0x0B, 0x0C, 0x0E, 0x0F, 0x10, 0x1B, 0x1F};

  private Case randomBytes() {
    int k = rnd.nextInt(5);
    switch (k) {
      case 0 -> {
        byte[] b = new byte[1 + rnd.nextInt(2000)];
        rnd.nextBytes(b);
        return reject("random_bytes", "body " + b.length, post().bodyBytes(b));
      }
      case 1 -> {
        // the whole request is noise: the HTTP codec refuses it or closes
        byte[] b = new byte[1 + rnd.nextInt(600)];
        rnd.nextBytes(b);
        // a visible first byte: an HTTP server skips leading blank lines and control characters
        // before a request line (RFC 9112 §2.2), so all-skippable noise is no request at all and
        // the connection rightly waits for one (a CI run drew one such byte: "no answer within 10 s")
        b[0] = (byte) ('!' + rnd.nextInt(94));
        byte[] req = new byte[b.length + 4];
        System.arraycopy(b, 0, req, 0, b.length);
        System.arraycopy("\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0, req, b.length, 4);
        return new Case("random_bytes", "raw request " + b.length, req, Expect.REJECT, true);
      }
      case 2 -> {
        // a valid body cut short: never valid JSON
        String valid = "{\"to\":\"" + TO + "\",\"text\":" + text() + ",\"metadata\":{\"a\":[1,2,{\"b\":\"c\"}]}}";
        return reject("random_bytes", "truncated", post().body(valid.substring(0, 1 + rnd.nextInt(valid.length() - 1))));
      }
      case 3 -> {
        // a valid body with a raw control character inserted somewhere: never valid JSON
        String valid = "{\"to\":\"" + TO + "\",\"text\":" + text() + "}";
        byte[] v = valid.getBytes(StandardCharsets.UTF_8);
        int at = rnd.nextInt(v.length + 1);
        byte[] b = new byte[v.length + 1];
        System.arraycopy(v, 0, b, 0, at);
        b[at] = CONTROL_BYTES[rnd.nextInt(CONTROL_BYTES.length)];
        System.arraycopy(v, at, b, at + 1, v.length - at);
        return reject("random_bytes", "control byte " + b[at] + " at " + at, post().bodyBytes(b));
      }
      default -> {
        String noise = randomToken(1 + rnd.nextInt(80));
        return reject("random_bytes", "ascii noise", post().body(noise));
      }
    }
  }

  private Case duplicates() {
    String dup = messages(t.instDup());
    int k = rnd.nextInt(8);
    Req r = switch (k) {
      case 0 -> new Req(dup).body("{\"to\":\"" + TO + "\",\"text\":" + text() + ",\"text\":" + text() + "}");
      case 1 -> new Req(dup).body("{\"to\":\"+4915112345670\",\"to\":\"" + TO + "\",\"text\":" + text() + "}");
      case 2 -> {
        Req x = new Req(dup).body("{\"to\":\"" + TO + "\",\"text\":" + text() + ",\"idempotencyKey\":\"" + key()
            + "\",\"idempotencyKey\":\"" + key() + "\"}");
        x.idempotencyKey = null;
        yield x;
      }
      case 3 -> new Req(dup).body("{\"to\":\"" + TO + "\",\"text\":" + text() + ",\"metadata\":{\"a\":1,\"a\":2}}");
      case 4 -> new Req(dup).body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}").header("Idempotency-Key", key());
      case 5 -> new Req(dup).body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}").header("Content-Type", "text/plain");
      case 6 -> new Req(dup).body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}").header("Authorization", "Bearer " + t.keyB());
      default -> new Req("/instances/" + t.instDup() + "/polls").body("{\"to\":\"" + TO + "\",\"question\":\"q" + n
          + "\",\"options\":[\"a\",\"b\"],\"options\":[\"c\",\"d\"]}");
    };
    String[] names = {"member text twice", "member to twice", "member idempotencyKey twice", "nested member twice",
        "header Idempotency-Key twice", "header Content-Type twice", "header Authorization twice", "member options twice"};
    return new Case("duplicates", names[k], r.build(), Expect.DUPLICATE, false);
  }

  private Case nulSurrogates() {
    String[] bad = {"\\u0000", "a\\u0000b", "\\ud800", "\\udc00", "x\\ud800y", "\\udc00\\ud800", "\\ud83d", "\\ude00x",
        "\\uDBFF"};
    String v = pick(bad);
    int where = rnd.nextInt(9);
    if (where == 6) {
      // a raw NUL byte inside a JSON string: not JSON at all
      byte[] b = ("{\"to\":\"" + TO + "\",\"text\":\"a\u0000b\"}").getBytes(StandardCharsets.UTF_8);
      return reject("nul_surrogates", "raw NUL in string", post().bodyBytes(b));
    }
    if (where == 7) {
      Req r = post().body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}");
      r.idempotencyKey = null;
      r.rawHeader(new byte[] {'I', 'd', 'e', 'm', 'p', 'o', 't', 'e', 'n', 'c', 'y', '-', 'K', 'e', 'y', ':', ' ', 'k', 0, 'x'});
      return reject("nul_surrogates", "NUL in header", r);
    }
    if (where == 8) {
      return reject("nul_surrogates", "%00 in path", new Req("/instances/" + t.instA() + "%00/messages")
          .body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}"));
    }
    String body = switch (where) {
      case 0 -> "{\"to\":\"" + TO + "\",\"text\":\"" + v + "\"}";
      case 1 -> "{\"to\":\"" + TO + v + "\",\"text\":\"x\"}";
      case 2 -> "{\"to\":\"" + TO + "\",\"text\":\"x\",\"idempotencyKey\":\"k" + v + "\"}";
      case 3 -> "{\"to\":\"" + TO + "\",\"text\":\"x\",\"metadata\":{\"k" + v + "\":1}}";
      case 4 -> "{\"to\":\"" + TO + "\",\"text\":\"x\",\"metadata\":{\"k\":[\"" + v + "\"]}}";
      default -> null;
    };
    if (body == null) {
      return reject("nul_surrogates", "poll " + v, new Req("/instances/" + t.instA() + "/polls")
          .body("{\"to\":\"" + TO + "\",\"question\":\"q" + v + "\",\"options\":[\"a" + v + "\",\"b\"]}"));
    }
    return reject("nul_surrogates", v + " at " + where, post().body(body));
  }

  private Case oversizedHeaders() {
    int k = rnd.nextInt(6);
    Req r = post().body("{\"to\":\"" + TO + "\",\"text\":" + text() + "}");
    switch (k) {
      case 0 -> r.header("X-Pad", "p".repeat(9000 + rnd.nextInt(20_000)));
      case 1 -> r.idempotencyKey = "k".repeat(9000);
      case 2 -> {
        for (int i = 0; i < 150; i++) {
          r.header("X-Many-" + i, "v".repeat(100));
        }
      }
      case 3 -> r.target(("/instances/" + t.instA() + "/messages?" + "q=".repeat(3000)).getBytes(StandardCharsets.US_ASCII));
      case 4 -> r.target(("/instances/" + "i".repeat(5000) + "/messages").getBytes(StandardCharsets.US_ASCII));
      default -> r.auth = "Bearer " + "t".repeat(9000);
    }
    return new Case("oversized_headers", "kind " + k, r.build(), Expect.REJECT, false);
  }

  private Case misc() {
    int k = rnd.nextInt(20);
    String valid = "{\"to\":\"" + TO + "\",\"text\":" + text() + "}";
    switch (k) {
      case 0 -> {
        return reject("misc", "PUT", method("PUT", messages(t.instA())).body(valid));
      }
      case 1 -> {
        return reject("misc", "DELETE on collection", method("DELETE", messages(t.instA())));
      }
      case 2 -> {
        return reject("misc", "PATCH", method("PATCH", messages(t.instA())).body(valid));
      }
      case 3 -> {
        return reject("misc", "trailing garbage", post().body(valid + pick(new String[] {"x", "}", "]", "{}", valid, ",", "null"})));
      }
      case 4 -> {
        return reject("misc", "bad sendAt", post().body("{\"to\":\"" + TO + "\",\"text\":\"x\",\"sendAt\":" + q(pick(new String[] {
            "yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01", "2026-01-01T00:00:00", "+99999-01-01T00:00:00Z",
            "2026-01-01T25:00:00Z", "", "2099-01-01T00:00:00Z"})) + "}"));
      }
      case 5 -> {
        return reject("misc", "expiresAt past or before sendAt", post().body("{\"to\":\"" + TO + "\",\"text\":\"x\",\"expiresAt\":"
            + pick(new String[] {"\"2000-01-01T00:00:00Z\"", "\"1970-01-01T00:00:00Z\""}) + "}"));
      }
      case 6 -> {
        return reject("misc", "bad recipient", post().body("{\"to\":" + q(pick(new String[] {"", "+", "++49", "+49151123456789999999",
            "not-a-number", "+49151abc", "@c.us", "+1", "0", "+0000000000", "+4915112345678@c.us@c.us", "../../etc"}))
            + ",\"text\":\"x\"}"));
      }
      case 7 -> {
        return reject("misc", "bad media", post().body("{\"to\":\"" + TO + "\",\"media\":{\"url\":" + q(pick(new String[] {
            "ftp://x/y.png", "javascript:alert(1)", "http://", "file:///etc/passwd", "//x/y.png", "data:image/png;base64,AAAA"}))
            + ",\"mimetype\":\"image/png\"}}"));
      }
      case 8 -> {
        return reject("misc", "bad mimetype", post().body("{\"to\":\"" + TO + "\",\"media\":{\"url\":\"https://x.example/y.png\","
            + "\"mimetype\":" + q(pick(new String[] {"png", "image/", "image/png\r\nX: y", "x/y", "", "image/png; charset", "image/png,"})) + "}}"));
      }
      case 9 -> {
        return reject("misc", "bad location", post().body("{\"to\":\"" + TO + "\",\"location\":{\"latitude\":"
            + pick(new String[] {"91", "-90.0001", "1e999", "\"NaN\""}) + ",\"longitude\":" + pick(new String[] {"181", "-180.5",
            "13.4", "\"x\""}) + "}}"));
      }
      case 10 -> {
        return reject("misc", "unknown field", post().body("{\"to\":\"" + TO + "\",\"text\":\"x\",\"" + pick(new String[] {"txt",
            "priority", "__proto__", "constructor", "id", "status"}) + "\":\"y\"}"));
      }
      case 11 -> {
        return reject("misc", "two contents", post().body("{\"to\":\"" + TO + "\",\"text\":\"x\",\"location\":{\"latitude\":1,"
            + "\"longitude\":2}}"));
      }
      case 12 -> {
        Req r = post().body(valid);
        r.forcedLength = Math.max(1, r.body.length - 1 - rnd.nextInt(r.body.length - 1));
        return new Case("misc", "Content-Length shorter than body", r.build(), Expect.REJECT, true);
      }
      case 13 -> {
        Req r = post().body(valid);
        r.contentLength = false;
        r.header("Transfer-Encoding", "chunked");
        r.bodyBytes(("zz\r\n" + valid + "\r\n0\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        return new Case("misc", "bad chunk size", r.build(), Expect.REJECT, true);
      }
      case 14 -> {
        Req r = post().body(valid);
        r.header("Content-Length", "-1");
        r.contentLength = false;
        return new Case("misc", "negative Content-Length", r.build(), Expect.REJECT, true);
      }
      case 15 -> {
        Req r = post().body(valid);
        r.contentLength = false;
        r.header("Content-Length", "abc");
        return new Case("misc", "non-numeric Content-Length", r.build(), Expect.REJECT, true);
      }
      case 16 -> {
        return reject("misc", "numbers", post().body("{\"to\":\"" + TO + "\",\"text\":\"x\",\"metadata\":{\"n\":"
            + pick(new String[] {"1e999", "-1e999", "NaN", "Infinity", "01", "1.", ".5", "0x10", "+1"}) + "}}"));
      }
      case 17 -> {
        return reject("misc", "BOM + garbage", post().bodyBytes(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
            "{\"to\":".getBytes(StandardCharsets.UTF_8))));
      }
      case 18 -> {
        Req r = method("GET", messages(t.instA()));
        r.idempotencyKey = null;
        return reject("misc", "GET on intake", r);
      }
      default -> {
        return reject("misc", "poll blank option", new Req("/instances/" + t.instA() + "/polls").body(pollBody("q",
            pick(new String[] {"[\"a\",\" \"]", "[\"\",\"b\"]", "[\"a\",\"\\u2003\"]"}))));
      }
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
