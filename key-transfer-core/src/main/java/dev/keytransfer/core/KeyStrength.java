package dev.keytransfer.core;

/**
 * Security strengths in bits after NIST SP 800-57 Part 1 table 2, used to check that a wrapping key
 * is at least as strong as the key it transports (docs/SECURITY.md K2; PCI PIN 21-1).
 */
public final class KeyStrength {
  private KeyStrength() {}

  /** Strength of a symmetric key of the given header algorithm and length in bytes. */
  public static int symmetric(char algorithm, int lengthBytes) {
    if (algorithm == 'T') {
      return lengthBytes >= 24 ? 112 : 80;
    }
    return lengthBytes * 8;
  }

  /** Strength of an RSA key with the given modulus size in bits. */
  public static int rsa(int modulusBits) {
    if (modulusBits >= 15360) {
      return 256;
    }
    if (modulusBits >= 7680) {
      return 192;
    }
    if (modulusBits >= 3072) {
      return 128;
    }
    if (modulusBits >= 2048) {
      return 112;
    }
    return 80;
  }
}
