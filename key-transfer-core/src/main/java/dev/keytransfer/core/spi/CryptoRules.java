package dev.keytransfer.core.spi;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import java.util.Arrays;

/**
 * Rules that every {@link CryptoProvider} applies the same way, whatever engine does the work: the
 * input checks of CBC decryption (docs/SECURITY.md R1, R6), the raw block-cipher input checks, and
 * TDES key expansion. For implementers of the SPI. Stateless.
 */
public final class CryptoRules {
  private CryptoRules() {}

  /**
   * Refuses, with the uniform decryption failure, CBC input that no honest sender produces: empty
   * or misaligned ciphertext, an IV or key of the wrong length (R1, R6). SunJCE would decrypt an
   * empty ciphertext to an empty plaintext, and a PKCS#11 token would leave its operation active.
   */
  public static void checkCbcInput(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] ciphertext)
      throws KeyTokenException {
    if (ciphertext == null
        || iv == null
        || key == null
        || ciphertext.length == 0
        || ciphertext.length % algorithm.blockSize() != 0
        || iv.length != algorithm.blockSize()
        || key.isDestroyed()
        || key.length() != algorithm.keyLength()) {
      throw KeyTokenException.decryptionFailed();
    }
  }

  /**
   * Refuses raw block input a cipher does not take: a key of another length, an IV that is not one
   * block, data that is empty or not whole blocks.
   */
  public static void checkBlockInput(
      Algorithms.BlockCipher cipher, SecretKeyMaterial key, byte[] iv, byte[] data)
      throws KeyTransferException {
    if (key == null
        || key.isDestroyed()
        || !cipher.isKeyLength(key.length())
        || (iv != null && iv.length != cipher.blockSize())
        || data == null
        || data.length == 0
        || data.length % cipher.blockSize() != 0) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, cipher + ": key, IV or data of a length it does not take");
    }
  }

  /** A 16-byte (2-key) TDES key expanded to K1 K2 K1; 24 bytes copied. The caller wipes it. */
  public static byte[] tdesKey24(byte[] key) throws KeyTransferException {
    if (key.length == 24) {
      return key.clone();
    }
    if (key.length != 16) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "TDES key must be 16 or 24 bytes");
    }
    byte[] out = Arrays.copyOf(key, 24);
    System.arraycopy(key, 0, out, 16, 8);
    return out;
  }

  /** One block encrypted under a CMAC key: a provider's raw cipher, ECB. */
  @FunctionalInterface
  public interface BlockEncryption {
    byte[] encrypt(byte[] block) throws KeyTransferException;
  }

  /**
   * CMAC (NIST SP 800-38B) of {@code data}, the full tag, over one engine that encrypts single
   * blocks of {@code blockSize} bytes (for a provider that initialises its cipher once per call
   * rather than once per block); intermediate values are wiped.
   */
  public static byte[] cmac(int blockSize, BlockEncryption engine, byte[] data)
      throws KeyTransferException {
    return dev.keytransfer.core.internal.Cmac.compute(blockSize, engine::encrypt, data);
  }

  /** Overwrites {@code b} with zeros if it is not null (docs/SECURITY.md K5). */
  public static void wipe(byte[] b) {
    if (b != null) {
      Arrays.fill(b, (byte) 0);
    }
  }
}
