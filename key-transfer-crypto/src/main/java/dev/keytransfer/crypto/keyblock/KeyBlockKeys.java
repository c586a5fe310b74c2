package dev.keytransfer.crypto.keyblock;

import dev.keytransfer.crypto.internal.Symmetric;
import java.util.Arrays;

/**
 * The key block encryption key (KBEK) and authentication key (KBAK) derived from a key block
 * protection key (KBPK). Versions A and C use variants (X9.143:2021 7.2; TR-31:2018 A.3.1): KBPK
 * xor {@code 45..} and xor {@code 4D..}. Versions B and D use the CMAC derivation of NIST SP
 * 800-108 in counter mode (X9.143 7.3, 7.4; TR-31:2018 A.3.2): one CMAC per output block over
 * {@code counter || usage(2) || 00 || algorithm(2) || length in bits(2)}. Package-private; wiped by
 * {@link #close()}.
 */
final class KeyBlockKeys implements AutoCloseable {
  /** Derivation usage: key block encryption (X9.143 7.3 table 24). */
  static final int USAGE_ENCRYPTION = 0x0000;

  /** Derivation usage: key block MAC. */
  static final int USAGE_MAC = 0x0001;

  final byte[] kbek;
  final byte[] kbak;

  private KeyBlockKeys(byte[] kbek, byte[] kbak) {
    this.kbek = kbek;
    this.kbak = kbak;
  }

  /** KBEK and KBAK for {@code version}; the KBPK length has been checked against the version. */
  static KeyBlockKeys of(Symmetric sym, KeyBlockVersion version, byte[] kbpk) {
    if (version.derivationBinding()) {
      return new KeyBlockKeys(
          derive(sym, kbpk, version.aes(), USAGE_ENCRYPTION),
          derive(sym, kbpk, version.aes(), USAGE_MAC));
    }
    return new KeyBlockKeys(variant(kbpk, 0x45), variant(kbpk, 0x4D));
  }

  /** KBPK xor {@code mask} in every byte (versions A and C). */
  static byte[] variant(byte[] kbpk, int mask) {
    byte[] out = new byte[kbpk.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (kbpk[i] ^ mask);
    }
    return out;
  }

  /**
   * CMAC derivation of a key as long as the KBPK (versions B and D; usage {@code 0002} gives ISO
   * 20038 version E's CTR encryption key, kept for the vectors only).
   */
  static byte[] derive(Symmetric sym, byte[] kbpk, boolean aes, int usage) {
    int blockSize = aes ? 16 : 8;
    int algorithm = aes ? (kbpk.length / 8) : (kbpk.length == 16 ? 0 : 1); // AES 16/24/32 -> 2/3/4
    int bits = kbpk.length * 8;
    int blocks = (kbpk.length + blockSize - 1) / blockSize;
    byte[] out = new byte[blocks * blockSize];
    byte[] input = new byte[8];
    for (int counter = 1; counter <= blocks; counter++) {
      input[0] = (byte) counter;
      input[1] = (byte) (usage >> 8);
      input[2] = (byte) usage;
      input[3] = 0;
      input[4] = (byte) (algorithm >> 8);
      input[5] = (byte) algorithm;
      input[6] = (byte) (bits >> 8);
      input[7] = (byte) bits;
      byte[] block = aes ? sym.aesCmac(kbpk, input) : sym.tdesCmac(kbpk, input);
      System.arraycopy(block, 0, out, (counter - 1) * blockSize, blockSize);
      Arrays.fill(block, (byte) 0);
    }
    byte[] key = Arrays.copyOf(out, kbpk.length);
    Arrays.fill(out, (byte) 0);
    return key;
  }

  @Override
  public void close() {
    Arrays.fill(kbek, (byte) 0);
    Arrays.fill(kbak, (byte) 0);
  }
}
