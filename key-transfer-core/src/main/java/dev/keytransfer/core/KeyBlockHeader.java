package dev.keytransfer.core;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The TR-31 / X9.143 style key block header that TR-34 carries twice: as a signed attribute and
 * inside the encrypted key block (TR-34 B.2.2.2, Annex D; docs/PROTOCOL.md pitfall 9). Sixteen
 * printable ASCII characters, optionally followed by optional blocks. The 4-digit length field is
 * not used by TR-34 (samples put 0256, clover 0000, AWS 9999) and is kept as received.
 */
public final class KeyBlockHeader {
  /** Length of the fixed part. */
  public static final int FIXED_LENGTH = 16;

  /** Upper bound on header length accepted (fixed part plus optional blocks). */
  public static final int MAX_LENGTH = 1024;

  private final String value;

  private KeyBlockHeader(String value) {
    this.value = value;
  }

  /**
   * Parses a header.
   *
   * @throws MalformedTokenException if it is shorter than 16 characters, not printable ASCII, or
   *     its fixed fields are not well formed
   */
  public static KeyBlockHeader parse(String header) throws MalformedTokenException {
    if (header == null || header.length() < FIXED_LENGTH || header.length() > MAX_LENGTH) {
      throw malformed("key block header must be 16 to " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        throw malformed("key block header must be printable ASCII");
      }
    }
    if ("ABCD".indexOf(header.charAt(0)) < 0) {
      throw malformed("key block version ID must be A, B, C or D");
    }
    if (!allDigits(header, 1, 5) || !allDigits(header, 12, 14)) {
      throw malformed("key block length and optional block count must be digits");
    }
    return new KeyBlockHeader(header);
  }

  /** Parses header bytes (ASCII). */
  public static KeyBlockHeader parse(byte[] header) throws MalformedTokenException {
    return parse(new String(header, StandardCharsets.US_ASCII));
  }

  private static boolean allDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static MalformedTokenException malformed(String m) {
    return new MalformedTokenException(ErrorCode.MALFORMED_TOKEN, m);
  }

  /** The whole header as received. */
  public String value() {
    return value;
  }

  public byte[] toBytes() {
    return value.getBytes(StandardCharsets.US_ASCII);
  }

  /** Version ID (byte 0): A, B, C or D. */
  public char versionId() {
    return value.charAt(0);
  }

  /** Key usage (bytes 5-6), e.g. K0 key-encryption key, B0 BDK. */
  public String keyUsage() {
    return value.substring(5, 7);
  }

  /** Algorithm (byte 7): T = TDES, A = AES. */
  public char algorithm() {
    return value.charAt(7);
  }

  /** Mode of use (byte 8), e.g. B = both encrypt and decrypt, E = encrypt only. */
  public char modeOfUse() {
    return value.charAt(8);
  }

  /** Key version number (bytes 9-10). */
  public String keyVersion() {
    return value.substring(9, 11);
  }

  /** Exportability (byte 11): E, N or S. */
  public char exportability() {
    return value.charAt(11);
  }

  /** Number of optional blocks (bytes 12-13). */
  public int optionalBlockCount() {
    return Integer.parseInt(value.substring(12, 14));
  }

  /** The optional blocks after the fixed part, unparsed (empty if none). */
  public String optionalBlocks() {
    return value.substring(FIXED_LENGTH);
  }

  /**
   * Checks that a key of {@code keyLength} bytes is what this header declares (docs/SECURITY.md
   * P7): TDES 16 or 24 bytes, AES 16, 24 or 32 bytes; other algorithms are not accepted as
   * transported keys.
   *
   * @throws KeyTokenException with {@link ErrorCode#HEADER_MISMATCH} otherwise
   */
  public void checkKeyLength(int keyLength) throws KeyTokenException {
    boolean ok =
        switch (algorithm()) {
          case 'T' -> keyLength == 16 || keyLength == 24;
          case 'A' -> keyLength == 16 || keyLength == 24 || keyLength == 32;
          default -> false;
        };
    if (!ok) {
      throw new KeyTokenException(
          ErrorCode.HEADER_MISMATCH,
          "key of " + keyLength + " bytes does not fit header algorithm '" + algorithm() + "'");
    }
  }

  /**
   * What a terminal accepts to install (docs/SECURITY.md P7; X9.143 key usage and mode of use): the
   * key fits the declared algorithm and length ({@link #checkKeyLength}), the mode of use fits the
   * key usage, and the exportability is E, N or S. A base derivation key (B0) is never installed on
   * a terminal, and usages a terminal has no use for are refused.
   *
   * <table>
   *   <caption>usage and allowed modes of use</caption>
   *   <tr><td>K0 key encryption, K1 key block protection, P0 PIN, D0 data</td><td>B, D, E</td></tr>
   *   <tr><td>B1 DUKPT initial key, E0-E6 EMV master keys</td><td>X</td></tr>
   *   <tr><td>M0-M8 MAC, C0 CVK, V0-V4 PIN verification</td><td>C, G, V</td></tr>
   * </table>
   *
   * @throws KeyTokenException {@code HEADER_MISMATCH}
   */
  public void checkInstallable(int keyLength) throws KeyTokenException {
    checkKeyLength(keyLength);
    String modes = installableModes(keyUsage());
    if (modes == null) {
      throw new KeyTokenException(
          ErrorCode.HEADER_MISMATCH, "key usage " + keyUsage() + " is not installed on a terminal");
    }
    if (modes.indexOf(modeOfUse()) < 0) {
      throw new KeyTokenException(
          ErrorCode.HEADER_MISMATCH,
          "mode of use "
              + modeOfUse()
              + " does not fit key usage "
              + keyUsage()
              + " (allowed: "
              + modes
              + ")");
    }
    if ("ENS".indexOf(exportability()) < 0) {
      throw new KeyTokenException(ErrorCode.HEADER_MISMATCH, "exportability must be E, N or S");
    }
  }

  private static String installableModes(String usage) {
    switch (usage) {
      case "K0", "K1", "P0", "D0":
        return "BDE";
      case "B1", "E0", "E1", "E2", "E3", "E4", "E5", "E6":
        return "X";
      case "C0", "V0", "V1", "V2", "V3", "V4":
        return "CGV";
      default:
        return usage.length() == 2
                && usage.charAt(0) == 'M'
                && usage.charAt(1) >= '0'
                && usage.charAt(1) <= '8'
            ? "CGV"
            : null;
    }
  }

  /** The KCV method for the declared algorithm: legacy for TDES, CMAC for AES. */
  public KeyCheckValue.Method kcvMethod() {
    return algorithm() == 'A' ? KeyCheckValue.Method.CMAC_AES : KeyCheckValue.Method.LEGACY_TDES;
  }

  /** Summary for logs: usage, algorithm, mode, exportability. */
  public String usageSummary() {
    return "usage="
        + keyUsage()
        + " alg="
        + algorithm()
        + " mode="
        + modeOfUse()
        + " export="
        + exportability();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyBlockHeader h && h.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
