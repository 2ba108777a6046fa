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
}
