package dev.keytransfer.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.SessionRecord;
import dev.keytransfer.crypto.keysource.DukptInitialKeySource;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's ledger and audit trail in a relational database (docs/SECURITY.md A1, A4): an embedded
 * H2 file database for one host ({@link #embedded}), PostgreSQL for any number of host processes
 * sharing one ledger ({@link #builder}). The schema is created and migrated with Flyway at open;
 * connections come from a HikariCP pool.
 *
 * <p>Every write is one transaction that first locks the audit chain's head row, so the writes of
 * all hosts are serialized: a delivery's status leaves DELIVERED at most once, and each audit
 * record's hash chains to the one before. A host killed mid-session leaves only whole transactions:
 * a delivery recorded before its key token was sent, and never a confirmation the terminal did not
 * give. {@link #verify()} recomputes the chain and checks every delivery row against it.
 *
 * <p>Thread-safe; close it to release the pool.
 */
public final class JdbcKeyLedger implements KeyLedger, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JdbcKeyLedger.class);
  static final String MIGRATIONS = "classpath:META-INF/keytransfer/migration";
  private static final String SESSION_EVENT = "SESSION";
  private static final String REFUSED_REPORT_EVENT = "REFUSED_REPORT";
  private static final String MASTER_KEYS_OF_DEVICE =
      "device_serial = ? AND device_issuer = ? AND master_key = TRUE";
  private static final String COLUMNS =
      "session_id, device_issuer, device_serial, device_subject, key_header, kcv, status,"
          + " node_id, delivered_at, updated_at";

  private final HikariDataSource pool;
  private final String node;
  private final Clock clock;
  private final String url;
  private final boolean h2;
  private final java.util.concurrent.ExecutorService writers;
  private final ChainWriter chain;
  private final Map<String, Recorded> recorded = recentDeliveries();

  private JdbcKeyLedger(Builder b) throws KeyTransferException {
    this.node = b.node;
    this.clock = b.clock;
    this.url = redact(b.url);
    this.h2 = b.url.startsWith("jdbc:h2:");
    this.writers =
        java.util.concurrent.Executors.newFixedThreadPool(
            b.poolSize,
            r -> {
              Thread t = new Thread(r, "ledger-writer");
              t.setDaemon(true);
              return t;
            });
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(b.url);
    if (b.user != null) {
      config.setUsername(b.user);
    }
    if (b.password != null) {
      config.setPassword(new String(b.password));
    }
    config.setMaximumPoolSize(b.poolSize);
    config.setAutoCommit(false);
    config.setPoolName("key-transfer-ledger");
    config.setConnectionTimeout(b.connectTimeoutMillis);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    try {
      this.pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw storage("cannot open the ledger at " + url + ": " + rootMessage(e), e);
    }
    this.chain = new ChainWriter(pool);
    if (!b.migrate) {
      try {
        if (readChecked(ChainWriter::readHead).seq() < 0) {
          throw storage("its audit chain head row is missing", null);
        }
      } catch (KeyTransferException e) {
        writers.shutdown();
        pool.close();
        throw storage("no key-transfer ledger at " + url + ": " + e.getMessage(), e);
      }
      log.info("ledger {} open (existing schema) as node {}", url, node);
      return;
    }
    try {
      Flyway.configure(JdbcKeyLedger.class.getClassLoader())
          .dataSource(pool)
          .locations(MIGRATIONS)
          .table("kt_schema_history")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      writers.shutdown();
      pool.close();
      throw storage("cannot migrate the ledger schema at " + url + ": " + rootMessage(e), e);
    }
    log.info("ledger {} open as node {}", url, node);
  }

  /**
   * The embedded default: an H2 file database {@code ledger.mv.db} in {@code directory} (created if
   * absent), for one host process, node {@code "local"}. Each commit is flushed to the file.
   */
  public static JdbcKeyLedger embedded(Path directory) throws KeyTransferException {
    return builder(embeddedUrl(directory)).build();
  }

  /**
   * The JDBC URL of the embedded ledger in {@code directory}, which is created owner-only (0700 on
   * POSIX) if absent: no other local user may edit the audit trail's file.
   */
  public static String embeddedUrl(Path directory) {
    try {
      if (!Files.isDirectory(directory)) {
        boolean posix =
            directory
                .toAbsolutePath()
                .getFileSystem()
                .supportedFileAttributeViews()
                .contains("posix");
        Files.createDirectories(
            directory,
            posix
                ? new java.nio.file.attribute.FileAttribute<?>[] {
                  java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                      java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"))
                }
                : new java.nio.file.attribute.FileAttribute<?>[0]);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return "jdbc:h2:file:"
        + directory.toAbsolutePath().resolve("ledger")
        + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
  }

  /** A ledger at {@code jdbcUrl} ({@code jdbc:postgresql://...} or {@code jdbc:h2:...}). */
  public static Builder builder(String jdbcUrl) {
    return new Builder(jdbcUrl);
  }

  /** The host process this ledger writes as. */
  public String node() {
    return node;
  }

  @Override
  public void recordDelivered(LedgerEntry entry) throws KeyTransferException {
    Objects.requireNonNull(entry, "entry");
    if (entry.status() != DeliveryStatus.DELIVERED) {
      throw storage("ledger refuses a new entry that is not DELIVERED: " + entry.sessionId(), null);
    }
    long at = micros(entry.deliveredAt());
    AuditRecord r = event(entry, DeliveryStatus.DELIVERED.name(), at);
    long seq =
        chained(
            "record delivery " + entry.sessionId(),
            tx -> {
              long s = tx.nextSeq();
              try (PreparedStatement p =
                  tx.connection.prepareStatement(
                      "INSERT INTO kt_delivery ("
                          + COLUMNS
                          + ", master_key, recorded_seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                p.setString(1, entry.sessionId());
                p.setString(2, entry.device().issuer().getName());
                p.setString(3, serialHex(entry.device()));
                p.setString(4, entry.deviceSubject());
                p.setString(5, entry.header().value());
                p.setString(6, kcvText(entry.kcv()));
                p.setString(7, DeliveryStatus.DELIVERED.name());
                p.setString(8, node);
                p.setLong(9, at);
                p.setLong(10, at);
                p.setBoolean(11, entry.isMasterKey());
                p.setLong(12, s);
                p.executeUpdate();
              }
              tx.append(r);
              return s;
            });
    recorded.put(entry.sessionId(), new Recorded(entry, seq));
  }

  /** Writes on a ledger thread while the host builds the key token. */
  @Override
  public Recording beginRecordDelivered(LedgerEntry entry) throws KeyTransferException {
    java.util.concurrent.Future<Void> f;
    try {
      f =
          writers.submit(
              () -> {
                recordDelivered(entry);
                return null;
              });
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      throw storage("the ledger is closed", closed);
    }
    return () -> await(f, "recording delivery " + entry.sessionId());
  }

  @Override
  public void updateStatus(String sessionId, DeliveryStatus status) throws KeyTransferException {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(status, "status");
    if (status == DeliveryStatus.DELIVERED) {
      throw new IllegalArgumentException("a status update leaves DELIVERED");
    }
    long at = micros(clock.instant());
    Boolean moved =
        chained(
            "update " + sessionId,
            tx -> {
              Optional<Delivery> d =
                  select(tx.connection, "session_id = ?", sessionId).stream().findFirst();
              if (d.isEmpty() || d.get().entry().status() != DeliveryStatus.DELIVERED) {
                return d.isPresent() ? Boolean.FALSE : null;
              }
              move(tx, d.get().entry(), status, at);
              return Boolean.TRUE;
            });
    if (moved == null) {
      throw storage("no ledger entry for session " + sessionId, null);
    }
    if (!moved) {
      throw storage(
          "ledger entry "
              + sessionId
              + " is already "
              + find(sessionId).map(e -> e.status().name()).orElse("gone"),
          null);
    }
  }

  @Override
  public int expireUnconfirmed(Instant deliveredBefore) throws KeyTransferException {
    long cutoff = micros(deliveredBefore);
    long at = micros(clock.instant());
    Integer n =
        chained(
            "expire",
            tx -> {
              List<Delivery> open =
                  select(
                      tx.connection,
                      "status = 'DELIVERED' AND delivered_at < ? ORDER BY recorded_seq",
                      cutoff);
              for (Delivery d : open) {
                move(tx, d.entry(), DeliveryStatus.EXPIRED, at);
              }
              return open.size();
            });
    if (n > 0) {
      log.info("ledger: {} unconfirmed deliveries expired", n);
    }
    return n;
  }

  @Override
  public void recordSession(SessionRecord s) throws KeyTransferException {
    Objects.requireNonNull(s, "record");
    AuditRecord r = sessionAudit(s);
    chained(
        "record session " + s.sessionId(),
        tx -> {
          tx.append(r);
          return null;
        });
  }

  /** Confirm, supersede and (optionally) the session record: one transaction. */
  @Override
  public List<String> confirm(String sessionId, Optional<SessionRecord> closing)
      throws KeyTransferException {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(closing, "closing");
    long at = micros(clock.instant());
    Optional<AuditRecord> sessionRecord = closing.map(this::sessionAudit);
    Recorded mine = recorded.get(sessionId); // recorded here: no need to read the row back
    List<String> superseded =
        chained(
            "confirm " + sessionId,
            tx -> {
              LedgerEntry e;
              long seq;
              if (mine != null) {
                e = mine.entry();
                seq = mine.seq();
              } else {
                Optional<Delivery> d =
                    select(tx.connection, "session_id = ?", sessionId).stream().findFirst();
                if (d.isEmpty() || d.get().entry().status() != DeliveryStatus.DELIVERED) {
                  return null;
                }
                e = d.get().entry();
                seq = recordedSeq(tx.connection, sessionId);
              }
              if (!moveIfOpen(tx, e, DeliveryStatus.CONFIRMED, at)) {
                return null; // no longer DELIVERED: nothing was written
              }
              List<String> closed = new ArrayList<>();
              if (e.isMasterKey()) {
                for (Delivery earlier :
                    select(
                        tx.connection,
                        MASTER_KEYS_OF_DEVICE
                            + " AND status = 'DELIVERED' AND recorded_seq < ? ORDER BY"
                            + " recorded_seq",
                        serialHex(e.device()),
                        e.device().issuer().getName(),
                        seq)) {
                  move(tx, earlier.entry(), DeliveryStatus.REJECTED, at);
                  closed.add(earlier.entry().sessionId());
                }
              }
              if (sessionRecord.isPresent()) {
                tx.append(sessionRecord.get());
              }
              return closed;
            });
    recorded.remove(sessionId);
    if (superseded == null) {
      throw storage(
          "ledger entry "
              + sessionId
              + (find(sessionId).isPresent()
                  ? " is already " + find(sessionId).get().status()
                  : " does not exist"),
          null);
    }
    return superseded;
  }

  private static long recordedSeq(Connection c, String sessionId) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT recorded_seq FROM kt_delivery WHERE session_id = ?")) {
      p.setString(1, sessionId);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private AuditRecord sessionAudit(SessionRecord s) {
    return new AuditRecord(
        0,
        SESSION_EVENT,
        node,
        s.sessionId(),
        s.terminalSubject(),
        s.terminal().map(t -> t.issuer().getName()),
        s.terminal().map(JdbcKeyLedger::serialHex),
        Optional.of(s.operation()),
        s.header().map(KeyBlockHeader::value),
        s.kcv().map(JdbcKeyLedger::kcvText),
        s.outcome(),
        s.error().map(ErrorCode::wireValue),
        Optional.of(micros(s.startedAt())),
        micros(s.endedAt()),
        "",
        "");
  }

  @Override
  public Optional<LedgerEntry> find(String sessionId) {
    return read(c -> select(c, "session_id = ?", sessionId)).stream()
        .findFirst()
        .map(Delivery::entry);
  }

  @Override
  public List<LedgerEntry> entries() {
    return read(c -> select(c, "1 = 1 ORDER BY recorded_seq")).stream()
        .map(Delivery::entry)
        .toList();
  }

  /** Every delivery with the node that recorded it, in recording order. */
  public List<Delivery> deliveries() throws KeyTransferException {
    return readChecked(c -> select(c, "1 = 1 ORDER BY recorded_seq"));
  }

  @Override
  public Optional<LedgerEntry> latestConfirmed(IssuerAndSerial device) throws KeyTransferException {
    return masterKeysOf(device, "status = 'CONFIRMED' ORDER BY recorded_seq DESC", 1).stream()
        .findFirst();
  }

  @Override
  public List<LedgerEntry> openDeliveries(IssuerAndSerial device) throws KeyTransferException {
    return masterKeysOf(device, "status = 'DELIVERED' ORDER BY recorded_seq", 0);
  }

  /** The master-key deliveries to {@code device} that also match {@code andWhere}. */
  private List<LedgerEntry> masterKeysOf(IssuerAndSerial device, String andWhere, int maxRows)
      throws KeyTransferException {
    return readChecked(
            c ->
                select(
                    c,
                    maxRows,
                    MASTER_KEYS_OF_DEVICE + " AND " + andWhere,
                    serialHex(device),
                    device.issuer().getName()))
        .stream()
        .map(Delivery::entry)
        .toList();
  }

  @Override
  public int attemptsSince(IssuerAndSerial device, Instant since) throws KeyTransferException {
    return readChecked(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT (SELECT COUNT(*) FROM kt_delivery WHERE device_serial = ?"
                      + " AND device_issuer = ? AND master_key = TRUE AND delivered_at >= ?)"
                      + " + (SELECT COUNT(*) FROM kt_audit WHERE terminal_serial = ?"
                      + " AND event = ? AND recorded_at >= ? AND terminal_issuer = ?)")) {
            p.setString(1, serialHex(device));
            p.setString(2, device.issuer().getName());
            p.setLong(3, micros(since));
            p.setString(4, serialHex(device));
            p.setString(5, REFUSED_REPORT_EVENT);
            p.setLong(6, micros(since));
            p.setString(7, device.issuer().getName());
            try (ResultSet rs = p.executeQuery()) {
              rs.next();
              return rs.getInt(1);
            }
          }
        });
  }

  /** Reads on a ledger thread while the host waits for the terminal's next message. */
  @Override
  public Count beginAttemptsSince(IssuerAndSerial device, Instant since) {
    java.util.concurrent.Future<Integer> f;
    try {
      f = writers.submit(() -> attemptsSince(device, since));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      return () -> {
        throw storage("the ledger is closed", closed);
      };
    }
    return () -> await(f, "reading the delivery count");
  }

  /** The result of {@code f}, with its failure as the ledger's own exception. */
  private static <T> T await(java.util.concurrent.Future<T> f, String what)
      throws KeyTransferException {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof KeyTransferException k) {
        throw k;
      }
      throw storage("ledger: " + what + " failed: " + rootMessage(e), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw storage("interrupted while " + what, e);
    }
  }

  @Override
  public void recordRefusedReport(
      IssuerAndSerial device, String deviceSubject, KeyCheckValue kcv, Instant at)
      throws KeyTransferException {
    AuditRecord r =
        new AuditRecord(
            0,
            REFUSED_REPORT_EVENT,
            node,
            "-",
            Optional.of(deviceSubject),
            Optional.of(device.issuer().getName()),
            Optional.of(serialHex(device)),
            Optional.empty(),
            Optional.empty(),
            Optional.of(kcvText(kcv)),
            REFUSED_REPORT_EVENT,
            Optional.empty(),
            Optional.empty(),
            micros(at),
            "",
            "");
    chained(
        "record a refused pending-key report",
        tx -> {
          tx.append(r);
          return null;
        });
  }

  /** The audit trail, in chain order. */
  public List<AuditRecord> auditRecords() throws KeyTransferException {
    return readChecked(JdbcKeyLedger::readAudit);
  }

  /**
   * Recomputes the audit chain from the first record and checks every delivery row against it: each
   * record's hash, its link to the one before, no gap in the sequence, the head row, at most one
   * status change per delivery, and each delivery row equal to what its records say (status,
   * device, header, KCV, node, times). Detects a row changed, inserted or removed with SQL; a
   * writer who rewrites the whole chain is detected only against a head hash kept elsewhere.
   */
  public LedgerVerification verify() throws KeyTransferException {
    return readChecked(
        c -> {
          // one snapshot of chain, head and rows, while other hosts go on writing
          // (H2 takes a table's snapshot at its first read unless SERIALIZABLE)
          c.setTransactionIsolation(
              h2 ? Connection.TRANSACTION_SERIALIZABLE : Connection.TRANSACTION_REPEATABLE_READ);
          List<AuditRecord> chain = readAudit(c);
          String prev = AuditRecord.GENESIS;
          long expected = 1;
          Map<String, Expected> state = new HashMap<>();
          for (AuditRecord r : chain) {
            String where = "audit record " + r.seq() + " (session " + r.sessionId() + ")";
            if (r.seq() != expected) {
              return broken(chain, 0, prev, "audit record " + expected + " is missing");
            }
            if (!r.prevHash().equals(prev)) {
              return broken(chain, 0, prev, where + ": does not link to the record before it");
            }
            if (!r.hash().equals(r.computeHash())) {
              return broken(chain, 0, prev, where + ": its contents do not match its hash");
            }
            Optional<String> problem = fold(state, r);
            if (problem.isPresent()) {
              return broken(chain, 0, prev, where + ": " + problem.get());
            }
            prev = r.hash();
            expected++;
          }
          ChainWriter.Head head = ChainWriter.readHead(c);
          if (head.seq() != chain.size() || !head.hash().equals(prev)) {
            return broken(
                chain,
                0,
                prev,
                "the chain head (record "
                    + head.seq()
                    + ") does not match the last audit record ("
                    + chain.size()
                    + "): records were removed or added");
          }
          List<Delivery> rows = select(c, "1 = 1 ORDER BY recorded_seq");
          Map<String, long[]> order = rowOrder(c);
          for (Delivery d : rows) {
            Expected e = state.remove(d.entry().sessionId());
            String where = "delivery " + d.entry().sessionId();
            if (e == null) {
              return broken(chain, rows.size(), prev, where + ": has no DELIVERED audit record");
            }
            long[] o = order.get(d.entry().sessionId());
            Optional<String> diff =
                o[0] != (d.entry().isMasterKey() ? 1 : 0)
                    ? Optional.of("its master-key flag")
                    : o[1] != e.seq() ? Optional.of("its recording order") : e.diff(d);
            if (diff.isPresent()) {
              return broken(
                  chain, rows.size(), prev, where + ": " + diff.get() + " differs from its audit");
            }
          }
          if (!state.isEmpty()) {
            return broken(
                chain,
                rows.size(),
                prev,
                "delivery " + state.keySet().iterator().next() + ": audited but its row is gone");
          }
          return new LedgerVerification(chain.size(), rows.size(), prev, Optional.empty());
        });
  }

  /**
   * DUKPT device numbers allocated by this database for the key set {@code keySet} (a name for one
   * BDK and KSN prefix): every call returns a number no other call returned, in any host process
   * sharing the ledger and across restarts (docs/SECURITY.md K1). The first number is the one the
   * key source starts from.
   */
  public DukptInitialKeySource.DeviceNumbers dukptDeviceNumbers(String keySet) {
    Objects.requireNonNull(keySet, "keySet");
    return (device, first) ->
        write(
            "allocate a DUKPT device number",
            c -> {
              long n;
              try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT next_value FROM kt_dukpt_counter WHERE key_set = ? FOR UPDATE")) {
                p.setString(1, keySet);
                try (ResultSet rs = p.executeQuery()) {
                  n = rs.next() ? rs.getLong(1) : -1;
                }
              }
              if (n < 0) {
                n = first;
                try (PreparedStatement p =
                    c.prepareStatement(
                        "INSERT INTO kt_dukpt_counter (key_set, next_value) VALUES (?, ?)")) {
                  p.setString(1, keySet);
                  p.setLong(2, n + 1);
                  p.executeUpdate(); // a concurrent first insert fails here: the caller retries
                }
              } else {
                try (PreparedStatement p =
                    c.prepareStatement(
                        "UPDATE kt_dukpt_counter SET next_value = ? WHERE key_set = ?")) {
                  p.setLong(1, n + 1);
                  p.setString(2, keySet);
                  p.executeUpdate();
                }
              }
              IssuerAndSerial id = IssuerAndSerial.of(device);
              try (PreparedStatement p =
                  c.prepareStatement(
                      "INSERT INTO kt_dukpt_number (key_set, device_number, device_issuer,"
                          + " device_serial, node_id, assigned_at) VALUES (?,?,?,?,?,?)")) {
                p.setString(1, keySet);
                p.setLong(2, n);
                p.setString(3, id.issuer().getName());
                p.setString(4, serialHex(id));
                p.setString(5, node);
                p.setLong(6, micros(clock.instant()));
                p.executeUpdate();
              }
              return n;
            },
            h2); // a number handed out must survive a power loss, not only a crash
  }

  @Override
  public void close() {
    writers.shutdown();
    try {
      writers.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.close();
  }

  @Override
  public String toString() {
    return "JdbcKeyLedger[" + url + ", node " + node + "]";
  }

  // --- the chain

  /** Moves {@code e} from DELIVERED to {@code to}, with its audit record. */
  private void move(ChainWriter.Tx tx, LedgerEntry e, DeliveryStatus to, long at)
      throws SQLException {
    if (!moveIfOpen(tx, e, to, at)) {
      throw new SQLException("delivery " + e.sessionId() + " left DELIVERED concurrently");
    }
  }

  /** As {@link #move}, or false (and nothing written) if {@code e} is no longer DELIVERED. */
  private boolean moveIfOpen(ChainWriter.Tx tx, LedgerEntry e, DeliveryStatus to, long at)
      throws SQLException {
    try (PreparedStatement p =
        tx.connection.prepareStatement(
            "UPDATE kt_delivery SET status = ?, updated_at = ? WHERE session_id = ? AND status ="
                + " 'DELIVERED'")) {
      p.setString(1, to.name());
      p.setLong(2, at);
      p.setString(3, e.sessionId());
      if (p.executeUpdate() != 1) {
        return false;
      }
    }
    recorded.remove(e.sessionId());
    tx.append(event(e, to.name(), at));
    return true;
  }

  private AuditRecord event(LedgerEntry e, String event, long at) {
    return new AuditRecord(
        0,
        event,
        node,
        e.sessionId(),
        Optional.of(e.deviceSubject()),
        Optional.of(e.device().issuer().getName()),
        Optional.of(serialHex(e.device())),
        Optional.empty(),
        Optional.of(e.header().value()),
        Optional.of(kcvText(e.kcv())),
        event,
        Optional.empty(),
        Optional.empty(),
        at,
        "",
        "");
  }

  private static List<AuditRecord> readAudit(Connection c) throws SQLException {
    List<AuditRecord> out = new ArrayList<>();
    try (PreparedStatement p =
            c.prepareStatement(
                "SELECT seq, event, node_id, session_id, terminal_subject, terminal_issuer,"
                    + " terminal_serial, operation, key_header, kcv, outcome, error_code,"
                    + " started_at, recorded_at, prev_hash, hash FROM kt_audit ORDER BY seq");
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        int code = rs.getInt(12);
        Optional<Integer> error = rs.wasNull() ? Optional.empty() : Optional.of(code);
        long started = rs.getLong(13);
        Optional<Long> startedAt = rs.wasNull() ? Optional.empty() : Optional.of(started);
        out.add(
            new AuditRecord(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                Optional.ofNullable(rs.getString(5)),
                Optional.ofNullable(rs.getString(6)),
                Optional.ofNullable(rs.getString(7)),
                Optional.ofNullable(rs.getString(8)),
                Optional.ofNullable(rs.getString(9)),
                Optional.ofNullable(rs.getString(10)),
                rs.getString(11),
                error,
                startedAt,
                rs.getLong(14),
                rs.getString(15).trim(),
                rs.getString(16).trim()));
      }
    }
    return out;
  }

  /** What the audit records say a delivery row must hold. */
  private record Expected(
      String issuer,
      String serial,
      String subject,
      String header,
      String kcv,
      String status,
      String node,
      long deliveredAt,
      long updatedAt,
      long seq) {
    Optional<String> diff(Delivery d) {
      LedgerEntry e = d.entry();
      if (!status.equals(e.status().name())) {
        return Optional.of("its status " + e.status());
      }
      if (!kcv.equals(kcvText(e.kcv()))) {
        return Optional.of("its KCV");
      }
      if (!header.equals(e.header().value())) {
        return Optional.of("its key header");
      }
      if (!subject.equals(e.deviceSubject())
          || !issuer.equals(e.device().issuer().getName())
          || !serial.equals(serialHex(e.device()))) {
        return Optional.of("its device");
      }
      if (!node.equals(d.node())) {
        return Optional.of("its node");
      }
      if (deliveredAt != micros(e.deliveredAt()) || updatedAt != micros(e.updatedAt())) {
        return Optional.of("its time");
      }
      return Optional.empty();
    }
  }

  private static Optional<String> fold(Map<String, Expected> state, AuditRecord r) {
    if (r.event().equals(SESSION_EVENT) || r.event().equals(REFUSED_REPORT_EVENT)) {
      return Optional.empty();
    }
    Expected before = state.get(r.sessionId());
    if (r.event().equals(DeliveryStatus.DELIVERED.name())) {
      if (before != null) {
        return Optional.of("a second DELIVERED record for one session");
      }
      if (r.terminalIssuer().isEmpty() || r.keyHeader().isEmpty() || r.kcv().isEmpty()) {
        return Optional.of("a DELIVERED record without device, header or KCV");
      }
      state.put(
          r.sessionId(),
          new Expected(
              r.terminalIssuer().get(),
              r.terminalSerial().orElse(""),
              r.terminalSubject().orElse(""),
              r.keyHeader().get(),
              r.kcv().get(),
              DeliveryStatus.DELIVERED.name(),
              r.node(),
              r.recordedAtMicros(),
              r.recordedAtMicros(),
              r.seq()));
      return Optional.empty();
    }
    if (before == null) {
      return Optional.of("a status change for a delivery never recorded");
    }
    if (!before.status().equals(DeliveryStatus.DELIVERED.name())) {
      return Optional.of("a second status change (" + before.status() + " then " + r.event() + ")");
    }
    state.put(
        r.sessionId(),
        new Expected(
            before.issuer(),
            before.serial(),
            before.subject(),
            before.header(),
            before.kcv(),
            r.event(),
            before.node(),
            before.deliveredAt(),
            r.recordedAtMicros(),
            before.seq()));
    return Optional.empty();
  }

  /**
   * Per delivery row: the master_key column (1/0) and recorded_seq, which decide order and limit.
   */
  private static Map<String, long[]> rowOrder(Connection c) throws SQLException {
    Map<String, long[]> out = new HashMap<>();
    try (PreparedStatement p =
            c.prepareStatement("SELECT session_id, master_key, recorded_seq FROM kt_delivery");
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), new long[] {rs.getBoolean(2) ? 1 : 0, rs.getLong(3)});
      }
    }
    return out;
  }

  private static LedgerVerification broken(
      List<AuditRecord> chain, long rows, String head, String problem) {
    return new LedgerVerification(chain.size(), rows, head, Optional.of(problem));
  }

  // --- rows

  private static List<Delivery> select(Connection c, String where, Object... args)
      throws SQLException {
    return select(c, 0, where, args);
  }

  /** Rows matching {@code where}; at most {@code maxRows} unless 0. */
  private static List<Delivery> select(Connection c, int maxRows, String where, Object... args)
      throws SQLException {
    List<Delivery> out = new ArrayList<>();
    try (PreparedStatement p =
        c.prepareStatement("SELECT " + COLUMNS + " FROM kt_delivery WHERE " + where)) {
      p.setMaxRows(maxRows);
      for (int i = 0; i < args.length; i++) {
        p.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
    }
    return out;
  }

  private static Delivery row(ResultSet rs) throws SQLException {
    try {
      LedgerEntry e =
          new LedgerEntry(
              rs.getString(1),
              new IssuerAndSerial(
                  new X500Principal(rs.getString(2)), new BigInteger(rs.getString(3), 16)),
              rs.getString(4),
              KeyBlockHeader.parse(rs.getString(5)),
              parseKcv(rs.getString(6)),
              DeliveryStatus.valueOf(rs.getString(7)),
              instant(rs.getLong(9)),
              instant(rs.getLong(10)));
      return new Delivery(e, rs.getString(8));
    } catch (MalformedTokenException | IllegalArgumentException e) {
      throw new SQLException("unreadable delivery row " + rs.getString(1) + ": " + e.getMessage());
    }
  }

  static String kcvText(KeyCheckValue kcv) {
    return kcv.method().name() + ":" + kcv.hex().toLowerCase(Locale.ROOT);
  }

  private static KeyCheckValue parseKcv(String s) {
    int i = s.indexOf(':');
    return KeyCheckValue.of(
        KeyCheckValue.Method.valueOf(s.substring(0, i)),
        HexFormat.of().parseHex(s.substring(i + 1)));
  }

  static String serialHex(IssuerAndSerial id) {
    return id.serialNumber().toString(16);
  }

  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }

  // --- transactions

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** A write to the audit chain, committed with the others queued with it. */
  private <T> T chained(String what, ChainWriter.Op<T> op) throws KeyTransferException {
    try {
      return chain.run(op);
    } catch (ChainWriter.Failure f) {
      throw storage("ledger: " + what + " failed: " + rootMessage(f.getCause()), f.getCause());
    }
  }

  /** A delivery recorded by this instance, with the sequence number of its DELIVERED record. */
  private record Recorded(LedgerEntry entry, long seq) {}

  /** The deliveries this instance recorded and has not seen leave DELIVERED, the latest few. */
  private static Map<String, Recorded> recentDeliveries() {
    return java.util.Collections.synchronizedMap(
        new java.util.LinkedHashMap<>() {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
            return size() > 4096;
          }
        });
  }

  /** One transaction; {@code sync}: on H2, also force the file to disk after the commit. */
  private <T> T write(String what, Work<T> work, boolean sync) throws KeyTransferException {
    SQLException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try (Connection c = pool.getConnection()) {
        try {
          T out = work.run(c);
          c.commit();
          if (sync) {
            try (Statement st = c.createStatement()) {
              st.execute("CHECKPOINT SYNC");
            }
          }
          return out;
        } catch (SQLException | RuntimeException e) {
          ChainWriter.rollbackQuietly(c);
          throw e;
        }
      } catch (SQLException e) {
        last = e;
        if (!ChainWriter.retryable(e)) {
          break;
        }
      } catch (RuntimeException e) {
        throw storage("ledger: " + what + " failed: " + rootMessage(e), e);
      }
    }
    throw storage("ledger: " + what + " failed: " + rootMessage(last), last);
  }

  private <T> T read(Work<T> work) {
    try {
      return readChecked(work);
    } catch (KeyTransferException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private <T> T readChecked(Work<T> work) throws KeyTransferException {
    try (Connection c = pool.getConnection()) {
      try {
        return work.run(c);
      } finally {
        ChainWriter.rollbackQuietly(c);
      }
    } catch (SQLException e) {
      throw storage("ledger: read failed: " + rootMessage(e), e);
    }
  }

  private static KeyTransferException storage(String message, Throwable cause) {
    KeyTransferException e = new KeyTransferException(ErrorCode.STORAGE_FAILURE, message);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** The URL without a password parameter, for logs and messages. */
  static String redact(String url) {
    // the value runs to the next separator as the driver splits it: ';' for H2, '&' otherwise
    String separator = url.startsWith("jdbc:h2:") ? ";" : "&";
    return url.replaceAll("(//[^/@?;]*:)[^/@?;]*@", "$1***@")
        .replaceAll("(?i)(password=)[^" + separator + "]*", "$1***");
  }

  /** Builder for a ledger at a JDBC URL. */
  public static final class Builder {
    private final String url;
    private String user;
    private char[] password;
    private String node = "local";
    private int poolSize = 8;
    private long connectTimeoutMillis = 10_000;
    private Clock clock = Clock.systemUTC();
    private boolean migrate = true;

    private Builder(String url) {
      this.url = Objects.requireNonNull(url, "url");
    }

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /** The database password (copied); never logged. */
    public Builder password(char[] password) {
      this.password = password == null ? null : password.clone();
      return this;
    }

    /** The name this host process writes under (default {@code "local"}). */
    public Builder nodeId(String node) {
      Objects.requireNonNull(node, "node");
      if (node.isBlank() || node.length() > 64) {
        throw new IllegalArgumentException("a node id is 1 to 64 characters");
      }
      this.node = node;
      return this;
    }

    /** At most this many connections, at least 2 (default 8, like the host's session threads). */
    public Builder poolSize(int n) {
      if (n < 2) {
        throw new IllegalArgumentException(
            "pool size must be at least 2 (the migration needs two)");
      }
      this.poolSize = n;
      return this;
    }

    /** How long to wait for a connection before a write fails with STORAGE_FAILURE. */
    public Builder connectTimeout(java.time.Duration t) {
      this.connectTimeoutMillis = Math.max(250, t.toMillis());
      return this;
    }

    /** The clock for status changes (tests). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens an existing ledger without migrating its schema (for auditors, {@code ledger list} and
     * {@code ledger verify}): a URL that names no ledger fails instead of creating an empty one.
     */
    public Builder existingLedgerOnly() {
      this.migrate = false;
      return this;
    }

    /** Opens the pool and (unless {@link #existingLedgerOnly()}) migrates the schema. */
    public JdbcKeyLedger build() throws KeyTransferException {
      try {
        return new JdbcKeyLedger(this);
      } finally {
        if (password != null) {
          java.util.Arrays.fill(password, '\0');
        }
      }
    }
  }
}
