package org.wahub.security;

import org.junit.jupiter.api.Test;
import org.wahub.tenant.TenantRateLimiter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-tenant minute counter in virtual time (the clock is a parameter). */
class TenantRateLimiterTest {

  private static final long T0 = 1_700_000_040_000L; // a minute boundary

  @Test
  void withinACalendarMinuteNeverMoreThanTheQuota() {
    TenantRateLimiter limiter = new TenantRateLimiter();
    Random random = new Random(7);
    for (int minute = 0; minute < 50; minute++) {
      int admitted = 0;
      long start = T0 + minute * 60_000L;
      for (int i = 0; i < 400; i++) {
        if (limiter.tryAcquire("t", 100, start + random.nextInt(60_000)) == 0) {
          admitted++;
        }
      }
      assertThat(admitted).as("minute " + minute).isLessThanOrEqualTo(100);
    }
  }

  @Test
  void thePreviousMinuteDecaysAndRetryAfterIsHonest() {
    TenantRateLimiter limiter = new TenantRateLimiter();
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.tryAcquire("t", 60, T0 + 59_000)).isZero();
    }
    long retry = limiter.tryAcquire("t", 60, T0 + 59_000);
    assertThat(retry).isBetween(1L, 61L);
    // at the start of the next minute the full previous minute still counts
    assertThat(limiter.tryAcquire("t", 60, T0 + 60_000)).isPositive();
    // after the advertised wait a request is admitted
    long at = T0 + 59_000 + retry * 1000;
    assertThat(limiter.tryAcquire("t", 60, at)).isZero();
    // two minutes of silence forget everything
    int admitted = 0;
    for (int i = 0; i < 100; i++) {
      if (limiter.tryAcquire("t", 60, T0 + 240_000) == 0) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(60);
    // tenants are independent; a zero quota refuses everything
    assertThat(limiter.tryAcquire("u", 1, T0 + 240_000)).isZero();
    assertThat(limiter.tryAcquire("z", 0, T0)).isEqualTo(60);
  }

  @Test
  void concurrentCallersNeverOvershoot() throws Exception {
    TenantRateLimiter limiter = new TenantRateLimiter();
    AtomicInteger admitted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread th = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 5_000; i++) {
          if (limiter.tryAcquire("t", 1_000, T0 + 1_000) == 0) {
            admitted.incrementAndGet();
          }
        }
      });
      th.start();
      threads.add(th);
    }
    go.countDown();
    for (Thread th : threads) {
      th.join();
    }
    assertThat(admitted.get()).isEqualTo(1_000);
  }
}
