package dev.keytransfer.core.internal;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import java.util.Arrays;
import java.util.Objects;

/**
 * CMAC (NIST SP 800-38B) over a provider's raw block cipher, for JDKs and providers that have no
 * CMAC of their own: subkeys K1, K2 from the encryption of a zero block, then CBC-MAC over the
 * message with the last block masked by K1 (complete) or padded and masked by K2. Works for AES
 * (128-bit blocks, Rb = 0x87) and TDES (64-bit blocks, Rb = 0x1B). Intermediate values are wiped.
 * Not API.
 */
public final class Cmac {
  private Cmac() {}

  /** The full-length CMAC of {@code data} under {@code key}, in two calls of the block cipher. */
  public static byte[] compute(
      CryptoProvider crypto, Algorithms.BlockCipher cipher, SecretKeyMaterial key, byte[] data)
      throws KeyTransferException {
    Objects.requireNonNull(data, "data");
    int n = cipher.blockSize();
    byte[] input = maskedInput(n, crypto.cipherBlocks(cipher, true, key, null, new byte[n]), data);
    byte[] out = null;
    try {
      out = crypto.cipherBlocks(cipher, true, key, new byte[n], input);
      return Arrays.copyOfRange(out, out.length - n, out.length);
    } finally {
      Arrays.fill(input, (byte) 0);
      if (out != null) {
        Arrays.fill(out, (byte) 0);
      }
    }
  }

  /** One block encrypted under the CMAC key: the raw cipher, ECB. */
  @FunctionalInterface
  public interface BlockEncryption {
    byte[] encrypt(byte[] block) throws KeyTransferException;
  }

  /**
   * The full-length CMAC of {@code data} over one engine that encrypts single blocks of {@code n}
   * bytes (a provider's ECB cipher, initialised once for the call): the CBC-MAC chain done block by
   * block.
   */
  public static byte[] compute(int n, BlockEncryption engine, byte[] data)
      throws KeyTransferException {
    Objects.requireNonNull(data, "data");
    if (n != 8 && n != 16) {
      throw new IllegalArgumentException("CMAC is defined here for 8- and 16-byte blocks");
    }
    byte[] input = maskedInput(n, block(engine, new byte[n]), data);
    byte[] x = new byte[n];
    try {
      for (int off = 0; off < input.length; off += n) {
        for (int i = 0; i < n; i++) {
          x[i] ^= input[off + i];
        }
        byte[] y = block(engine, x);
        Arrays.fill(x, (byte) 0);
        x = y;
      }
      return x;
    } catch (KeyTransferException | RuntimeException e) {
      Arrays.fill(x, (byte) 0);
      throw e;
    } finally {
      Arrays.fill(input, (byte) 0);
    }
  }

  /** One block through the engine, which must answer with a new array of one block. */
  private static byte[] block(BlockEncryption engine, byte[] in) throws KeyTransferException {
    byte[] out = engine.encrypt(in);
    if (out == null || out == in || out.length != in.length) {
      throw new KeyTransferException(
          dev.keytransfer.core.ErrorCode.CRYPTO_FAILURE, "the block engine gave no single block");
    }
    return out;
  }

  /**
   * The message padded to whole blocks, its last block masked by K1 (complete) or K2 (padded), the
   * subkeys derived from {@code l}, the encryption of a zero block; {@code l} and the subkeys are
   * wiped.
   */
  private static byte[] maskedInput(int n, byte[] l, byte[] data) {
    byte[] k1 = doubled(l, n);
    byte[] k2 = doubled(k1, n);
    try {
      int blocks = Math.max(1, (data.length + n - 1) / n);
      boolean complete = data.length > 0 && data.length % n == 0;
      byte[] input = Arrays.copyOf(data, blocks * n);
      if (!complete) {
        input[data.length] = (byte) 0x80; // the rest is already zero
      }
      byte[] mask = complete ? k1 : k2;
      int last = (blocks - 1) * n;
      for (int i = 0; i < n; i++) {
        input[last + i] ^= mask[i];
      }
      return input;
    } finally {
      Arrays.fill(l, (byte) 0);
      Arrays.fill(k1, (byte) 0);
      Arrays.fill(k2, (byte) 0);
    }
  }

  /** Left shift by one bit in GF(2^n), xor Rb when the top bit falls out (SP 800-38B 6.1). */
  private static byte[] doubled(byte[] in, int n) {
    byte[] out = new byte[n];
    int carry = 0;
    for (int i = n - 1; i >= 0; i--) {
      int b = in[i] & 0xFF;
      out[i] = (byte) ((b << 1) | carry);
      carry = b >>> 7;
    }
    // constant time in the secret top bit: the mask is all ones or all zeros
    int rb = n == 16 ? 0x87 : 0x1B;
    out[n - 1] ^= (byte) (rb & -carry);
    return out;
  }
}
