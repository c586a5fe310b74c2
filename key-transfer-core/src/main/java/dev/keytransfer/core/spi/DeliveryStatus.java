package dev.keytransfer.core.spi;

/** Where a key delivery stands in the host's ledger. */
public enum DeliveryStatus {
  /** The key token was built and handed to the transport; the terminal has not confirmed it. */
  DELIVERED,
  /** The terminal confirmed installation with the matching KCV. */
  CONFIRMED,
  /** The terminal refused the token, or confirmed a different KCV: the key is not in use. */
  REJECTED,
  /**
   * The terminal did not confirm within the ledger's expiry time: treated as not installed (a
   * terminal that reports it later is told to discard it, docs/SECURITY.md K7).
   */
  EXPIRED
}
