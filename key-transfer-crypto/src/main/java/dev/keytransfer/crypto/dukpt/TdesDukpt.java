package dev.keytransfer.crypto.dukpt;

import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.internal.Symmetric;
import java.util.Arrays;
import java.util.Objects;

/**
 * TDES DUKPT key derivation, ANSI X9.24-1:2009 (Annex A): the initial key (IPEK) from a base
 * derivation key (BDK) and KSN (A.6), the transaction key for any counter (A.2-A.4, host side: any
 * counter is derived, originator validity is {@link TdesKsn#isOriginatorValid()}), and the PIN, MAC
 * and data working-key variants (A.5, and X9.24-1:2009 Table 4 for data keys). BDK and derived keys
 * are double-length TDES (16 bytes) held as {@link SecretKeyMaterial}; every result is a new object
 * the caller destroys, and intermediate arrays are wiped. Stateless and thread-safe.
 */
public final class TdesDukpt {
  private static final byte[] KEY_MASK = hexBytes("C0C0C0C000000000C0C0C0C000000000");

  /** Working-key variants of a transaction key (X9.24-1:2009 A.5, Table 4). */
  public enum Variant {
    /** PIN encryption: transaction key xor {@code 00000000000000FF00000000000000FF}. */
    PIN("00000000000000FF00000000000000FF", false),
    /** MAC, request: xor {@code 000000000000FF00000000000000FF00}. */
    MAC_REQUEST("000000000000FF00000000000000FF00", false),
    /** MAC, response: xor {@code 00000000FF00000000000000FF000000}. */
    MAC_RESPONSE("00000000FF00000000000000FF000000", false),
    /**
     * Data encryption, request: xor {@code 0000000000FF00000000000000FF0000}, then each half
     * encrypted under the variant.
     */
    DATA_REQUEST("0000000000FF00000000000000FF0000", true),
    /**
     * Data encryption, response: xor {@code 000000FF00000000000000FF00000000}, then each half
     * encrypted under the variant.
     */
    DATA_RESPONSE("000000FF00000000000000FF00000000", true);

    private final byte[] mask;
    private final boolean oneWay;

    Variant(String mask, boolean oneWay) {
      this.mask = hexBytes(mask);
      this.oneWay = oneWay;
    }
  }

  private final Symmetric sym;

  private TdesDukpt(CryptoProvider crypto) {
    this.sym = Symmetric.over(crypto);
  }

  /** The derivations, with every block operation through {@code crypto}. */
  public static TdesDukpt using(CryptoProvider crypto) {
    return new TdesDukpt(crypto);
  }

  /**
   * The initial key (IPEK) for the device whose KSN is {@code ksn} (X9.24-1:2009 A.6): with the
   * counter cleared, the leftmost 8 KSN bytes R give {@code TDES(BDK, R) || TDES(BDK xor C0C0C0C0
   * 00000000 C0C0C0C0 00000000, R)}.
   *
   * @throws IllegalArgumentException if the BDK is not 16 bytes
   */
  public SecretKeyMaterial initialKey(SecretKeyMaterial bdk, TdesKsn ksn) {
    Objects.requireNonNull(ksn, "ksn");
    byte[] b = doubleLength(bdk, "BDK");
    byte[] r = Arrays.copyOf(ksn.initial().bytes(), 8);
    byte[] masked = Symmetric.xor(b, KEY_MASK);
    try {
      byte[] left = sym.tdesEcb(true, b, r);
      byte[] right = sym.tdesEcb(true, masked, r);
      return SecretKeyMaterial.adopt(concatAndWipe(left, right));
    } finally {
      Arrays.fill(b, (byte) 0);
      Arrays.fill(masked, (byte) 0);
    }
  }

