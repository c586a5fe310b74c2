package dev.keytransfer.jdbc;

import dev.keytransfer.crypto.testing.TestDatabases;
import org.junit.jupiter.api.Tag;

/** The ledger contract on a real PostgreSQL server (skips without one, fails under CI=true). */
@Tag("postgres")
class PostgresKeyLedgerTest extends JdbcKeyLedgerContract {
  @Override
  String freshUrl() throws Exception {
    return TestDatabases.freshPostgres();
  }
}
