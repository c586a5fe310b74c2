package dev.keytransfer.crypto.keyblock;

/**
 * Key block version IDs this SDK reads and writes (ANSI X9.143:2021 6.3.1 table 1; TR-31:2018 A.2).
 * The version, never the length of the protection key, selects the algorithms (docs/KEYBLOCKS.md
 * pitfall 1): A and C bind the key with TDES variants of the KBPK (X9.143 7.2; A is deprecated), B
 * with TDES CMAC-derived keys (X9.143 7.3), D with AES CMAC-derived keys (X9.143 7.4). Version E
 * (ISO 20038) and the proprietary digits are refused with {@code KEY_BLOCK_UNSUPPORTED}.
 */
public enum KeyBlockVersion {
  /** TDES, key variant binding, 4-byte CBC-MAC (deprecated by X9.143; read for compatibility). */
  A('A', 8, 4, false),
  /** TDES, key derivation binding, 8-byte TDES-CMAC. */
  B('B', 8, 8, true),
  /** TDES, key variant binding, 4-byte CBC-MAC. */
  C('C', 8, 4, false),
  /** AES, key derivation binding, 16-byte AES-CMAC. */
  D('D', 16, 16, true);

  private final char id;
  private final int blockSize;
  private final int macLength;
  private final boolean derivationBinding;

  KeyBlockVersion(char id, int blockSize, int macLength, boolean derivationBinding) {
    this.id = id;
    this.blockSize = blockSize;
    this.macLength = macLength;
    this.derivationBinding = derivationBinding;
  }

  /** The version ID character written at position 0 of the header. */
  public char id() {
    return id;
  }

  /** Cipher block size in bytes: 8 (TDES) or 16 (AES). Header and payload align to it. */
  public int blockSize() {
    return blockSize;
  }

  /** MAC length in bytes (written as twice as many hex characters). */
  public int macLength() {
    return macLength;
  }

  /** True for B and D (CMAC-derived KBEK/KBAK, MAC over the clear payload, MAC as IV). */
  public boolean derivationBinding() {
    return derivationBinding;
  }

  /** True for D, whose protection key is AES; A, B and C take TDES protection keys. */
  public boolean aes() {
    return this == D;
  }

  /**
   * Whether a protection key of {@code length} bytes fits: TDES 16/24 for A-C, AES 16/24/32 for D.
   */
  public boolean acceptsKbpkLength(int length) {
    return aes() ? length == 16 || length == 24 || length == 32 : length == 16 || length == 24;
  }

  /** The version for an ID character, or null if the SDK does not support it. */
  public static KeyBlockVersion of(char id) {
    for (KeyBlockVersion v : values()) {
      if (v.id == id) {
        return v;
      }
    }
    return null;
  }
}
