package dev.keytransfer.core.store;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.LedgerEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The default host ledger, in JVM memory (lost on restart: use a persistent one in production). */
public final class InMemoryKeyLedger implements KeyLedger {
  private final Map<String, LedgerEntry> entries = new LinkedHashMap<>();
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
}
