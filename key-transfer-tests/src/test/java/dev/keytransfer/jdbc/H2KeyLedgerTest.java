package dev.keytransfer.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger contract on the embedded default, an H2 file database. */
class H2KeyLedgerTest extends JdbcKeyLedgerContract {
  @TempDir Path dir;
  private int databases;

  @Override
  String freshUrl() {
    return JdbcKeyLedger.embeddedUrl(dir.resolve("ledger-" + databases++));
  }

  /**
   * The per-device questions a confirmation asks (its open master keys, to supersede them) read the
   * status-led index, a range of that device's rows in that status, not the device's history.
   */
  @Test
  void aDevicesOpenDeliveries_areReadFromTheStatusIndex() throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "EXPLAIN SELECT session_id FROM kt_delivery WHERE device_serial = '1234' AND"
                    + " device_issuer = 'CN=KRD CA' AND master_key = TRUE AND status ="
                    + " 'DELIVERED' AND recorded_seq < 10 ORDER BY recorded_seq")) {
      rs.next();
      assertThat(rs.getString(1)).containsIgnoringCase("kt_delivery_open");
    }
  }
}
