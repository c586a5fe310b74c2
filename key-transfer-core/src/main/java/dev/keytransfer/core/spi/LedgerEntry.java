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
    Instant deliveredAt,
    Instant updatedAt) {
  public LedgerEntry {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(deviceSubject, "deviceSubject");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(kcv, "kcv");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(deliveredAt, "deliveredAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** A new DELIVERED entry, recorded at {@code at}. */
  public static LedgerEntry delivered(
      String sessionId,
      IssuerAndSerial device,
      String deviceSubject,
      KeyBlockHeader header,
      KeyCheckValue kcv,
      Instant at) {
    return new LedgerEntry(
        sessionId, device, deviceSubject, header, kcv, DeliveryStatus.DELIVERED, at, at);
  }

  /** The ledger session of the {@code n}th working key sent in {@code sessionId} (from 1). */
  public static String workingKeySession(String sessionId, int n) {
    return sessionId + "/" + n;
  }

  /** True for a master-key delivery, false for a working key sent after one. */
  public boolean isMasterKey() {
    return sessionId.indexOf('/') < 0;
  }

  public LedgerEntry withStatus(DeliveryStatus s, Instant at) {
    return new LedgerEntry(sessionId, device, deviceSubject, header, kcv, s, deliveredAt, at);
  }
}
