package dev.keytransfer.crypto.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server the ledger suites run against: its JDBC URL comes from the system property
 * {@code keytransfer.test.pgUrl} or the environment variable {@code KEYTRANSFER_TEST_PG_URL}
 * ({@code .ci/run} starts one with {@code it/postgres.sh}). Without it the suites skip with a
 * message, and fail under {@code CI=true}. Each call to {@link #freshPostgres} creates an empty
 * database, so suites never see each other's rows.
 */
public final class TestDatabases {
  private TestDatabases() {}

  /** The admin URL of the test server, if one is configured. */
  public static Optional<String> postgresUrl() {
    String url = System.getProperty("keytransfer.test.pgUrl");
    if (url == null || url.isBlank()) {
      url = System.getenv("KEYTRANSFER_TEST_PG_URL");
    }
    return url == null || url.isBlank() ? Optional.empty() : Optional.of(url);
  }

  /** Skips (fails under CI=true) when no PostgreSQL server is configured. */
  public static String requirePostgres() {
    Optional<String> url = postgresUrl();
    if (url.isEmpty()) {
      String message =
          "no PostgreSQL server: set KEYTRANSFER_TEST_PG_URL (it/postgres.sh start prints it)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(message + "; CI=true requires one");
      }
      Assumptions.abort(message + "; the PostgreSQL suites skip");
    }
    return url.get();
  }

  /** A new, empty database on the test server; returns its JDBC URL. */
  public static String freshPostgres() throws SQLException {
    String admin = requirePostgres();
    String name = "kt_" + UUID.randomUUID().toString().replace("-", "").toLowerCase(Locale.ROOT);
    try (Connection c = DriverManager.getConnection(admin);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return withDatabase(admin, name);
  }

  static String withDatabase(String adminUrl, String name) {
    int q = adminUrl.indexOf('?');
    String base = q < 0 ? adminUrl : adminUrl.substring(0, q);
    String params = q < 0 ? "" : adminUrl.substring(q);
    int slash = base.lastIndexOf('/');
    return base.substring(0, slash + 1) + name + params;
  }
}
