package dev.keytransfer.core.store;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.SessionRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A host ledger in JVM memory, for tests and one-off tools: lost on restart. A key host keeps its
 * ledger in a database ({@code JdbcKeyLedger} in key-transfer-jdbc).
 */
public final class InMemoryKeyLedger implements KeyLedger {
  private final Map<String, LedgerEntry> entries = new LinkedHashMap<>();
  private final List<SessionRecord> sessions = new ArrayList<>();
  private final List<Map.Entry<IssuerAndSerial, Instant>> refusedReports = new ArrayList<>();
  private final Clock clock;

  public InMemoryKeyLedger() {
    this(Clock.systemUTC());
  }

  public InMemoryKeyLedger(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void recordDelivered(LedgerEntry entry) throws KeyTransferException {
    if (entry.status() != DeliveryStatus.DELIVERED || entries.containsKey(entry.sessionId())) {
      throw new KeyTransferException(
          ErrorCode.STORAGE_FAILURE, "ledger refuses entry for session " + entry.sessionId());
    }
    entries.put(entry.sessionId(), entry);
  }

  @Override
  public synchronized void updateStatus(String sessionId, DeliveryStatus status)
      throws KeyTransferException {
    LedgerEntry e = entries.get(sessionId);
    if (e == null) {
      throw new KeyTransferException(
          ErrorCode.STORAGE_FAILURE, "no ledger entry for session " + sessionId);
    }
    if (e.status() != DeliveryStatus.DELIVERED) {
      throw new KeyTransferException(
          ErrorCode.STORAGE_FAILURE, "ledger entry " + sessionId + " is already " + e.status());
    }
    entries.put(sessionId, e.withStatus(status, clock.instant()));
  }

  @Override
  public synchronized Optional<LedgerEntry> find(String sessionId) {
    return Optional.ofNullable(entries.get(sessionId));
  }

  @Override
  public synchronized List<LedgerEntry> entries() {
    return new ArrayList<>(entries.values());
  }

  @Override
  public synchronized Optional<LedgerEntry> latestConfirmed(IssuerAndSerial device) {
    LedgerEntry latest = null;
    for (LedgerEntry e : entries.values()) {
      if (e.device().equals(device) && e.isMasterKey() && e.status() == DeliveryStatus.CONFIRMED) {
        latest = e;
      }
    }
    return Optional.ofNullable(latest);
  }

  @Override
  public synchronized List<LedgerEntry> openDeliveries(IssuerAndSerial device) {
    List<LedgerEntry> out = new ArrayList<>();
    for (LedgerEntry e : entries.values()) {
      if (e.device().equals(device) && e.isMasterKey() && e.status() == DeliveryStatus.DELIVERED) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  public synchronized int attemptsSince(IssuerAndSerial device, Instant since) {
    int n = 0;
    for (LedgerEntry e : entries.values()) {
      if (e.device().equals(device) && e.isMasterKey() && !e.deliveredAt().isBefore(since)) {
        n++;
      }
    }
    for (Map.Entry<IssuerAndSerial, Instant> r : refusedReports) {
      if (r.getKey().equals(device) && !r.getValue().isBefore(since)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public synchronized void recordRefusedReport(
      IssuerAndSerial device, String deviceSubject, KeyCheckValue kcv, Instant at) {
    refusedReports.add(Map.entry(device, at));
  }

  @Override
  public synchronized int expireUnconfirmed(Instant deliveredBefore) {
    int n = 0;
    Instant now = clock.instant();
    for (Map.Entry<String, LedgerEntry> me : entries.entrySet()) {
      LedgerEntry e = me.getValue();
      if (e.status() == DeliveryStatus.DELIVERED && e.deliveredAt().isBefore(deliveredBefore)) {
        me.setValue(e.withStatus(DeliveryStatus.EXPIRED, now));
        n++;
      }
    }
    return n;
  }

  @Override
  public synchronized void recordSession(SessionRecord record) {
    sessions.add(record);
  }

  /** The audit records of the sessions so far, in order. */
  public synchronized List<SessionRecord> sessions() {
    return List.copyOf(sessions);
  }
}
