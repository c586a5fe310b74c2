package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.jdbc.JdbcKeyLedger;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keytransfer ledger list} and {@code ledger verify} on a host's embedded H2 ledger. */
class LedgerCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KeyTransferCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private void ledgerWithThreeDeliveries() throws Exception {
    IssuerAndSerial pos =
        new IssuerAndSerial(new X500Principal("CN=KRD CA"), BigInteger.valueOf(0xABCD));
    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir.resolve("ledger"))) {
      for (int i = 1; i <= 3; i++) {
        ledger.recordDelivered(
            LedgerEntry.delivered(
                "s" + i,
                pos,
                "CN=POS \"1\",O=Shop",
                KeyBlockHeader.parse("A0000K0TB00E0000"),
                KeyCheckValue.of(KeyCheckValue.Method.LEGACY_TDES, new byte[] {1, 2, (byte) i}),
                Instant.now()));
      }
      ledger.updateStatus("s1", DeliveryStatus.CONFIRMED);
      ledger.updateStatus("s2", DeliveryStatus.REJECTED);
      ledger.expireUnconfirmed(Instant.now().plusSeconds(1));
    }
  }

  @Test
  void list_json_oneObjectPerDelivery() throws Exception {
    ledgerWithThreeDeliveries();
    Run r = cli("ledger", "list", "--dir", dir.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode rows = new ObjectMapper().readTree(r.out());
    assertThat(rows.isArray()).isTrue();
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).get("session").asText()).isEqualTo("s1");
    assertThat(rows.get(0).get("terminal").asText()).isEqualTo("CN=POS \"1\",O=Shop");
    assertThat(rows.get(0).get("status").asText()).isEqualTo("CONFIRMED");
    assertThat(rows.get(1).get("status").asText()).isEqualTo("REJECTED");
    assertThat(rows.get(2).get("status").asText()).isEqualTo("EXPIRED");
    assertThat(rows.get(2).get("kcv").asText()).isEqualTo("010203");
    assertThat(rows.get(0).get("node").asText()).isEqualTo("local");
    Run text = cli("ledger", "list", "--dir", dir.toString());
    assertThat(text.out()).contains("3 deliveries: 1 CONFIRMED, 1 REJECTED, 1 EXPIRED");
  }

  @Test
  void verify_intact_thenCutAndPatched_isCaughtByTheExpectedHead() throws Exception {
    ledgerWithThreeDeliveries();
    Run ok = cli("ledger", "verify", "--dir", dir.toString());
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    Matcher m = Pattern.compile("head ([0-9a-f]{64})").matcher(ok.out());
    assertThat(m.find()).isTrue();
    String head = m.group(1);

    // someone with SQL access removes the last record and patches the head to the one before
    String url = JdbcKeyLedger.embeddedUrl(dir.resolve("ledger"));
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM kt_audit WHERE seq = 6");
      s.executeUpdate(
          "UPDATE kt_audit_head SET seq = 5, hash = (SELECT hash FROM kt_audit WHERE seq = 5)");
      s.executeUpdate("UPDATE kt_delivery SET status = 'DELIVERED' WHERE session_id = 's3'");
      s.executeUpdate("UPDATE kt_delivery SET updated_at = delivered_at WHERE session_id = 's3'");
    }
    assertThat(cli("ledger", "verify", "--dir", dir.toString()).exit())
        .as("a clean cut of the tail is invisible without a head kept elsewhere")
        .isZero();
    Run caught = cli("ledger", "verify", "--dir", dir.toString(), "--expect-head", head);
    assertThat(caught.exit()).isEqualTo(1);
    assertThat(caught.out())
        .startsWith("ledger BROKEN: the chain no longer holds the expected head");
  }

  @Test
  void readCommands_neverCreateALedger() {
    Run none = cli("ledger", "verify", "--dir", dir.toString());
    assertThat(none.exit()).isNotZero();
    assertThat(none.err()).contains("no ledger in");
    Run url = cli("ledger", "verify", "--ledger", JdbcKeyLedger.embeddedUrl(dir.resolve("typo")));
    assertThat(url.exit()).isNotZero();
    assertThat(url.err()).contains("no key-transfer ledger");
  }
}
