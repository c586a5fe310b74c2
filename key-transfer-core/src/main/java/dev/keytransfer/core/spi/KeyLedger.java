package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyTransferException;
import java.util.List;
import java.util.Optional;

/** The host's record of what was issued to whom and how it ended. Thread-safe. */
public interface KeyLedger {
  /** Records a new delivery (status {@link DeliveryStatus#DELIVERED}). */
  void recordDelivered(LedgerEntry entry) throws KeyTransferException;

  /** Moves the session's entry to {@code status}. */
  void updateStatus(String sessionId, DeliveryStatus status) throws KeyTransferException;

  Optional<LedgerEntry> find(String sessionId);

  List<LedgerEntry> entries();
}
