package dev.keytransfer.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every write to the audit chain, with group commit (docs/DESIGN.md, "Core interfaces"). A write is
 * an {@link Op} that runs inside a transaction which first locks the chain's head row (so that any
 * number of processes append to one linear chain); the writes queued in this process while one
 * transaction runs share the next one: one head lock, one batch of audit records, one commit.
 *
 * <p>A caller returns only once its own write is committed (or has failed). An op that refuses
 * (returns its "nothing to do" value) must not have written anything; an op that throws aborts its
 * transaction, and the others queued with it are then retried each on its own, so one failing write
 * never fails another.
 */
final class ChainWriter {
  /** One write. Runs in the transaction of {@code tx}; appends its audit records to it. */
  @FunctionalInterface
  interface Op<T> {
    T apply(Tx tx) throws SQLException;
  }

  /** What a write threw, wrapped so that the ledger can turn it into its own exception. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(Throwable cause) {
      super(cause);
    }
  }

  /** The head of the chain: the last record's sequence number and hash. */
  record Head(long seq, String hash) {}

  /** An open transaction of a batch of writes, and the audit records they append. */
  static final class Tx {
    final Connection connection;
    private Head head;
    private final List<AuditRecord> records = new ArrayList<>();

    private Tx(Connection connection, Head head) {
      this.connection = connection;
      this.head = head;
    }

    /** The sequence number the next appended record gets. */
    long nextSeq() {
      return head.seq + 1;
    }

    /** Chains {@code unchained} after the last record; written with the batch. */
    void append(AuditRecord unchained) {
      AuditRecord r = unchained.chained(head.seq + 1, head.hash);
      records.add(r);
      head = new Head(r.seq(), r.hash());
    }

    private void flush() throws SQLException {
      if (records.isEmpty()) {
        return;
      }
      try (PreparedStatement p = connection.prepareStatement(INSERT_AUDIT)) {
        for (AuditRecord r : records) {
          bind(p, r);
          p.addBatch();
        }
        p.executeBatch();
      }
      try (PreparedStatement p =
          connection.prepareStatement("UPDATE kt_audit_head SET seq = ?, hash = ? WHERE id = 1")) {
        p.setLong(1, head.seq);
        p.setString(2, head.hash);
        p.executeUpdate();
      }
    }
  }

  private static final String INSERT_AUDIT =
      "INSERT INTO kt_audit (seq, event, node_id, session_id, terminal_subject,"
          + " terminal_issuer, terminal_serial, operation, key_header, kcv, outcome,"
          + " error_code, started_at, recorded_at, prev_hash, hash)"
          + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

  /** More records than this in one transaction would hold the head lock for long. */
  private static final int MAX_BATCH = 64;

  private final HikariDataSource pool;
  private final ReentrantLock leader = new ReentrantLock();
  private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong transactions = new AtomicLong();

  ChainWriter(HikariDataSource pool) {
    this.pool = pool;
  }

  /**
   * Runs {@code op} in the next transaction of this writer and returns its result once committed.
   * The caller that finds no transaction running runs the next one itself, for everything queued.
   *
   * @throws Failure the cause of the op's (or its transaction's) failure; nothing of it is written
   */
  <T> T run(Op<T> op) throws Failure {
    Pending<T> mine = new Pending<>(op);
    queue.add(mine);
    leader.lock();
    try {
      while (!mine.done) {
        List<Pending<?>> batch = new ArrayList<>();
        for (Pending<?> p; batch.size() < MAX_BATCH && (p = queue.poll()) != null; ) {
          batch.add(p);
        }
        execute(batch);
      }
    } finally {
      leader.unlock();
    }
    return mine.get();
  }

  private void execute(List<Pending<?>> batch) {
    try {
      commit(batch);
    } catch (SQLException | RuntimeException e) {
      if (batch.size() == 1 || connectionLost(e)) {
        batch.forEach(p -> p.fail(e));
        return;
      }
      for (Pending<?> p : batch) { // find the one that failed; the others still commit
        try {
          commit(List.of(p));
        } catch (SQLException | RuntimeException alone) {
          p.fail(alone);
        }
      }
    }
  }

