package dev.keytransfer.core.handshake;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.message.WorkingKeysInstalled;
import java.util.List;

/**
 * What a terminal can tell about a key it installed: header, KCV and the delivering KDH, and the
 * outcome of each working key delivered after it. Never a key itself.
 */
public record KeyReceipt(
    KeyBlockHeader header,
    KeyCheckValue kcv,
    IssuerAndSerial kdh,
    String kdhSubject,
    List<WorkingKeysInstalled.Result> workingKeys) {
  public KeyReceipt {
    workingKeys = List.copyOf(workingKeys);
  }

  /** A receipt for the master key alone. */
  public KeyReceipt(
      KeyBlockHeader header, KeyCheckValue kcv, IssuerAndSerial kdh, String kdhSubject) {
    this(header, kcv, kdh, kdhSubject, List.of());
  }

  KeyReceipt withWorkingKeys(List<WorkingKeysInstalled.Result> results) {
    return new KeyReceipt(header, kcv, kdh, kdhSubject, results);
  }
}
