package dev.keytransfer.bench;

import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.ReceivingTerminal;
import java.util.Optional;

/**
 * The outcome checks every measured session passes, so that a broken run fails instead of measuring
 * errors. Each costs a map lookup or a copy of a 24-byte key, nothing next to the RSA.
 */
final class Checks {
  private Checks() {}

  /** The host's session ended with a CONFIRMED ledger entry for the expected KCV. */
  static void confirmed(DeliveryReceipt r, KeyLedger ledger, KeyCheckValue expected) {
    if (r.kcv().isEmpty() || !r.kcv().get().matches(expected)) {
      throw new IllegalStateException("host confirmed another KCV than the terminal's: " + r);
    }
    Optional<LedgerEntry> e = ledger.find(r.sessionId());
    if (e.isEmpty() || e.get().status() != DeliveryStatus.CONFIRMED) {
      throw new IllegalStateException(
          "ledger entry of session "
              + r.sessionId()
              + " is "
              + e.map(x -> x.status().toString()).orElse("missing")
              + ", not CONFIRMED");
    }
  }

  /** The terminal's current key is the one with the expected KCV. */
  static void installed(ReceivingTerminal t, KeyCheckValue expected) {
    Optional<InstalledKey> current = t.keyStore().current();
    if (current.isEmpty()) {
      throw new IllegalStateException("terminal has no current key after the session");
    }
    try (InstalledKey k = current.get()) {
      if (!k.kcv().matches(expected)) {
        throw new IllegalStateException("terminal's current key has another KCV");
      }
    }
  }
}
