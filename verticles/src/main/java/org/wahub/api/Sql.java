package org.wahub.api;

import io.vertx.sqlclient.DatabaseException;

import java.time.OffsetDateTime;

/** Small helpers for reading rows and recognising SQLSTATEs. */
public final class Sql {

  private Sql() {
  }

  /** True when {@code failure} is a unique violation of the named constraint. */
  public static boolean isUniqueViolation(Throwable failure, String constraint) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof io.vertx.pgclient.PgException pg) {
        return "23505".equals(pg.getSqlState()) && (constraint == null || constraint.equals(pg.getConstraint()));
      }
      if (t instanceof DatabaseException) {
        return false;
      }
    }
    return false;
  }

  public static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
