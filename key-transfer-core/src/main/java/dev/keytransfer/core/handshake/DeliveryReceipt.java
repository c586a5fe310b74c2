package dev.keytransfer.core.handshake;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.spi.LedgerEntry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the host can tell about a completed session: ledger session, terminal, the operation, and
 * for a key delivery the header and KCV of the key and the ledger entries of the working keys sent
 * after it. Never a key.
 */
public record DeliveryReceipt(
    String sessionId,
    String terminalSubject,
    HostOperation operation,
    Optional<KeyBlockHeader> header,
    Optional<KeyCheckValue> kcv,
    List<LedgerEntry> workingKeys) {
  public DeliveryReceipt {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(kcv, "kcv");
    workingKeys = List.copyOf(workingKeys);
  }

  @Override
  public String toString() {
    return "DeliveryReceipt["
        + sessionId
        + ", "
        + terminalSubject
        + ", "
        + operation.getClass().getSimpleName()
        + header.map(h -> ", " + h).orElse("")
        + kcv.map(k -> ", kcv " + k).orElse("")
        + "]";
  }
}
