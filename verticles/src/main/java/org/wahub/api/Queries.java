package org.wahub.api;

/** Shared query-parameter parsing for list endpoints. */
public final class Queries {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;

  private Queries() {
  }

  public static int limit(String raw) {
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int v = Integer.parseInt(raw);
      if (v >= 1 && v <= MAX_LIMIT) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through to the error
    }
    throw ApiError.badRequest("invalid_query", "limit must be an integer between 1 and " + MAX_LIMIT);
  }

  /** An opaque list cursor: {@code prefix} (which list it belongs to) and a non-negative key, base64url. */
  public static String encodeCursor(String prefix, long key) {
    return java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString((prefix + key).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** The key of a cursor from {@link #encodeCursor} with the same prefix; 0 without one; 400 invalid_cursor otherwise. */
  public static long decodeCursor(String prefix, String cursor) {
    if (cursor == null) {
      return 0;
    }
    try {
      String raw = new String(java.util.Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.US_ASCII);
      if (raw.startsWith(prefix)) {
        long key = Long.parseLong(raw.substring(prefix.length()));
        if (key >= 0) {
          return key;
        }
      }
    } catch (IllegalArgumentException e) {
      // not base64 or not a number: the same answer as a foreign cursor
    }
    throw ApiError.badRequest("invalid_cursor", "after must be a nextCursor value from an earlier page");
  }
}
