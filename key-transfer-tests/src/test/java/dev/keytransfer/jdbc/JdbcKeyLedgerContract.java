package dev.keytransfer.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.SessionRecord;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every JDBC ledger must do, on H2 and on PostgreSQL: a status leaves DELIVERED at most once
 * (also from two ledgers on one database), the audit chain verifies, and a value changed, a record
 * removed or a delivery row edited with SQL behind the SDK's back fails verification.
 */
abstract class JdbcKeyLedgerContract {
  static final IssuerAndSerial DEVICE =
      new IssuerAndSerial(new X500Principal("CN=KRD CA,O=Test"), BigInteger.valueOf(0x1234));
  static final IssuerAndSerial OTHER =
      new IssuerAndSerial(new X500Principal("CN=KRD CA,O=Test"), BigInteger.valueOf(0x9999));

  String url;
  JdbcKeyLedger ledger;

  /** A JDBC URL of a new, empty database. */
  abstract String freshUrl() throws Exception;

  @BeforeEach
  void open() throws Exception {
    url = freshUrl();
    ledger = JdbcKeyLedger.builder(url).nodeId("node-a").build();
  }

  @AfterEach
  void close() {
    if (ledger != null) {
      ledger.close();
    }
  }

  static LedgerEntry entry(String session, IssuerAndSerial device, Instant at) throws Exception {
    return LedgerEntry.delivered(
        session,
        device,
        "CN=POS " + device.serialNumber(),
        KeyBlockHeader.parse("A0000K0TB00E0000"),
        KeyCheckValue.of(
            KeyCheckValue.Method.LEGACY_TDES, new byte[] {1, 2, (byte) session.length()}),
        at);
  }

