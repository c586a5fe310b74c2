package dev.keytransfer.jdbc;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The ledger contract on the embedded default, an H2 file database. */
class H2KeyLedgerTest extends JdbcKeyLedgerContract {
  @TempDir Path dir;
  private int databases;

  @Override
  String freshUrl() {
    return JdbcKeyLedger.embeddedUrl(dir.resolve("ledger-" + databases++));
  }
}
