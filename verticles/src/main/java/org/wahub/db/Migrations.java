package org.wahub.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the Flyway migrations in {@code db/migration}. Runs once at start on a worker thread
 * (Flyway is JDBC, hence blocking); the reactive pool is opened only after it succeeded.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /** Returns the schema version now in place. */
  public static String migrate(Database db) {
    Flyway flyway = Flyway.configure()
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations("classpath:db/migration")
        .connectRetries(10)
        .failOnMissingLocations(true)
        .load();
    MigrateResult result = flyway.migrate();
    String version = flyway.info().current() == null ? "none" : flyway.info().current().getVersion().getVersion();
    LOG.info("schema at version {} ({} migrations applied now)", version, result.migrationsExecuted);
    return version;
  }
}
