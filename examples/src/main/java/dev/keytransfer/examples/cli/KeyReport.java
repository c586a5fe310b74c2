package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.CryptoProvider;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One line per key for the key material commands: algorithm, length and key check value, and the
 * clear key only when the user asked for it with {@code --reveal-key}.
 */
final class KeyReport {
  private KeyReport() {}

  /**
   * The KCV method that follows a key's declared algorithm (docs/KEYBLOCKS.md pitfall 8): legacy
   * TDES for TDES ({@code T}) and DES ({@code D}) keys, AES-CMAC for AES ({@code A}); null
   * otherwise.
   */
  static KeyCheckValue.Method method(char algorithm) {
    return switch (algorithm) {
      case 'T', 'D' -> KeyCheckValue.Method.LEGACY_TDES;
      case 'A' -> KeyCheckValue.Method.CMAC_AES;
      default -> null;
    };
  }

  /** {@code name: TDES, 16 bytes, kcv=XXXXXX} (and {@code , key=HEX} when {@code reveal}). */
  static String line(
      CryptoProvider crypto, String name, SecretKeyMaterial key, char algorithm, boolean reveal)
      throws KeyTransferException {
    StringBuilder s =
        new StringBuilder(name)
            .append(": ")
            .append(algorithmName(algorithm, key.length()))
            .append(", ")
            .append(key.length())
            .append(" bytes, kcv=")
            .append(kcv(crypto, key, algorithm));
    if (reveal) {
      s.append(", key=").append(clear(key));
    }
    return s.toString();
  }

  /**
   * The check value by the method of {@link #method}, or {@code n/a} for other algorithms and
   * lengths.
   */
  static String kcv(CryptoProvider crypto, SecretKeyMaterial key, char algorithm)
      throws KeyTransferException {
    KeyCheckValue.Method m = method(algorithm);
    boolean fits =
        switch (algorithm) {
          case 'T' -> key.length() == 16 || key.length() == 24;
          case 'A' -> key.length() == 16 || key.length() == 24 || key.length() == 32;
          case 'D' -> key.length() == 8;
          default -> false;
        };
    if (m == null || !fits) {
      return "n/a";
    }
    if (algorithm != 'D') {
      return crypto.keyCheckValue(key, m).hex();
    }
    // single DES: TDES with K1 = K2 is DES, so the legacy KCV of K || K is the DES KCV
    byte[] k = key.copyBytes();
    byte[] kk = Arrays.copyOf(k, 16);
    System.arraycopy(k, 0, kk, 8, 8);
    Arrays.fill(k, (byte) 0);
    try (SecretKeyMaterial doubled = SecretKeyMaterial.adopt(kk)) {
      return crypto.keyCheckValue(doubled, m).hex();
    }
  }

  /** TDES, AES-128/192/256, DES, HMAC, RSA, EC, DSA or the algorithm letter. */
  static String algorithmName(char algorithm, int keyLength) {
    return switch (algorithm) {
      case 'T' -> "TDES";
      case 'A' -> "AES-" + keyLength * 8;
      case 'D' -> "DES";
      case 'H' -> "HMAC";
      case 'R' -> "RSA";
      case 'E' -> "EC";
      case 'S' -> "DSA";
      default -> "algorithm " + algorithm;
    };
  }

  /** The clear key in upper-case hex; for {@code --reveal-key} only. */
  static String clear(SecretKeyMaterial key) {
    byte[] k = key.copyBytes();
    try {
      return HexFormat.of().withUpperCase().formatHex(k);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }
}
