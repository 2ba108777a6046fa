package org.wahub.tenant;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-tenant "accepted per minute" quota of this node, on the intake's hot path: one map
 * probe and one CAS per request, no lock, no allocation once a tenant has its counter.
 *
 * <p>A sliding window estimated from two fixed minutes (the previous one weighted by how much of
 * it still overlaps the last 60 s), packed into one {@code long} per tenant: 22 bits of minute,
 * 21 bits each for the previous and current count (quotas are at most 1,000,000). Within any
 * calendar minute the count never exceeds the quota; across a minute boundary the estimate
 * assumes the previous minute's requests were spread evenly, so a burst at the end of one minute
 * may be followed by somewhat more than the rest of the quota early in the next. That is the usual
 * trade for O(1) state; it is an intake quota, not the send limiter (which is exact, DESIGN §5).
 *
 * <p>Per node and in memory: with several nodes a tenant may get up to the quota on each, and a
 * restart forgets the counts.
 */
public final class TenantRateLimiter implements Shareable {

  private static final String LOCAL_MAP = "wahub.tenant-rate";
  private static final long MINUTE_MS = 60_000;
  private static final long COUNT_MASK = (1L << 21) - 1;
  private static final long MINUTE_MASK = (1L << 22) - 1;

  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

  /** The one limiter of this Vert.x instance, shared by every ApiVerticle. */
  public static TenantRateLimiter shared(Vertx vertx) {
    LocalMap<String, TenantRateLimiter> map = vertx.sharedData().getLocalMap(LOCAL_MAP);
    TenantRateLimiter mine = new TenantRateLimiter();
    TenantRateLimiter existing = map.putIfAbsent("limiter", mine);
    return existing != null ? existing : mine;
  }

  /**
   * Counts one request of the tenant if the quota allows it: returns 0 when admitted, else the
   * seconds after which a retry can succeed (at least 1).
   */
  public long tryAcquire(String tenantId, int perMinute, long nowMillis) {
    if (perMinute <= 0) {
      return 60;
    }
    AtomicLong state = counters.get(tenantId);
    if (state == null) {
      state = counters.computeIfAbsent(tenantId, t -> new AtomicLong());
    }
    long minute = Math.floorDiv(nowMillis, MINUTE_MS) & MINUTE_MASK;
    long into = Math.floorMod(nowMillis, MINUTE_MS);
    long limit = Math.min(perMinute, COUNT_MASK);
    while (true) {
      long s = state.get();
      long m = s >>> 42;
      long prev = (s >>> 21) & COUNT_MASK;
      long cur = s & COUNT_MASK;
      if (m != minute) {
        prev = ((m + 1) & MINUTE_MASK) == minute ? cur : 0;
        cur = 0;
      }
      long remaining = MINUTE_MS - into;
      // estimate + 1 <= limit, in integers: prev * remaining / MINUTE + cur + 1 <= limit
      if (cur + 1 > limit || prev * remaining > (limit - 1 - cur) * MINUTE_MS) {
        return retryAfterSeconds(prev, cur, limit, into);
      }
      long next = (minute << 42) | (prev << 21) | (cur + 1);
      if (state.compareAndSet(s, next)) {
        return 0;
      }
    }
  }

  private static long retryAfterSeconds(long prev, long cur, long limit, long into) {
    long waitMs;
    if (cur + 1 > limit) {
      // next minute: this minute's count becomes "previous" and must decay to limit - 1
      long needed = cur == 0 ? 0 : (long) Math.ceil(MINUTE_MS * (1.0 - (double) (limit - 1) / cur));
      waitMs = (MINUTE_MS - into) + Math.max(0, needed);
    } else {
      long allowedRemaining = (limit - 1 - cur) * MINUTE_MS / prev;
      waitMs = Math.max(0, (MINUTE_MS - into) - allowedRemaining);
    }
    return Math.max(1, (waitMs + 999) / 1000);
  }
}
