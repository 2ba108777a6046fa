package org.wahub.db;

import io.vertx.pgclient.PgConnectOptions;

/**
 * Where the hub's PostgreSQL is: connection options for the reactive client and a JDBC URL for the
 * migrations. An embedded server is owned (and stopped) by the handle; an external one is not.
 */
public final class Database implements AutoCloseable {

  private final PgConnectOptions connectOptions;
  private final String description;
  private final AutoCloseable owned;

  Database(PgConnectOptions connectOptions, String description, AutoCloseable owned) {
    this.connectOptions = connectOptions;
    this.description = description;
    this.owned = owned;
  }

  /**
   * Parses HUB_DB_URL. A value that does not parse is not repeated in the error, nor is the
   * parser's message (it quotes the URL): the URL may carry a password.
   */
  public static Database fromUrl(String url) {
    PgConnectOptions options;
    try {
      options = PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("config HUB_DB_URL is not a valid URL of the form "
          + "postgresql://user:password@host:port/database (its value is not shown: it may hold a password)");
    }
    return external(options);
  }

  public static Database external(PgConnectOptions options) {
    return new Database(options, "external PostgreSQL at " + options.getHost() + ":" + options.getPort()
        + "/" + options.getDatabase(), null);
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(connectOptions);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + connectOptions.getHost() + ":" + connectOptions.getPort() + "/"
        + connectOptions.getDatabase();
  }

  public String user() {
    return connectOptions.getUser();
  }

  public String password() {
    return connectOptions.getPassword();
  }

  /** Human-readable and free of secrets: safe to log. */
  public String description() {
    return description;
  }

  public boolean embedded() {
    return owned != null;
  }

  @Override
  public void close() throws Exception {
    if (owned != null) {
      owned.close();
    }
  }
}
