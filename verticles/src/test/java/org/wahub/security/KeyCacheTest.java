package org.wahub.security;

import org.junit.jupiter.api.Test;
import org.wahub.auth.ApiKeys;
import org.wahub.auth.KeyCache;
import org.wahub.auth.Principal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The cache's own guarantees, without a hub: stale look-ups are never served, the look-up bound holds. */
class KeyCacheTest {

  @Test
  void aLookupThatStartedBeforeAnEvictionIsNeverServed() {
    KeyCache cache = new KeyCache(60_000);
    byte[] hash = ApiKeys.hash("wah_some-key-0123456789");
    long before = cache.epoch();
    cache.evictKey("key_1");                    // the revocation lands while the look-up runs
    cache.put(hash, new Principal("key_1", "ten_1"), before);
    assertThat(cache.get(hash)).isNull();

    long now = cache.epoch();
    cache.put(hash, new Principal("key_1", "ten_1"), now);
    assertThat(cache.get(hash)).isNotNull();
    cache.evictTenant("ten_other");             // any eviction retires every older entry
    assertThat(cache.get(hash)).isNull();
  }

  @Test
  void unknownKeysAreRememberedUntilForgotten() {
    KeyCache cache = new KeyCache(60_000);
    byte[] hash = ApiKeys.hash("wah_unknown-0123456789");
    assertThat(cache.knownUnknown(hash)).isFalse();
    cache.rememberUnknown(hash);
    assertThat(cache.knownUnknown(hash)).isTrue();
    cache.forgetUnknown(hash);
    assertThat(cache.knownUnknown(hash)).isFalse();
  }

  @Test
  void noMoreLookupsInFlightThanTheBoundAcrossThreads() throws Exception {
    KeyCache cache = new KeyCache(60_000);
    int threads = 8;
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger admitted = new AtomicInteger();
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 20_000; i++) {
          if (cache.tryBeginLookup(3)) {
            admitted.incrementAndGet();
            assertThat(cache.lookupsInFlight()).isBetween(1, 3);
            cache.endLookup();
          }
        }
      });
      th.start();
      all.add(th);
    }
    go.countDown();
    for (Thread th : all) {
      th.join();
    }
    assertThat(admitted.get()).isPositive();
    assertThat(cache.lookupsInFlightPeak()).isBetween(1, 3);
    assertThat(cache.lookupsInFlight()).isZero();
    assertThat(admitted.get() + cache.lookupsRefused()).isEqualTo(threads * 20_000L);
  }
}
