package dev.keytransfer.jdbc;

import dev.keytransfer.core.spi.LedgerEntry;
import java.util.Objects;

/**
 * A delivery as the ledger lists it: the entry and the host process that recorded it. Immutable.
 */
public record Delivery(LedgerEntry entry, String node) {
  public Delivery {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(node, "node");
  }
}
