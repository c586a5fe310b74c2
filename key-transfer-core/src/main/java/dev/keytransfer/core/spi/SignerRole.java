package dev.keytransfer.core.spi;

/**
 * Who signed an unbind or rebind token (TR-34 B.10, B.11, B.13, B.14): the KDH the terminal is
 * bound to (UBT-KDH, RBT-KDH, both with the terminal's nonce), or the higher-level authority above
 * it (UBT-CA, RBT-CA; in Annex B the KRD's CA).
 */
public enum SignerRole {
  /** The bound KDH (UBT-KDH B.14, RBT-KDH B.11). */
  KDH,
  /** The higher-level authority (UBT-CA B.13, RBT-CA B.10). */
  CA
}
