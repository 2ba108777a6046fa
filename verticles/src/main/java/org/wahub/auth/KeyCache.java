package org.wahub.auth;

import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Process-wide cache of resolved keys, shared by every ApiVerticle, so that a request does not pay a
 * database round trip for its key. Entries expire after a short TTL.
 *
 * <p><b>Revocation is race-free through an epoch.</b> Every look-up notes the epoch when it starts
 * ({@link #epoch()}) and its entry carries it; any eviction (a key revoked, a tenant's quotas
 * changed) bumps the epoch <em>before</em> the change is answered, and {@link #get} returns only
 * entries of the current epoch. A look-up that started before a revocation (and may have read the
 * key as still active) can therefore put its entry back, but nobody will ever read it; a look-up
 * that starts after the bump runs its query after the revocation committed. So a revoked key fails
 * from the first request after the {@code 204}, on every ApiVerticle of this process; other nodes
 * bump their epoch when the {@code KEY_REVOKED} bus message arrives. The price: every eviction
 * drops the whole cache (one look-up per active key afterwards); evictions are rare admin acts.
 *
 * <p><b>Unknown keys are remembered briefly</b> ({@link #NEGATIVE_TTL_NANOS}, bounded size), so one
 * bad key repeated costs one look-up per 10 s. This is safe without cross-node invalidation: a
 * tenant token is 256 random bits that exist nowhere before the hub creates it, so its hash cannot
 * have been looked up (and cached as unknown) before it became valid. The only key whose hash can
 * be valid later is an operator-chosen HUB_ADMIN_KEY, which becomes valid when a node starts;
 * another node may then refuse it for at most 10 s. Keys created here are dropped from the
 * negative cache anyway ({@link #forgetUnknown}).
 *
 * <p><b>Look-ups in flight are bounded per process</b> ({@link #tryBeginLookup}): a flood of
 * unknown keys gets {@code 429 auth_busy} instead of a queue in front of the database.
 */
public final class KeyCache {

  private static final int MAX_ENTRIES = 10_000;
  private static final int MAX_NEGATIVE_ENTRIES = 10_000;
  static final long NEGATIVE_TTL_NANOS = 10_000_000_000L;

  private final long ttlNanos;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Map<String, Long> unknown = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();
  private final AtomicInteger lookupsInFlight = new AtomicInteger();
  private final AtomicInteger lookupsInFlightPeak = new AtomicInteger();
  private final AtomicLong lookupsRefused = new AtomicLong();
  private final AtomicLong lookups = new AtomicLong();

  private record Entry(Principal principal, long loadedAt, long epoch) {
  }

  public KeyCache(long ttlMillis) {
    this.ttlNanos = ttlMillis * 1_000_000L;
  }

  /** The epoch a look-up must note before it queries (see the class comment). */
  public long epoch() {
    return epoch.get();
  }

  public Principal get(byte[] hash) {
    String key = HexFormat.of().formatHex(hash);
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (e.epoch != epoch.get() || System.nanoTime() - e.loadedAt > ttlNanos) {
      entries.remove(key, e);
      return null;
    }
    return e.principal;
  }

  /** Caches what a look-up that began at {@code lookupEpoch} found; stale epochs are never served. */
  public void put(byte[] hash, Principal principal, long lookupEpoch) {
    if (lookupEpoch != epoch.get()) {
      return;
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(HexFormat.of().formatHex(hash), new Entry(principal, System.nanoTime(), lookupEpoch));
  }

  /** True when this hash was looked up recently and no active key had it. */
  public boolean knownUnknown(byte[] hash) {
    String key = HexFormat.of().formatHex(hash);
    Long at = unknown.get(key);
    if (at == null) {
      return false;
    }
    if (System.nanoTime() - at > NEGATIVE_TTL_NANOS) {
      unknown.remove(key, at);
      return false;
    }
    return true;
  }

  public void rememberUnknown(byte[] hash) {
    if (unknown.size() >= MAX_NEGATIVE_ENTRIES) {
      // a flood of distinct keys: dropping all is cheaper than an LRU and the bound still holds
      unknown.clear();
    }
    unknown.put(HexFormat.of().formatHex(hash), System.nanoTime());
  }

  /** Called when a key is created on this node. */
  public void forgetUnknown(byte[] hash) {
    unknown.remove(HexFormat.of().formatHex(hash));
  }

  public void evictKey(String keyId) {
    epoch.incrementAndGet();
    entries.values().removeIf(e -> e.principal.keyId().equals(keyId));
  }

  public void evictTenant(String tenantId) {
    epoch.incrementAndGet();
    entries.values().removeIf(e -> tenantId.equals(e.principal.tenantId()));
  }

  /** Claims one of {@code max} look-up slots of this process; false when all are taken. */
  public boolean tryBeginLookup(int max) {
    while (true) {
      int n = lookupsInFlight.get();
      if (n >= max) {
        lookupsRefused.incrementAndGet();
        return false;
      }
      if (lookupsInFlight.compareAndSet(n, n + 1)) {
        lookups.incrementAndGet();
        lookupsInFlightPeak.accumulateAndGet(n + 1, Math::max);
        return true;
      }
    }
  }

  public void endLookup() {
    lookupsInFlight.decrementAndGet();
  }

  /** Observability (and tests): look-ups now in flight, the most ever at once, refused, started. */
  public int lookupsInFlight() {
    return lookupsInFlight.get();
  }

  public int lookupsInFlightPeak() {
    return lookupsInFlightPeak.get();
  }

  public long lookupsRefused() {
    return lookupsRefused.get();
  }

  public long lookupsStarted() {
    return lookups.get();
  }
}
