package dev.keytransfer.core.spi;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import java.time.Instant;
import java.util.Objects;

/**
 * One key delivery in the host's ledger: which device got which key (by KCV, never the key), and
 * the outcome (docs/SECURITY.md A1, K1). Immutable.
 */
public record LedgerEntry(
    String sessionId,
    IssuerAndSerial device,
    String deviceSubject,
    KeyBlockHeader header,
    KeyCheckValue kcv,
    DeliveryStatus status,
    Instant updatedAt) {
  public LedgerEntry {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(deviceSubject, "deviceSubject");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(kcv, "kcv");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  public LedgerEntry withStatus(DeliveryStatus s, Instant at) {
    return new LedgerEntry(sessionId, device, deviceSubject, header, kcv, s, at);
  }
}
