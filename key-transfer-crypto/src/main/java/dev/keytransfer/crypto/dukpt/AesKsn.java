package dev.keytransfer.crypto.dukpt;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An AES DUKPT key serial number (ANSI X9.24-3:2017 6.1, 6.3): 96 bits, the 64-bit initial key ID
 * (BDK ID 32 bits || derivation ID 32 bits) followed by a 32-bit transaction counter. X9.143
 * carries the initial key ID in the {@code IK} optional block. Immutable; a public value.
 */
public final class AesKsn {
  /** Length in bytes. */
  public static final int LENGTH = 12;

  /** Length of the initial key ID in bytes. */
  public static final int INITIAL_KEY_ID_LENGTH = 8;

  /** At most this many one-bits in a counter an originating device uses (X9.24-3:2017 6.3). */
  public static final int MAX_ORIGINATOR_ONE_BITS = 16;

  private final byte[] ksn;

  private AesKsn(byte[] ksn) {
    this.ksn = ksn;
  }

  /** A KSN from 12 bytes. */
  public static AesKsn of(byte[] ksn) {
    Objects.requireNonNull(ksn, "ksn");
    if (ksn.length != LENGTH) {
      throw new IllegalArgumentException("an AES DUKPT KSN has 12 bytes");
    }
    return new AesKsn(ksn.clone());
  }

  /** A KSN from 24 hex digits, or an initial key ID from 16 hex digits (counter 0). */
  public static AesKsn parse(String hex) {
    byte[] b = HexFormat.of().parseHex(Objects.requireNonNull(hex, "hex"));
    return b.length == INITIAL_KEY_ID_LENGTH ? ofInitialKeyId(b) : of(b);
  }

  /** The KSN with counter 0 for an 8-byte initial key ID. */
  public static AesKsn ofInitialKeyId(byte[] initialKeyId) {
    Objects.requireNonNull(initialKeyId, "initialKeyId");
    if (initialKeyId.length != INITIAL_KEY_ID_LENGTH) {
      throw new IllegalArgumentException("an AES DUKPT initial key ID has 8 bytes");
    }
    return new AesKsn(Arrays.copyOf(initialKeyId, LENGTH));
  }

  /** The initial key ID from a 32-bit BDK ID and a 32-bit derivation ID (counter 0). */
  public static AesKsn ofInitialKeyId(int bdkId, int derivationId) {
    byte[] b = new byte[LENGTH];
    putInt(b, 0, bdkId);
    putInt(b, 4, derivationId);
    return new AesKsn(b);
  }

  /** The 12 bytes. */
  public byte[] bytes() {
    return ksn.clone();
  }

  /** 24 upper-case hex digits. */
  public String hex() {
    return HexFormat.of().withUpperCase().formatHex(ksn);
  }

  /** The 8-byte initial key ID. */
  public byte[] initialKeyId() {
    return Arrays.copyOf(ksn, INITIAL_KEY_ID_LENGTH);
  }

  /** The initial key ID as 16 hex digits, as in the {@code IK} optional block. */
  public String initialKeyIdHex() {
    return HexFormat.of().withUpperCase().formatHex(initialKeyId());
  }

  /** The BDK ID (first 32 bits). */
  public int bdkId() {
    return getInt(0);
  }

  /** The derivation ID (second 32 bits), unique per device under one BDK. */
  public int derivationId() {
    return getInt(4);
  }

  /** The 32-bit transaction counter, unsigned. */
  public long counter() {
    return getInt(8) & 0xFFFFFFFFL;
  }

  /** This KSN with another counter (0 to 0xFFFFFFFF). */
  public AesKsn withCounter(long counter) {
    if (counter < 0 || counter > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("AES DUKPT counter must be 0 to 0xFFFFFFFF");
    }
    byte[] b = ksn.clone();
    putInt(b, 8, (int) counter);
    return new AesKsn(b);
  }

  /** True if an originating device may use this counter: not zero, at most 16 one-bits. */
  public boolean isOriginatorValid() {
    long c = counter();
    return c != 0 && Long.bitCount(c) <= MAX_ORIGINATOR_ONE_BITS;
  }

  private int getInt(int at) {
    return ((ksn[at] & 0xFF) << 24)
        | ((ksn[at + 1] & 0xFF) << 16)
        | ((ksn[at + 2] & 0xFF) << 8)
        | (ksn[at + 3] & 0xFF);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AesKsn k && MessageDigest.isEqual(k.ksn, ksn);
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
