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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A host ledger in JVM memory, for tests and one-off tools: lost on restart. A key host keeps its
 * ledger in a database ({@code JdbcKeyLedger} in key-transfer-jdbc).
 */
public final class InMemoryKeyLedger implements KeyLedger {
  private final Map<String, LedgerEntry> entries = new LinkedHashMap<>();

  /** Per device, its master-key sessions in the order they were recorded. */
  private final Map<IssuerAndSerial, DeviceHistory> byDevice = new HashMap<>();

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
    if (entry.isMasterKey()) {
      byDevice.computeIfAbsent(entry.device(), d -> new DeviceHistory()).add(entry);
    }
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
    if (status != DeliveryStatus.DELIVERED) {
      closed(e);
    }
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
    DeviceHistory h = byDevice.get(device);
    if (h != null) {
      for (int i = h.sessions.size() - 1; i >= 0; i--) {
        LedgerEntry e = entries.get(h.sessions.get(i));
        if (e.status() == DeliveryStatus.CONFIRMED) {
          return Optional.of(e);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized List<LedgerEntry> openDeliveries(IssuerAndSerial device) {
    List<LedgerEntry> out = new ArrayList<>();
    DeviceHistory h = byDevice.get(device);
    if (h != null) {
      for (String session : h.open) {
        out.add(entries.get(session));
      }
    }
    return out;
  }

  @Override
  public synchronized int attemptsSince(IssuerAndSerial device, Instant since) {
    DeviceHistory h = byDevice.get(device);
    int n = h == null ? 0 : h.deliveredSince(since);
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
        closed(e);
        n++;
      }
    }
    return n;
  }

  @Override
  public synchronized void recordSession(SessionRecord record) {
    sessions.add(record);
  }

  private void closed(LedgerEntry e) {
    DeviceHistory h = e.isMasterKey() ? byDevice.get(e.device()) : null;
    if (h != null) {
      h.open.remove(e.sessionId());
    }
  }

  /** One device's master-key sessions, oldest first, and those still DELIVERED. */
  private static final class DeviceHistory {
    final List<String> sessions = new ArrayList<>();
    final List<Instant> times = new ArrayList<>();
    final Set<String> open = new LinkedHashSet<>();
    boolean inTimeOrder = true;

    void add(LedgerEntry e) {
      if (!times.isEmpty() && e.deliveredAt().isBefore(times.get(times.size() - 1))) {
        inTimeOrder = false;
      }
      sessions.add(e.sessionId());
      times.add(e.deliveredAt());
      open.add(e.sessionId());
    }

    /** Deliveries at or after {@code since}: a binary search while they were recorded in order. */
    int deliveredSince(Instant since) {
      if (!inTimeOrder) {
        return (int) times.stream().filter(t -> !t.isBefore(since)).count();
      }
      int lo = 0;
      int hi = times.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (times.get(mid).isBefore(since)) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return times.size() - lo;
    }
  }

  /** The audit records of the sessions so far, in order. */
  public synchronized List<SessionRecord> sessions() {
    return List.copyOf(sessions);
  }
}
