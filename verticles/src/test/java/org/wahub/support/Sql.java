package org.wahub.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plain JDBC for test assertions: what is really in the database, independent of the hub's code. */
public final class Sql {

  private final String jdbcUrl;
  private final String user;
  private final String password;

  public Sql(String jdbcUrl) {
    this(jdbcUrl, "postgres", "");
  }

  /** With the hub's own credentials: an embedded database admits nobody without a password. */
  public Sql(String jdbcUrl, String user, String password) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password == null ? "" : password;
  }

  public long count(String query, Object... params) {
    return ((Number) rows(query, params).get(0).values().iterator().next()).longValue();
  }

  public List<Map<String, Object>> rows(String query, Object... params) {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
         PreparedStatement ps = c.prepareStatement(query)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      List<Map<String, Object>> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= n; i++) {
            row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
          }
          out.add(row);
        }
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public int update(String statement, Object... params) {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
         PreparedStatement ps = c.prepareStatement(statement)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps.executeUpdate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
