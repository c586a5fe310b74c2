package dev.keytransfer.core.handshake;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.spi.LedgerEntry;
import java.util.List;

/**
 * What the host can tell about a completed delivery: ledger session, terminal, header and KCV of
 * the master key, and the ledger entries of the working keys sent after it.
 */
public record DeliveryReceipt(String sessionId, String terminalSubject, KeyBlockHeader header, KeyCheckValue kcv,
    List<LedgerEntry> workingKeys) {
  public DeliveryReceipt {
    workingKeys = List.copyOf(workingKeys);
  }

  /** A receipt for the master key alone. */
  public DeliveryReceipt(String sessionId, String terminalSubject, KeyBlockHeader header, KeyCheckValue kcv) {
    this(sessionId, terminalSubject, header, kcv, List.of());
  }
}
