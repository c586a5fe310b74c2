package dev.keytransfer.examples.cli;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.SessionRecord;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.jdbc.JdbcKeyLedger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * The ledgers {@code keytransfer bench} runs the host on, each a throw-away one: in memory, an H2
 * file database in a temporary directory (deleted at close), or a JDBC URL; a PostgreSQL URL gets a
 * fresh schema in that database (dropped at close), so every run starts from an empty ledger and
 * leaves nothing behind. {@link Switch} is the one ledger the host sees: it forwards to the ledger
 * of the current round and times each call.
 */
final class BenchLedgers {
  private BenchLedgers() {}

  /** The ledger calls a host session makes, in the order of the columns printed. */
  enum Call {
    recordDelivered(true),
    confirm(true),
    updateStatus(true),
    recordSession(true),
    attemptsSince(false),
    openDeliveries(false),
    latestConfirmed(false),
    find(false),
    other(false);

    final boolean write;

    Call(boolean write) {
      this.write = write;
    }
  }

  /** One ledger under test, with its call counters. */
  static final class Ledger implements AutoCloseable {
    final String label;
    final String where;
    final KeyLedger ledger;
    private final Runnable cleanup;
    private final LongAdder[] calls = adders();
    private final LongAdder[] nanos = adders();

    private Ledger(String label, String where, KeyLedger ledger, Runnable cleanup) {
      this.label = label;
      this.where = where;
      this.ledger = ledger;
      this.cleanup = cleanup;
    }

    void resetCounters() {
      Stream.of(calls).forEach(LongAdder::reset);
      Stream.of(nanos).forEach(LongAdder::reset);
    }

    long calls(Call c) {
      return calls[c.ordinal()].sum();
    }

    long nanos(Call c) {
      return nanos[c.ordinal()].sum();
    }

    @Override
    public void close() {
      cleanup.run();
    }

    private static LongAdder[] adders() {
      LongAdder[] a = new LongAdder[Call.values().length];
      for (int i = 0; i < a.length; i++) {
        a[i] = new LongAdder();
      }
      return a;
    }
  }

  /**
   * {@code memory}, {@code h2} or a JDBC URL, opened as a fresh ledger.
   *
   * @throws CliException for anything else
   */
  static Ledger open(String spec, String label) throws KeyTransferException {
    if (spec.equals("memory")) {
      return new Ledger(label, "InMemoryKeyLedger", new InMemoryKeyLedger(), () -> {});
    }
    if (spec.equals("h2")) {
      Path dir;
      try {
        dir = Files.createTempDirectory("keytransfer-bench-");
      } catch (IOException e) {
        throw new CliException("cannot create a temporary directory: " + e.getMessage());
      }
      JdbcKeyLedger h2;
      try {
        h2 = JdbcKeyLedger.embedded(dir);
      } catch (KeyTransferException | RuntimeException e) {
        deleteTree(dir);
        throw e;
      }
      return new Ledger(
          label,
          "JdbcKeyLedger.embedded (" + JdbcKeyLedger.embeddedUrl(dir) + ")",
          h2,
          () -> {
            h2.close();
            deleteTree(dir);
          });
    }
    if (!spec.startsWith("jdbc:")) {
      throw new CliException("a ledger is memory, h2 or a JDBC URL, not '" + spec + "'");
    }
    if (!spec.startsWith("jdbc:postgresql:")) {
      return new Ledger(label, withoutQuery(spec), JdbcKeyLedger.builder(spec).build(), () -> {});
    }
    byte[] tag = new byte[4];
    new SecureRandom().nextBytes(tag);
    String schema = "keytransfer_bench_" + HexFormat.of().formatHex(tag);
    sql(spec, "CREATE SCHEMA " + schema);
    JdbcKeyLedger pg;
    try {
      pg =
          JdbcKeyLedger.builder(spec + (spec.contains("?") ? "&" : "?") + "currentSchema=" + schema)
              .nodeId("bench")
              .build();
    } catch (KeyTransferException | RuntimeException e) {
      sql(spec, "DROP SCHEMA " + schema + " CASCADE");
      throw e;
    }
    return new Ledger(
        label,
        withoutQuery(spec) + " (fresh schema " + schema + ")",
        pg,
        () -> {
          pg.close();
          sql(spec, "DROP SCHEMA " + schema + " CASCADE");
        });
  }

