package org.wahub.hub.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class CanonicalJsonProperties {

  /** Re-inserting every object's members in another order and respelling numbers changes nothing. */
  @Property(tries = 1000)
  void insertionOrderAndNumberSpellingDoNotChangeTheOutput(@ForAll("trees") Object tree, @ForAll long seed) {
    assertThat(CanonicalJson.write(respell(tree, new Random(seed)))).isEqualTo(CanonicalJson.write(tree));
  }

  /** The bounded writer succeeds exactly when the UTF-8 output fits. */
  @Property(tries = 1000)
  void theByteBoundIsExact(@ForAll("trees") Object tree, @ForAll @IntRange(min = 0, max = 400) int bound) {
    String full = CanonicalJson.write(tree);
    int bytes = full.getBytes(StandardCharsets.UTF_8).length;
    if (bytes <= bound) {
      assertThat(CanonicalJson.writeBounded(tree, bound, 1000)).contains(full);
    } else {
      assertThat(CanonicalJson.writeBounded(tree, bound, 1000)).isEmpty();
    }
  }

  private static Object respell(Object v, Random rng) {
    if (v instanceof Map<?, ?> map) {
      List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
      Collections.shuffle(entries, rng);
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : entries) {
        copy.put((String) e.getKey(), respell(e.getValue(), rng));
      }
      return copy;
    }
    if (v instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      for (Object item : list) {
        copy.add(respell(item, rng));
      }
      return copy;
    }
    if (v instanceof Integer i) {
      return switch (rng.nextInt(4)) {
        case 0 -> (long) i;
        case 1 -> new BigDecimal(i).setScale(rng.nextInt(4));
        case 2 -> (double) i;
        default -> new BigDecimal(i).scaleByPowerOfTen(3).scaleByPowerOfTen(-3);
      };
    }
    return v;
  }

  @Provide
  Arbitrary<Object> trees() {
    Arbitrary<Object> leaves = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(8).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.just(null));
    return Arbitraries.recursive(() -> leaves, inner -> Arbitraries.oneOf(
        inner.list().ofMaxSize(4).map(l -> (Object) l),
        Arbitraries.maps(Arbitraries.strings().ofMaxLength(4), inner).ofMaxSize(4).map(m -> (Object) m)), 0, 4);
  }
}
