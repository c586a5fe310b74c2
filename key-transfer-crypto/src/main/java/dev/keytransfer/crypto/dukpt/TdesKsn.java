package dev.keytransfer.crypto.dukpt;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A TDES DUKPT key serial number (ANSI X9.24-1:2009 A.1, 6.1): 80 bits, the 59-bit initial key
 * serial number followed by a 21-bit transaction counter. X9.143 carries the initial KSN in the
 * {@code KS} optional block. Shorter input is left-padded with {@code FF} bytes (X9.24-1 A.1;
 * docs/KEYBLOCKS.md pitfall 12). Immutable; a public value.
 */
public final class TdesKsn {
  /** Length in bytes. */
  public static final int LENGTH = 10;

  /** Largest transaction counter (21 bits). */
  public static final int MAX_COUNTER = 0x1FFFFF;

  /** At most this many one-bits in a counter an originating device uses (X9.24-1:2009 A.2). */
  public static final int MAX_ORIGINATOR_ONE_BITS = 10;

  private final byte[] ksn;

  private TdesKsn(byte[] ksn) {
    this.ksn = ksn;
  }

  /**
   * A KSN from 8 to 10 bytes; shorter input is left-padded with {@code FF}.
   *
   * @throws IllegalArgumentException for other lengths
   */
  public static TdesKsn of(byte[] ksn) {
    Objects.requireNonNull(ksn, "ksn");
    if (ksn.length < 8 || ksn.length > LENGTH) {
      throw new IllegalArgumentException("a TDES KSN has 8 to 10 bytes");
    }
    byte[] out = new byte[LENGTH];
    Arrays.fill(out, 0, LENGTH - ksn.length, (byte) 0xFF);
    System.arraycopy(ksn, 0, out, LENGTH - ksn.length, ksn.length);
    return new TdesKsn(out);
  }

  /** A KSN from 16 to 20 hex digits, left-padded with {@code F}. */
  public static TdesKsn parse(String hex) {
    Objects.requireNonNull(hex, "hex");
    if (hex.length() < 16 || hex.length() > 2 * LENGTH) {
      throw new IllegalArgumentException("a TDES KSN has 16 to 20 hex digits");
    }
    return of(HexFormat.of().parseHex("F".repeat(2 * LENGTH - hex.length()) + hex));
  }

  /** The 10 bytes. */
  public byte[] bytes() {
    return ksn.clone();
  }

  /** 20 upper-case hex digits, as in the {@code KS} optional block. */
  public String hex() {
    return HexFormat.of().withUpperCase().formatHex(ksn);
  }

  /** The 21-bit transaction counter. */
  public int counter() {
    return ((ksn[7] & 0x1F) << 16) | ((ksn[8] & 0xFF) << 8) | (ksn[9] & 0xFF);
  }

  /** This KSN with another counter. */
  public TdesKsn withCounter(int counter) {
    if (counter < 0 || counter > MAX_COUNTER) {
      throw new IllegalArgumentException("TDES DUKPT counter must be 0 to 0x1FFFFF");
    }
    byte[] out = ksn.clone();
    out[7] = (byte) ((out[7] & 0xE0) | (counter >>> 16));
    out[8] = (byte) (counter >>> 8);
    out[9] = (byte) counter;
    return new TdesKsn(out);
  }

  /** The initial KSN: this one with the counter cleared. */
  public TdesKsn initial() {
    return withCounter(0);
  }

  /** True if an originating device may use this counter: not zero, at most 10 one-bits. */
  public boolean isOriginatorValid() {
    int c = counter();
    return c != 0 && Integer.bitCount(c) <= MAX_ORIGINATOR_ONE_BITS;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TdesKsn k && MessageDigest.isEqual(k.ksn, ksn);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ksn);
  }

  @Override
  public String toString() {
    return hex();
  }
}
