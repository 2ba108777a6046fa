package org.wahub.hub.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.wahub.hub.idempotency.IdempotencyKey;

class OutboundValidatorProperties {

  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private static final OutboundValidator V = new OutboundValidator(OutboundValidator.Limits.defaults());
  private static final Set<String> CODES = Set.of(FieldError.REQUIRED, FieldError.INVALID_TYPE, FieldError.TOO_LONG,
      FieldError.TOO_SHORT, FieldError.INVALID_FORMAT, FieldError.INVALID_VALUE, FieldError.DUPLICATE,
      FieldError.UNKNOWN_FIELD, FieldError.CONFLICT, FieldError.OUT_OF_RANGE);
  private static final List<String> FIELDS = List.of("to", "text", "media", "location", "contact", "question", "options",
      "multipleAnswers", "idempotencyKey", "sendAt", "expiresAt", "metadata", "url", "mimetype", "filename", "caption",
      "latitude", "longitude", "name", "address", "phone");

  /** Whatever JSON-ish garbage arrives, both validators answer Valid or Invalid and never throw. */
  @Property(tries = 1000)
  void garbageNeverThrows(@ForAll long seed, @ForAll("headerKeys") String header) {
    Map<String, Object> body = Garbage.body(new Random(seed));
    checkWellFormed(V.validateMessage(body, header, NOW));
    checkWellFormed(V.validatePoll(body, header, NOW));
  }

  /**
   * Every member of a valid body (at any depth, list elements included) replaced in turn by
   * every kind of nasty value, plus one random garbage tree: no exception, well-formed answer.
   */
  @Property(tries = 250) // each try runs ~400 validations: every slot times every nasty value
  void everyMemberOfAValidBodyReplacedByAnythingNeverThrows(
      @ForAll("validBodies") Tuple.Tuple2<Boolean, Map<String, Object>> valid, @ForAll long seed,
      @ForAll("headerKeys") String header) {
    Map<String, Object> body = valid.get2();
    List<Object> nasty = new ArrayList<>(Garbage.NASTY);
    nasty.add(Garbage.value(new Random(seed), 0));
    for (Slot slot : Slot.all(body)) {
      Object original = slot.get();
      for (Object replacement : nasty) {
        slot.set(replacement);
        checkWellFormed(valid.get1() ? V.validatePoll(body, header, NOW) : V.validateMessage(body, header, NOW));
      }
      slot.set(original);
    }
  }

  /** A place in a JSON tree that can be overwritten: a map member or a list element. */
  record Slot(Object container, Object key) {
    @SuppressWarnings("unchecked")
    Object get() {
      return container instanceof Map<?, ?> m ? m.get(key) : ((List<Object>) container).get((Integer) key);
    }

    @SuppressWarnings("unchecked")
    void set(Object value) {
      if (container instanceof Map<?, ?> m) {
        ((Map<Object, Object>) m).put(key, value);
      } else {
        ((List<Object>) container).set((Integer) key, value);
      }
    }

    static List<Slot> all(Object tree) {
      List<Slot> slots = new ArrayList<>();
      collect(tree, slots);
      return slots;
    }

    private static void collect(Object tree, List<Slot> slots) {
      if (tree instanceof Map<?, ?> m) {
        for (Object k : new ArrayList<>(m.keySet())) {
          slots.add(new Slot(m, k));
          collect(m.get(k), slots);
        }
      } else if (tree instanceof List<?> l) {
        for (int i = 0; i < l.size(); i++) {
          slots.add(new Slot(l, i));
          collect(l.get(i), slots);
        }
      }
    }
  }

  /** Key order never matters: two valid bodies that differ only in member order have one canonical payload. */
  @Property(tries = 1000)
  void memberOrderDoesNotChangeTheCanonicalPayload(@ForAll("validBodies") Tuple.Tuple2<Boolean, Map<String, Object>> valid,
      @ForAll long seed) {
    Map<String, Object> body = valid.get2();
    Map<String, Object> shuffled = reorder(body, new Random(seed));
    ValidationResult a = valid.get1() ? V.validatePoll(body, null, NOW) : V.validateMessage(body, null, NOW);
    ValidationResult b = valid.get1() ? V.validatePoll(shuffled, null, NOW) : V.validateMessage(shuffled, null, NOW);
    assertThat(a).as("generated body must be valid: %s", body).isInstanceOf(ValidationResult.Valid.class);
    assertThat(b).isInstanceOf(ValidationResult.Valid.class);
    OutboundRequest ra = ((ValidationResult.Valid) a).request();
    OutboundRequest rb = ((ValidationResult.Valid) b).request();
    assertThat(rb.canonicalPayload()).isEqualTo(ra.canonicalPayload());
    assertThat(rb.idempotencyKey("shop1")).isEqualTo(ra.idempotencyKey("shop1"));
    assertThat(rb.payloadHash()).isEqualTo(ra.payloadHash());
  }

  private static final java.util.regex.Pattern POINTER = java.util.regex.Pattern.compile("(?s)(/.*)?");