  /** One transaction for {@code batch}, retried on a serialization failure or a deadlock. */
  private void commit(List<Pending<?>> batch) throws SQLException {
    SQLException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      Object[] results = new Object[batch.size()];
      try (Connection c = pool.getConnection()) {
        try {
          Tx tx = new Tx(c, lockHead(c));
          for (int i = 0; i < results.length; i++) {
            results[i] = batch.get(i).op.apply(tx);
          }
          tx.flush();
          c.commit();
          transactions.incrementAndGet();
        } catch (SQLException | RuntimeException e) {
          rollbackQuietly(c);
          throw e;
        }
        for (int i = 0; i < results.length; i++) {
          batch.get(i).complete(results[i]);
        }
        return;
      } catch (SQLException e) {
        last = e;
        if (!retryable(e)) {
          break;
        }
      }
    }
    throw last;
  }

  /** Transactions committed so far. */
  long transactions() {
    return transactions.get();
  }

  /** Writes waiting for the next transaction. */
  int queued() {
    return queue.size();
  }

  static Head lockHead(Connection c) throws SQLException {
    try (PreparedStatement p =
            c.prepareStatement("SELECT seq, hash FROM kt_audit_head WHERE id = 1 FOR UPDATE");
        ResultSet rs = p.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("the audit chain head row is missing");
      }
      return new Head(rs.getLong(1), rs.getString(2).trim());
    }
  }

  static Head readHead(Connection c) throws SQLException {
    try (PreparedStatement p =
            c.prepareStatement("SELECT seq, hash FROM kt_audit_head WHERE id = 1");
        ResultSet rs = p.executeQuery()) {
      return rs.next() ? new Head(rs.getLong(1), rs.getString(2).trim()) : new Head(-1, "");
    }
  }

  private static void bind(PreparedStatement p, AuditRecord r) throws SQLException {
    p.setLong(1, r.seq());
    p.setString(2, r.event());
    p.setString(3, r.node());
    p.setString(4, r.sessionId());
    setOptional(p, 5, r.terminalSubject());
    setOptional(p, 6, r.terminalIssuer());
    setOptional(p, 7, r.terminalSerial());
    setOptional(p, 8, r.operation());
    setOptional(p, 9, r.keyHeader());
    setOptional(p, 10, r.kcv());
    p.setString(11, r.outcome());
    if (r.errorCode().isPresent()) {
      p.setInt(12, r.errorCode().get());
    } else {
      p.setNull(12, Types.INTEGER);
    }
    if (r.startedAtMicros().isPresent()) {
      p.setLong(13, r.startedAtMicros().get());
    } else {
      p.setNull(13, Types.BIGINT);
    }
    p.setLong(14, r.recordedAtMicros());
    p.setString(15, r.prevHash());
    p.setString(16, r.hash());
  }

  static void setOptional(PreparedStatement p, int i, Optional<String> v) throws SQLException {
    if (v.isPresent()) {
      p.setString(i, v.get());
    } else {
      p.setNull(i, Types.VARCHAR);
    }
  }

  /** A unique-key race (two hosts creating one counter) or a deadlock/serialization failure. */
  static boolean retryable(SQLException e) {
    String state = e.getSQLState();
    return state != null
        && (state.startsWith("23") || state.equals("40001") || state.equals("40P01"));
  }

  /** After a broken connection a commit may have happened: the writes are not run again. */
  private static boolean connectionLost(Exception e) {
    return e instanceof SQLException s
        && s.getSQLState() != null
        && s.getSQLState().startsWith("08");
  }

  static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the pool discards it
    }
  }

  private static final class Pending<T> {
    private final Op<T> op;
    private volatile boolean done;
    private T result;
    private Exception failure;

    Pending(Op<T> op) {
      this.op = op;
    }

    @SuppressWarnings("unchecked")
    void complete(Object r) {
      result = (T) r;
      done = true;
    }

    void fail(Exception e) {
      failure = e;
      done = true;
    }

    T get() throws Failure {
      if (failure != null) {
        throw new Failure(failure);
      }
      return result;
    }
  }
}
