package dev.keytransfer.bench;

import dev.keytransfer.KeyType;
import java.util.Locale;

/**
 * The key-exchange mode a run measures: TR-34's RSA (key transport to the terminal's RSA-2048 key,
 * RSA signatures) or the ECDH mode (docs/ECDH.md: P-256 keys for the host and the terminals, an
 * ECDSA signature and an ECDH agreement, a TR-31 key block). The CA is RSA-2048 in both, so the
 * certificate checks are the same; what differs is S4.
 */
public enum Mode {
  RSA(KeyType.RSA_2048),
  ECDH(KeyType.EC_P256);

  private final KeyType keys;

  Mode(KeyType keys) {
    this.keys = keys;
  }

  /** The host's and the terminals' key type. */
  public KeyType keyType() {
    return keys;
  }

  /** The name on the command line and in the results: {@code rsa} or {@code ecdh}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode named {@code label} ({@code rsa} or {@code ecdh}, any case). */
  public static Mode of(String label) {
    for (Mode m : values()) {
      if (m.label().equalsIgnoreCase(label)) {
        return m;
      }
    }
    throw new IllegalArgumentException("mode is rsa or ecdh, not '" + label + "'");
  }
}
