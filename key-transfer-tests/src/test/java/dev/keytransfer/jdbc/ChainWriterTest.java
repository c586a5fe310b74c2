package dev.keytransfer.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit: writes queued while a transaction runs share the next one, and a write that fails
 * in a shared transaction fails alone.
 */
class ChainWriterTest {
  @TempDir Path dir;
  HikariDataSource pool;
  ChainWriter writer;
  ExecutorService threads = Executors.newCachedThreadPool();

  @BeforeEach
  void open() throws Exception {
    JdbcKeyLedger.embedded(dir).close(); // the schema
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(JdbcKeyLedger.embeddedUrl(dir));
    config.setAutoCommit(false);
    config.setMaximumPoolSize(4);
    pool = new HikariDataSource(config);
    writer = new ChainWriter(pool);
  }

  @AfterEach
  void close() {
    threads.shutdownNow();
    pool.close();
  }

  /** Appends one SESSION record for {@code session}, first inserting a DUKPT counter row. */
  static ChainWriter.Op<String> write(String session, String counter) {
    return tx -> {
      try (PreparedStatement p =
          tx.connection.prepareStatement(
              "INSERT INTO kt_dukpt_counter (key_set, next_value) VALUES (?, 1)")) {
        p.setString(1, counter);
        p.executeUpdate(); // a second row for one counter fails
      }
      tx.append(
          new AuditRecord(
              0,
              "SESSION",
              "node-a",
              session,
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.of("NONE"),
              Optional.empty(),
              Optional.empty(),
              "COMPLETED",
              Optional.empty(),
              Optional.empty(),
              1L,
              "",
              ""));
      return session;
    };
  }

  @Test
  void writesQueuedMeanwhileShareOneTransaction_andAFailingOneFailsAlone() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<String> first =
        threads.submit(
            () ->
                writer.run(
                    tx -> {
                      inFirst.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                      return write("s0", "k0").apply(tx);
                    }));
    assertThat(inFirst.await(10, TimeUnit.SECONDS)).isTrue();
    List<Future<String>> queued = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      String session = "s" + i;
      String counter = i == 3 ? "k0" : "k" + i; // s3 repeats s0's counter row: it must fail
      queued.add(threads.submit(() -> writer.run(write(session, counter))));
    }
    while (writer.queued() < 5) {
      Thread.sleep(5);
    }
    long before = writer.transactions();
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("s0");
    for (int i = 1; i <= 5; i++) {
      Future<String> f = queued.get(i - 1);
      if (i == 3) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(ChainWriter.Failure.class)
            .hasRootCauseInstanceOf(SQLException.class);
      } else {
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("s" + i);
      }
    }
    // s0 alone, then s1..s5 together (rolled back for s3), then the four others one by one
    assertThat(writer.transactions() - before).isEqualTo(1 + 4);
    List<String> chain = sessionsInChainOrder();
    assertThat(chain.get(0)).isEqualTo("s0");
    assertThat(chain.subList(1, chain.size())).containsExactlyInAnyOrder("s1", "s2", "s4", "s5");
    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir)) {
      LedgerVerification v = ledger.verify();
      assertThat(v.intact()).as(v.firstBroken().orElse("")).isTrue();
      assertThat(v.records()).isEqualTo(5);
    }
  }

  @Test
  void manyConcurrentWriters_oneLinearChain_fewerTransactionsThanWrites() throws Exception {
    List<Future<String>> runs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String session = "s" + i;
      runs.add(threads.submit(() -> writer.run(write(session, "k" + session))));
    }
    for (Future<String> f : runs) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertThat(sessionsInChainOrder()).hasSize(200).doesNotHaveDuplicates();
    assertThat(writer.transactions()).isBetween(1L, 200L);
    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir)) {
      assertThat(ledger.verify().intact()).isTrue();
    }
  }

  List<String> sessionsInChainOrder() throws SQLException {
    List<String> out = new ArrayList<>();
    try (var c = pool.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT session_id FROM kt_audit ORDER BY seq");
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      c.rollback();
    }
    return out;
  }
}