  /**
   * The transaction key for {@code ksn}'s counter, before any variant (X9.24-1:2009 A.3): from the
   * IPEK, one non-reversible key generation step per set counter bit, from bit 20 down.
   *
   * @throws IllegalArgumentException if the IPEK is not 16 bytes
   */
  public SecretKeyMaterial transactionKey(SecretKeyMaterial initialKey, TdesKsn ksn) {
    Objects.requireNonNull(ksn, "ksn");
    byte[] key = doubleLength(initialKey, "initial key");
    int counter = ksn.counter();
    // the rightmost 64 bits of the KSN with the counter cleared
    long register = toLong(Arrays.copyOfRange(ksn.initial().bytes(), 2, 10));
    for (int bit = 1 << 20; bit != 0; bit >>>= 1) {
      if ((counter & bit) != 0) {
        register |= bit;
        byte[] next = nonReversible(key, register);
        Arrays.fill(key, (byte) 0);
        key = next;
      }
    }
    return SecretKeyMaterial.adopt(key);
  }

  /**
   * A working key from a transaction key (X9.24-1:2009 A.5): the variant mask applied; for data
   * keys also each half encrypted under the masked key ({@code TDES(v, v[0..8]) || TDES(v,
   * v[8..16])}).
   */
  public SecretKeyMaterial workingKey(SecretKeyMaterial transactionKey, Variant variant) {
    Objects.requireNonNull(variant, "variant");
    byte[] t = doubleLength(transactionKey, "transaction key");
    byte[] v = Symmetric.xor(t, variant.mask);
    Arrays.fill(t, (byte) 0);
    if (!variant.oneWay) {
      return SecretKeyMaterial.adopt(v);
    }
    try {
      return SecretKeyMaterial.adopt(sym.tdesEcb(true, v, v));
    } finally {
      Arrays.fill(v, (byte) 0);
    }
  }

  /** Host side in one call: the working key for {@code ksn} straight from the BDK. */
  public SecretKeyMaterial workingKeyFromBdk(SecretKeyMaterial bdk, TdesKsn ksn, Variant variant) {
    try (SecretKeyMaterial ipek = initialKey(bdk, ksn);
        SecretKeyMaterial t = transactionKey(ipek, ksn)) {
      return workingKey(t, variant);
    }
  }

  /** X9.24-1:2009 A.2 non-reversible key generation process on a 16-byte key. */
  private byte[] nonReversible(byte[] key, long register) {
    byte[] masked = Symmetric.xor(key, KEY_MASK);
    try {
      byte[] right = half(key, register);
      byte[] left = half(masked, register);
      return concatAndWipe(left, right);
    } finally {
      Arrays.fill(masked, (byte) 0);
    }
  }

  /** {@code DES(K.left, register xor K.right) xor K.right}. */
  private byte[] half(byte[] key, long register) {
    byte[] left = Arrays.copyOf(key, 8);
    byte[] right = Arrays.copyOfRange(key, 8, 16);
    byte[] input = Symmetric.xor(right, fromLong(register));
    try {
      byte[] out = sym.desEncryptBlock(left, input);
      for (int i = 0; i < 8; i++) {
        out[i] ^= right[i];
      }
      return out;
    } finally {
      Arrays.fill(left, (byte) 0);
      Arrays.fill(right, (byte) 0);
      Arrays.fill(input, (byte) 0);
    }
  }

  private static byte[] doubleLength(SecretKeyMaterial key, String what) {
    Objects.requireNonNull(key, what);
    if (key.length() != 16) {
      throw new IllegalArgumentException(
          "TDES DUKPT " + what + " must be 16 bytes (double-length TDES)");
    }
    return key.copyBytes();
  }

  private static byte[] concatAndWipe(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    Arrays.fill(a, (byte) 0);
    Arrays.fill(b, (byte) 0);
    return out;
  }

  private static long toLong(byte[] b) {
    long v = 0;
    for (byte x : b) {
      v = (v << 8) | (x & 0xFF);
    }
    return v;
  }

  private static byte[] fromLong(long v) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  private static byte[] hexBytes(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }
}