  void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.executeUpdate(statement);
    }
  }

  @Test
  void deliveredThenConfirmed_onceOnly_andTheChainVerifies() throws Exception {
    Instant t = Instant.parse("2026-12-01T10:00:00.123456Z");
    ledger.recordDelivered(entry("s1", DEVICE, t));
    ledger.updateStatus("s1", DeliveryStatus.CONFIRMED);
    assertThatThrownBy(() -> ledger.updateStatus("s1", DeliveryStatus.REJECTED))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.STORAGE_FAILURE);
    assertThatThrownBy(() -> ledger.recordDelivered(entry("s1", DEVICE, t)))
        .isInstanceOf(KeyTransferException.class);
    assertThatThrownBy(() -> ledger.updateStatus("nope", DeliveryStatus.CONFIRMED))
        .isInstanceOf(KeyTransferException.class);
    LedgerEntry e = ledger.find("s1").orElseThrow();
    assertThat(e.status()).isEqualTo(DeliveryStatus.CONFIRMED);
    assertThat(e.deliveredAt()).isEqualTo(t);
    assertThat(e.device()).isEqualTo(DEVICE);
    assertThat(ledger.deliveries()).extracting(Delivery::node).containsExactly("node-a");
    ledger.recordSession(
        new SessionRecord(
            "s1",
            Optional.of(DEVICE),
            Optional.of("CN=POS"),
            "DELIVER_KEY",
            Optional.of(e.header()),
            Optional.of(e.kcv()),
            Optional.empty(),
            t,
            t.plusMillis(40)));
    List<AuditRecord> audit = ledger.auditRecords();
    assertThat(audit)
        .extracting(AuditRecord::event)
        .containsExactly("DELIVERED", "CONFIRMED", "SESSION");
    assertThat(audit.get(2).outcome()).isEqualTo("COMPLETED");
    assertThat(audit.get(2).operation()).contains("DELIVER_KEY");
    assertThat(audit.get(1).prevHash()).isEqualTo(audit.get(0).hash());
    LedgerVerification v = ledger.verify();
    assertThat(v.intact()).as(v.firstBroken().orElse("")).isTrue();
    assertThat(v.records()).isEqualTo(3);
    assertThat(v.head()).isEqualTo(audit.get(2).hash());
  }

  @Test
  void openAndConfirmed_countsSince_expiry() throws Exception {
    Instant t = Instant.now().minusSeconds(3600);
    ledger.recordDelivered(entry("a1", DEVICE, t));
    ledger.recordDelivered(entry("b1", OTHER, t.plusSeconds(1)));
    ledger.recordDelivered(entry("a1/1", DEVICE, t.plusSeconds(2))); // a working key
    ledger.recordDelivered(entry("a2", DEVICE, t.plusSeconds(3000)));
    assertThat(ledger.openDeliveries(DEVICE)) // master keys only, in recording order
        .extracting(LedgerEntry::sessionId)
        .containsExactly("a1", "a2");
    assertThat(ledger.latestConfirmed(DEVICE)).isEmpty();
    assertThat(ledger.attemptsSince(DEVICE, t)).isEqualTo(2);
    assertThat(ledger.attemptsSince(DEVICE, t.plusSeconds(10))).isEqualTo(1);
    ledger.updateStatus("b1", DeliveryStatus.CONFIRMED);
    assertThat(ledger.expireUnconfirmed(t.plusSeconds(100))).isEqualTo(2); // a1 and a1/1
    assertThat(ledger.find("a1").orElseThrow().status()).isEqualTo(DeliveryStatus.EXPIRED);
    assertThat(ledger.find("b1").orElseThrow().status()).isEqualTo(DeliveryStatus.CONFIRMED);
    assertThat(ledger.latestConfirmed(OTHER).orElseThrow().sessionId()).isEqualTo("b1");
    assertThat(ledger.find("a2").orElseThrow().status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThatThrownBy(() -> ledger.updateStatus("a1", DeliveryStatus.CONFIRMED))
        .isInstanceOf(KeyTransferException.class);
    assertThat(ledger.verify().intact()).isTrue();
  }

  /**
   * A ledger created by an earlier release (schema 1) opens under this one: the migration only
   * changes indexes, so every delivery and record is kept and the chain still verifies.
   */
  @Test
  void aSchema1Ledger_migratesWithItsRecords() throws Exception {
    ledger.close();
    url = freshUrl();
    org.flywaydb.core.Flyway.configure(getClass().getClassLoader())
        .dataSource(url, null, null)
        .locations("classpath:META-INF/keytransfer/migration")
        .table("kt_schema_history")
        .target("1")
        .load()
        .migrate();
    ledger = JdbcKeyLedger.builder(url).nodeId("node-0").existingLedgerOnly().build();
    ledger.recordDelivered(entry("old", DEVICE, Instant.now().minusSeconds(60)));
    ledger.close();
    ledger = JdbcKeyLedger.builder(url).nodeId("node-a").build(); // migrates to the latest
    assertThat(ledger.openDeliveries(DEVICE)).extracting(LedgerEntry::sessionId).contains("old");
    ledger.recordDelivered(entry("new", DEVICE, Instant.now()));
    ledger.confirm("new", Optional.empty());
    assertThat(ledger.find("old").orElseThrow().status()) // superseded, found by the new index
        .isEqualTo(DeliveryStatus.REJECTED);
    assertThat(ledger.latestConfirmed(DEVICE).orElseThrow().sessionId()).isEqualTo("new");
    assertThat(ledger.auditRecords())
        .extracting(AuditRecord::event)
        .containsExactly("DELIVERED", "DELIVERED", "CONFIRMED", "REJECTED");
    LedgerVerification v = ledger.verify();
    assertThat(v.intact()).as(v.firstBroken().orElse("")).isTrue();
  }

  @Test
  void stateSurvivesReopen() throws Exception {
    ledger.recordDelivered(entry("s1", DEVICE, Instant.now()));
    ledger.close();
    ledger = JdbcKeyLedger.builder(url).nodeId("node-b").build();
    ledger.updateStatus("s1", DeliveryStatus.CONFIRMED);
    assertThat(ledger.auditRecords())
        .extracting(AuditRecord::node)
        .containsExactly("node-a", "node-b");
    assertThat(ledger.verify().intact()).isTrue();
  }

  @Test
  void twoLedgersOnOneDatabase_confirmAtMostOnce_andKeepOneChain() throws Exception {
    int sessions = 40;
    for (int i = 0; i < sessions; i++) {
      ledger.recordDelivered(entry("s" + i, DEVICE, Instant.now()));
    }
    try (JdbcKeyLedger second = JdbcKeyLedger.builder(url).nodeId("node-b").build()) {
      AtomicInteger moved = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        String id = "s" + i;
        for (JdbcKeyLedger l : List.of(ledger, second)) {
          runs.add(
              pool.submit(
                  () -> {
                    try {
                      l.updateStatus(id, DeliveryStatus.CONFIRMED);
                      moved.incrementAndGet();
                    } catch (KeyTransferException e) {
                      assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILURE);
                    }
                    return null;
                  }));
        }
      }
      for (Future<?> f : runs) {
        f.get();
      }
      pool.shutdown();
      assertThat(moved.get()).isEqualTo(sessions);
      assertThat(second.auditRecords()).hasSize(2 * sessions);
      assertThat(second.verify().intact()).isTrue();
    }
  }

  @Test
  void dukptNumbers_uniqueAcrossLedgersAndReopen() throws Exception {
    X509Certificate device =
        dev.keytransfer.crypto.testing.TestPki.create("Dukpt")
            .validLeaf(dev.keytransfer.core.Role.KRD, "POS 1")
            .certificate();
    Set<Long> seen = new HashSet<>();
    try (JdbcKeyLedger second = JdbcKeyLedger.builder(url).nodeId("node-b").build()) {
      ExecutorService pool = Executors.newFixedThreadPool(6);
      List<Future<Long>> runs = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        JdbcKeyLedger l = i % 2 == 0 ? ledger : second;
        runs.add(pool.submit(() -> l.dukptDeviceNumbers("bdk-1").next(device, 100)));
      }
      for (Future<Long> f : runs) {
        assertThat(seen.add(f.get())).isTrue();
      }
      pool.shutdown();
    }
    ledger.close();
    ledger = JdbcKeyLedger.builder(url).build();
    long after = ledger.dukptDeviceNumbers("bdk-1").next(device, 100);
    assertThat(seen).hasSize(60).allMatch(n -> n >= 100 && n < 160);
    assertThat(after).isEqualTo(160);
    assertThat(ledger.dukptDeviceNumbers("bdk-2").next(device, 7)).isEqualTo(7);
  }

  @Test
  void aStatusChangedWithSql_failsVerify() throws Exception {
    ledger.recordDelivered(entry("s1", DEVICE, Instant.now()));
    ledger.recordDelivered(entry("s2", DEVICE, Instant.now()));
    ledger.updateStatus("s2", DeliveryStatus.REJECTED);
    assertThat(ledger.verify().intact()).isTrue();
    sql("UPDATE kt_delivery SET status = 'CONFIRMED' WHERE session_id = 's2'");
    LedgerVerification v = ledger.verify();
    assertThat(v.intact()).isFalse();
    assertThat(v.firstBroken()).get().asString().contains("delivery s2").contains("status");
  }

  @Test
  void anAuditValueChangedWithSql_failsVerifyAtThatRecord() throws Exception {
    ledger.recordDelivered(entry("s1", DEVICE, Instant.now()));
    ledger.recordDelivered(entry("s2", OTHER, Instant.now()));
    ledger.updateStatus("s1", DeliveryStatus.CONFIRMED);
    sql("UPDATE kt_audit SET kcv = 'LEGACY_TDES:000000' WHERE seq = 2");
    LedgerVerification v = ledger.verify();
    assertThat(v.firstBroken()).get().asString().startsWith("audit record 2 ");
  }

  @Test
  void anAuditRecordRemovedWithSql_failsVerify() throws Exception {
    ledger.recordDelivered(entry("s1", DEVICE, Instant.now()));
    ledger.recordDelivered(entry("s2", OTHER, Instant.now()));
    ledger.updateStatus("s1", DeliveryStatus.CONFIRMED);
    sql("DELETE FROM kt_audit WHERE seq = 3");
    assertThat(ledger.verify().firstBroken()).get().asString().contains("head");
    sql("DELETE FROM kt_audit WHERE seq = 1");
    assertThat(ledger.verify().firstBroken()).get().asString().contains("record 1 is missing");
  }

  @Test
  void aDeliveryRowRemovedOrAdded_failsVerify() throws Exception {
    ledger.recordDelivered(entry("s1", DEVICE, Instant.now()));
    sql(
        "INSERT INTO kt_delivery SELECT 'forged', device_issuer, device_serial, device_subject,"
            + " master_key, key_header, kcv, status, node_id, delivered_at, updated_at, 99"
            + " FROM kt_delivery WHERE session_id = 's1'");
    assertThat(ledger.verify().firstBroken()).get().asString().contains("delivery forged");
    sql("DELETE FROM kt_delivery");
    assertThat(ledger.verify().firstBroken()).get().asString().contains("row is gone");
  }

  @Test
  void masterKeyFlagOrRecordingOrderChangedWithSql_failsVerify() throws Exception {
    ledger.recordDelivered(entry("s1", DEVICE, Instant.now()));
    ledger.recordDelivered(entry("s2", DEVICE, Instant.now()));
    sql("UPDATE kt_delivery SET master_key = FALSE WHERE session_id = 's1'");
    assertThat(ledger.verify().firstBroken()).get().asString().contains("master-key flag");
    sql("UPDATE kt_delivery SET master_key = TRUE WHERE session_id = 's1'");
    assertThat(ledger.verify().intact()).isTrue();
    sql("UPDATE kt_delivery SET recorded_seq = 1000000 WHERE session_id = 's1'");
    assertThat(ledger.verify().firstBroken()).get().asString().contains("recording order");
  }

  @Test
  void openDeliveries_andRefusedReportsCountAsAttempts() throws Exception {
    Instant t = Instant.now();
    ledger.recordDelivered(entry("s1", DEVICE, t));
    ledger.recordDelivered(entry("s2", DEVICE, t));
    ledger.recordDelivered(entry("s2/1", DEVICE, t));
    ledger.updateStatus("s1", DeliveryStatus.CONFIRMED);
    assertThat(ledger.openDeliveries(DEVICE))
        .extracting(LedgerEntry::sessionId)
        .containsExactly("s2");
    ledger.recordRefusedReport(
        DEVICE, "CN=POS", KeyCheckValue.of(KeyCheckValue.Method.LEGACY_TDES, new byte[3]), t);
    assertThat(ledger.attemptsSince(DEVICE, t.minusSeconds(1))).isEqualTo(3);
    assertThat(ledger.attemptsSince(OTHER, t.minusSeconds(1))).isZero();
    assertThat(ledger.auditRecords()).extracting(AuditRecord::event).contains("REFUSED_REPORT");
    assertThat(ledger.verify().intact()).isTrue();
  }

  @Test
  void existingLedgerOnly_refusesADatabaseWithoutOne_andPoolNeedsTwo() throws Exception {
    ledger.close();
    ledger = null;
    String empty = freshUrl();
    assertThatThrownBy(() -> JdbcKeyLedger.builder(empty).existingLedgerOnly().build())
        .isInstanceOf(KeyTransferException.class)
        .hasMessageContaining("no key-transfer ledger");
    assertThatThrownBy(() -> JdbcKeyLedger.builder(url).poolSize(1))
        .isInstanceOf(IllegalArgumentException.class);
    try (JdbcKeyLedger reader = JdbcKeyLedger.builder(url).existingLedgerOnly().build()) {
      assertThat(reader.verify().intact()).isTrue();
    }
  }

  @Test
  void passwordsNeverInMessages() {
    assertThat(JdbcKeyLedger.redact("jdbc:postgresql://h/db?user=u&password=ab;cd&ssl=true"))
        .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
    assertThat(JdbcKeyLedger.redact("jdbc:h2:file:/x;PASSWORD=s3cret;WRITE_DELAY=0"))
        .isEqualTo("jdbc:h2:file:/x;PASSWORD=***;WRITE_DELAY=0");
    assertThat(JdbcKeyLedger.redact("jdbc:postgresql://h/db?password=last"))
        .endsWith("password=***");
  }

  @Test
  void beginRecordDelivered_isDurableOnAwait_andReportsItsFailureThere() throws Exception {
    var recording = ledger.beginRecordDelivered(entry("s1", DEVICE, Instant.now()));
    recording.await();
    assertThat(ledger.find("s1")).isPresent();
    var duplicate = ledger.beginRecordDelivered(entry("s1", DEVICE, Instant.now()));
    assertThatThrownBy(duplicate::await)
        .isInstanceOf(KeyTransferException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.STORAGE_FAILURE);
    assertThat(ledger.entries()).hasSize(1);
    assertThat(ledger.verify().intact()).isTrue();
  }

  @Test
  void beginAttemptsSince_countsOnAwait_andAClosedLedgerFailsWithItsCode() throws Exception {
    Instant t = Instant.now();
    ledger.recordDelivered(entry("s1", DEVICE, t));
    assertThat(ledger.beginAttemptsSince(DEVICE, t.minusSeconds(60)).await()).isEqualTo(1);
    assertThat(ledger.beginAttemptsSince(OTHER, t.minusSeconds(60)).await()).isZero();
    ledger.close();
    assertThatThrownBy(() -> ledger.beginAttemptsSince(DEVICE, t.minusSeconds(60)).await())
        .isInstanceOf(KeyTransferException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.STORAGE_FAILURE);
  }
}