  /** The URL up to its parameters, which may hold a password. */
  static String withoutQuery(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  private static void sql(String url, String statement) {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new CliException(withoutQuery(url) + ": " + statement + " failed: " + e.getMessage());
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The host's ledger: forwards every call to the current round's ledger and adds its time to that
   * ledger's counters. Switch only between rounds, with no session running.
   */
  static final class Switch implements KeyLedger {
    private volatile Ledger current;

    Switch(Ledger first) {
      this.current = Objects.requireNonNull(first);
    }

    void use(Ledger l) {
      this.current = Objects.requireNonNull(l);
    }

    @FunctionalInterface
    private interface Body<T> {
      T run(KeyLedger l) throws KeyTransferException;
    }

    private <T> T timed(Call call, Body<T> body) throws KeyTransferException {
      Ledger l = current;
      long t0 = System.nanoTime();
      try {
        return body.run(l.ledger);
      } finally {
        l.nanos[call.ordinal()].add(System.nanoTime() - t0);
        l.calls[call.ordinal()].increment();
      }
    }

    private <T> T unchecked(Call call, Body<T> body) {
      try {
        return timed(call, body);
      } catch (KeyTransferException e) {
        throw new IllegalStateException(e); // the bodies below throw none
      }
    }

    /** Times what the session waits for: starting the write, and awaiting it after the token. */
    @Override
    public Recording beginRecordDelivered(LedgerEntry entry) throws KeyTransferException {
      Ledger l = current;
      int i = Call.recordDelivered.ordinal();
      long t0 = System.nanoTime();
      Recording r;
      try {
        r = l.ledger.beginRecordDelivered(entry);
      } finally {
        l.nanos[i].add(System.nanoTime() - t0);
        l.calls[i].increment();
      }
      return () -> {
        long t1 = System.nanoTime();
        try {
          r.await();
        } finally {
          l.nanos[i].add(System.nanoTime() - t1);
        }
      };
    }

    @Override
    public void recordDelivered(LedgerEntry entry) throws KeyTransferException {
      timed(
          Call.recordDelivered,
          l -> {
            l.recordDelivered(entry);
            return null;
          });
    }

    @Override
    public void updateStatus(String sessionId, DeliveryStatus status) throws KeyTransferException {
      timed(
          Call.updateStatus,
          l -> {
            l.updateStatus(sessionId, status);
            return null;
          });
    }

    @Override
    public Optional<LedgerEntry> find(String sessionId) {
      return unchecked(Call.find, l -> l.find(sessionId));
    }

    @Override
    public List<LedgerEntry> entries() {
      return unchecked(Call.other, KeyLedger::entries);
    }

    @Override
    public int attemptsSince(IssuerAndSerial device, Instant since) throws KeyTransferException {
      return timed(Call.attemptsSince, l -> l.attemptsSince(device, since));
    }

    /** Times what the session waits for: starting the read, and awaiting it at S4. */
    @Override
    public Count beginAttemptsSince(IssuerAndSerial device, Instant since) {
      Ledger l = current;
      int i = Call.attemptsSince.ordinal();
      long t0 = System.nanoTime();
      Count c;
      try {
        c = l.ledger.beginAttemptsSince(device, since);
      } finally {
        l.nanos[i].add(System.nanoTime() - t0);
        l.calls[i].increment();
      }
      return () -> {
        long t1 = System.nanoTime();
        try {
          return c.await();
        } finally {
          l.nanos[i].add(System.nanoTime() - t1);
        }
      };
    }

    @Override
    public Optional<LedgerEntry> latestConfirmed(IssuerAndSerial device)
        throws KeyTransferException {
      return timed(Call.latestConfirmed, l -> l.latestConfirmed(device));
    }

    @Override
    public List<LedgerEntry> openDeliveries(IssuerAndSerial device) throws KeyTransferException {
      return timed(Call.openDeliveries, l -> l.openDeliveries(device));
    }

    @Override
    public void recordRefusedReport(
        IssuerAndSerial device,
        String deviceSubject,
        dev.keytransfer.core.KeyCheckValue kcv,
        Instant at)
        throws KeyTransferException {
      timed(
          Call.other,
          l -> {
            l.recordRefusedReport(device, deviceSubject, kcv, at);
            return null;
          });
    }

    @Override
    public List<String> confirm(String sessionId, Optional<SessionRecord> closing)
        throws KeyTransferException {
      return timed(Call.confirm, l -> l.confirm(sessionId, closing));
    }

    @Override
    public int expireUnconfirmed(Instant deliveredBefore) throws KeyTransferException {
      return timed(Call.other, l -> l.expireUnconfirmed(deliveredBefore));
    }

    @Override
    public void recordSession(SessionRecord record) throws KeyTransferException {
      timed(
          Call.recordSession,
          l -> {
            l.recordSession(record);
            return null;
          });
    }
  }
}