  /** Plain checks rather than AssertJ: this runs some 100,000 times per build. */
  private static void checkWellFormed(ValidationResult r) {
    if (r == null) {
      throw new AssertionError("null result");
    }
    if (r instanceof ValidationResult.Invalid invalid) {
      if (invalid.errors().isEmpty()) {
        throw new AssertionError("invalid without errors");
      }
      for (FieldError e : invalid.errors()) {
        if (!CODES.contains(e.code()) || !POINTER.matcher(e.pointer()).matches() || e.message().isBlank()) {
          throw new AssertionError("malformed error " + e);
        }
      }
      return;
    }
    OutboundRequest req = ((ValidationResult.Valid) r).request();
    if (!req.payloadHash().matches("[0-9a-f]{64}")) {
      throw new AssertionError("bad payload hash " + req.payloadHash());
    }
    String key = req.idempotencyKey("instance-1");
    boolean ok = req.explicitKey() == null
        ? key.matches("auto:[0-9a-f]{64}")
        : key.equals(req.explicitKey()) && IdempotencyKey.validateExplicit(key).isEmpty();
    if (!ok) {
      throw new AssertionError("bad key " + key + " for " + req);
    }
  }

  private static Map<String, Object> reorder(Map<String, Object> m, Random rng) {
    List<String> keys = new ArrayList<>(m.keySet());
    Collections.shuffle(keys, rng);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String k : keys) {
      Object v = m.get(k);
      if (v instanceof Map<?, ?> nested) {
        @SuppressWarnings("unchecked")
        Map<String, Object> n = (Map<String, Object>) nested;
        v = reorder(n, rng);
      }
      out.put(k, v);
    }
    return out;
  }

  // ---------------------------------------------------------------- generators

  @Provide
  Arbitrary<String> headerKeys() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.just((String) null)),
        Tuple.of(2, Arbitraries.strings().ascii().ofMaxLength(300)),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(20)),
        Tuple.of(1, Arbitraries.of("order:1", "auto:x", "", " ")));
  }

  /**
   * JSON-ish garbage from a seed: every JSON type, numbers JSON cannot spell (NaN, infinities,
   * 1E+1000000000), lone surrogates, strings of up to 40,000 chars, nesting up to 3,000 levels,
   * mostly drawn from the contract's own member names so the validator's deep paths are reached.
   * (A seeded generator, because jqwik's recursive arbitraries are too slow for 1,000 tries of
   * this size; a failure prints the seed.)
   */
  static final class Garbage {
    private static final String[] STRINGS = {"+4915112345678", "4915112345678@c.us", "120363025246125486@g.us",
        "https://e.example/a.jpg", "image/png", "audio/ogg; codecs=opus", "2026-03-01T12:00:00Z",
        "2027-03-01T12:00:00+02:00", "1999-01-01T00:00:00Z", "", " ", "auto:x", "order:1", "a/b", "~", "\u0000"};

    static Map<String, Object> body(Random r) {
      if (r.nextInt(30) == 0) {
        return null;
      }
      Map<String, Object> m = new HashMap<>();
      int n = r.nextInt(9);
      for (int i = 0; i < n; i++) {
        m.put(key(r), value(r, 0));
      }
      if (r.nextInt(20) == 0) {
        m.put(null, value(r, 0)); // a HashMap allows it, so a careless caller might pass one
      }
      return m;
    }

    static String key(Random r) {
      return r.nextInt(5) > 0 ? FIELDS.get(r.nextInt(FIELDS.size())) : string(r, 6);
    }

    static Object value(Random r, int depth) {
      int pick = r.nextInt(depth >= 4 ? 15 : 19);
      return switch (pick) {
        case 0 -> null;
        case 1 -> r.nextBoolean();
        case 2 -> r.nextInt();
        case 3 -> r.nextInt(400) - 200;
        case 4 -> r.nextLong();
        case 5 -> new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 90.0, 1e300,
            r.nextDouble() * 400 - 200}[r.nextInt(7)];
        case 6 -> new float[] {Float.NaN, 1.5f, -180.25f}[r.nextInt(3)];
        case 7 -> new Object[] {new BigDecimal("1E+1000000000"), new BigDecimal("-1E-1000000000"),
            new BigDecimal("90.0000000000000000001"), new BigInteger("9".repeat(40)), new BigDecimal(r.nextInt(200))}[r.nextInt(5)];
        case 8, 9 -> string(r, 40);
        case 10 -> STRINGS[r.nextInt(STRINGS.length)];
        case 11 -> r.nextInt(40) == 0 ? "\uD83D\uDE00".repeat(4_000 + r.nextInt(16_000)) : "x".repeat(r.nextInt(300));
        case 12 -> r.nextInt(20) == 0 ? deep(30 + r.nextInt(3_000)) : STRINGS[r.nextInt(STRINGS.length)];
        case 13 -> r.nextInt(20) == 0 ? new Object() : "\uDC00" + string(r, 3);
        case 14 -> String.valueOf(r.nextInt());
        case 15, 16 -> {
          List<Object> l = new ArrayList<>();
          int n = r.nextInt(r.nextInt(10) == 0 ? 16 : 5);
          for (int i = 0; i < n; i++) {
            l.add(value(r, depth + 1));
          }
          yield l;
        }
        default -> {
          Map<Object, Object> m = new HashMap<>();
          int n = r.nextInt(5);
          for (int i = 0; i < n; i++) {
            m.put(r.nextInt(30) == 0 ? (Object) r.nextInt(5) : key(r), value(r, depth + 1));
          }
          yield m; // heap pollution on purpose: a non-string key must not break the validator
        }
      };
    }

    /** One of each kind of value that tends to break validators (built once: some are big). */
    static final List<Object> NASTY = java.util.Arrays.asList(null, true, 0, -1, Long.MAX_VALUE, Double.NaN, Double.NEGATIVE_INFINITY, -0.0, 1e300,
          Float.NaN, new BigDecimal("1E+1000000000"), new BigDecimal("90.0000000000000000001"), new BigInteger("9".repeat(40)),
          "", " ", "\uD800", "x".repeat(70_000), "\uD83D\uDE00".repeat(5_000), new ArrayList<>(), new HashMap<>(),
          new ArrayList<>(List.of("a", 1)), deep(100), deep(5_000), new Object(), "2026-03-01T12:00:00Z", "+4915112345678");

    /** A value nested {@code depth} levels deep, alternating lists and objects. */
    static Object deep(int depth) {
      Object v = "bottom";
      for (int i = 0; i < depth; i++) {
        v = i % 2 == 0 ? new ArrayList<>(List.of(v)) : new HashMap<>(Map.of("metadata", v));
      }
      return v;
    }

    static String string(Random r, int max) {
      int n = r.nextInt(max + 1);
      StringBuilder sb = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        int kind = r.nextInt(6);
        sb.append((char) switch (kind) {
          case 0 -> r.nextInt(0x20);
          case 1 -> 0xD800 + r.nextInt(0x800);
          case 2 -> 0x80 + r.nextInt(0xFF80 - 0x80);
          default -> 0x20 + r.nextInt(0x5F);
        });
      }
      return sb.toString();
    }
  }

  /** (isPoll, a valid body) with random optional members; values are fresh mutable maps. */
  @Provide
  Arbitrary<Tuple.Tuple2<Boolean, Map<String, Object>>> validBodies() {
    Arbitrary<String> to = Arbitraries.of("+4915112345678", "+49 151 1234 5678", "4915112345678@c.us",
        "4915112345678@s.whatsapp.net", "120363025246125486@g.us", "+1 (415) 555-0100");
    Arbitrary<String> words = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12);
    Arbitrary<Map<String, Object>> content = Arbitraries.oneOf(
        words.map(t -> body("text", t)),
        Combinators.combine(words, Arbitraries.of("image/png", "video/mp4", "application/pdf", "audio/ogg; codecs=opus"))
            .as((f, mt) -> body("media", body("url", "https://cdn.example/" + f, "mimetype", mt, "caption", f))),
        Combinators.combine(Arbitraries.doubles().between(-90, 90), Arbitraries.integers().between(-180, 180), words)
            .as((lat, lon, n) -> body("location", body("latitude", lat, "longitude", lon, "name", n))),
        words.map(n -> body("contact", body("name", n, "phone", "+447911123456"))));
    Arbitrary<Map<String, Object>> poll = Combinators.combine(words, words.list().ofMinSize(2).ofMaxSize(12).uniqueElements(
        s -> s.toLowerCase()), Arbitraries.of(true, false))
        .as((q, opts, multi) -> body("question", q, "options", new ArrayList<>(opts), "multipleAnswers", multi));
    Arbitrary<Map<String, Object>> optional = Combinators.combine(
        Arbitraries.of("", "order:1", "poll:shop1:9:v1"),
        Arbitraries.integers().between(0, 3),
        Arbitraries.maps(words, Arbitraries.oneOf(words.map(w -> (Object) w), Arbitraries.integers().map(i -> (Object) i)))
            .ofMaxSize(4)).as((key, schedule, meta) -> {
              Map<String, Object> m = new LinkedHashMap<>();
              if (!key.isEmpty()) {
                m.put("idempotencyKey", key);
              }
              if (schedule >= 1) {
                m.put("sendAt", NOW.plusSeconds(3600).toString());
              }
              if (schedule >= 2) {
                m.put("expiresAt", "2026-03-01T13:30:00+01:00");
              }
              if (!meta.isEmpty()) {
                m.put("metadata", body("shop", body("order", new LinkedHashMap<>(meta)), "v", 1));
              }
              return m;
            });
    return Combinators.combine(Arbitraries.of(true, false), to, content, poll, optional).as((isPoll, t, c, p, o) -> {
      Map<String, Object> b = body("to", t);
      b.putAll(isPoll ? p : c);
      b.putAll(o);
      return Tuple.of(isPoll, b);
    });
  }

  private static Map<String, Object> body(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
