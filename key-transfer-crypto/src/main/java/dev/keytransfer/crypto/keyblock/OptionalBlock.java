package dev.keytransfer.crypto.keyblock;

import dev.keytransfer.core.KeyCheckValue;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * One optional block of a key block header (ANSI X9.143:2021 6.3.6; TR-31:2018 A.5.6): a two
 * character ID and printable ASCII data. The length field is not stored; it is written on encoding,
 * in the extended form ({@code ID 00 04 LLLL}, X9.143 6.3.6) when the block reaches 256 characters.
 * Blocks the SDK does not interpret are kept exactly as received. Public values only.
 *
 * @param id two printable ASCII characters, e.g. {@code KS}, {@code IK}, {@code KC}
 * @param data printable ASCII characters (0x20-0x7E), possibly empty
 */
public record OptionalBlock(String id, String data) {
  /** Initial key serial number of a TDES DUKPT key, 20 hex characters (X9.143 6.3.6.8). */
  public static final String KS = "KS";

  /** Initial key ID of an AES DUKPT key, 16 hex characters (X9.143 6.3.6.6). */
  public static final String IK = "IK";

  /** Key check value of the wrapped key (X9.143 6.3.6.7). */
  public static final String KC = "KC";

  /** Key check value of the key block protection key (X9.143 6.3.6.12). */
  public static final String KP = "KP";

  /** Time stamp, ISO 8601 UTC (X9.143 6.3.6.14). */
  public static final String TS = "TS";

  /** Padding block that aligns the header to the cipher block; always last (X9.143 6.3.6.11). */
  public static final String PB = "PB";

  /** Largest data length the four-hex-digit extended length field can carry. */
  static final int MAX_DATA_LENGTH = 0xFFFF - 10;

  private static final DateTimeFormatter TS_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  public OptionalBlock {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(data, "data");
    if (id.length() != 2 || !Tr31Text.printable(id, 0, 2)) {
      throw new IllegalArgumentException(
          "optional block ID must be two printable ASCII characters");
    }
    if (!Tr31Text.printable(data, 0, data.length())) {
      throw new IllegalArgumentException("optional block " + id + " data must be printable ASCII");
    }
    if (data.length() > MAX_DATA_LENGTH) {
      throw new IllegalArgumentException("optional block " + id + " data is too long");
    }
  }

  /** A block with the given ID and data. */
  public static OptionalBlock of(String id, String data) {
    return new OptionalBlock(id, data);
  }

  /**
   * {@code KC}: the wrapped key's check value, {@code 00} legacy or {@code 01} CMAC (X9.143
   * 6.3.6.7).
   */
  public static OptionalBlock keyCheckValue(KeyCheckValue kcv) {
    return new OptionalBlock(KC, kcvData(kcv));
  }

  /**
   * {@code KP}: the protection key's check value, {@code 00} legacy or {@code 01} CMAC (X9.143
   * 6.3.6.12).
   */
  public static OptionalBlock kbpkCheckValue(KeyCheckValue kcv) {
    return new OptionalBlock(KP, kcvData(kcv));
  }

  /** {@code TS}: a time stamp written as {@code YYYYMMDDhhmmssZ} (X9.143 6.3.6.14). */
  public static OptionalBlock timestamp(Instant time) {
    return new OptionalBlock(TS, TS_FORMAT.format(time));
  }

  private static String kcvData(KeyCheckValue kcv) {
    return (kcv.method() == KeyCheckValue.Method.LEGACY_TDES ? "00" : "01") + kcv.hex();
  }

  /** Characters this block takes in the header, ID and length field included. */
  public int encodedLength() {
    int shortForm = 4 + data.length();
    return shortForm <= 0xFF ? shortForm : 10 + data.length();
  }

  /** ID, length field (short or extended form) and data. */
  String encode() {
    int n = encodedLength();
    String length = n <= 0xFF ? Tr31Text.hex(n, 2) : "0004" + Tr31Text.hex(n, 4);
    return id + length + data;
  }
}
