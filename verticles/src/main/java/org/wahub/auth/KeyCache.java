package org.wahub.auth;

import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Process-wide cache of resolved keys, shared by every ApiVerticle, so that a request does not pay a
 * database round trip for its key. Revocation removes the entry synchronously before the DELETE
 * is answered (and other nodes are told over the bus); entries also expire after a short TTL.
 */
public final class KeyCache {

  private static final int MAX_ENTRIES = 10_000;
  private final long ttlNanos;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  private record Entry(Principal principal, long loadedAt) {
  }

  public KeyCache(long ttlMillis) {
    this.ttlNanos = ttlMillis * 1_000_000L;
  }

  public Principal get(byte[] hash) {
    Entry e = entries.get(HexFormat.of().formatHex(hash));
    if (e == null) {
      return null;
    }
    if (System.nanoTime() - e.loadedAt > ttlNanos) {
      entries.remove(HexFormat.of().formatHex(hash), e);
      return null;
    }
    return e.principal;
  }

  public void put(byte[] hash, Principal principal) {
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(HexFormat.of().formatHex(hash), new Entry(principal, System.nanoTime()));
  }

  public void evictKey(String keyId) {
    entries.values().removeIf(e -> e.principal.keyId().equals(keyId));
  }

  public void evictTenant(String tenantId) {
    entries.values().removeIf(e -> tenantId.equals(e.principal.tenantId()));
  }
}
