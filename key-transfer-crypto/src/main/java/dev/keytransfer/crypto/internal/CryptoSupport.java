package dev.keytransfer.crypto.internal;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Rules every crypto provider applies the same way, whatever engine does the work: the input checks
 * of CBC decryption (docs/SECURITY.md R6), TDES key expansion, SHA-256. Not API. Stateless.
 */
public final class CryptoSupport {
  private CryptoSupport() {}

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

  /** A 16-byte (2-key) TDES key expanded to K1 K2 K1; 24 bytes copied; other lengths refused. */
  public static byte[] tdesKey(byte[] k) throws KeyTransferException {
    try {
      return Symmetric.tdesKey24(k);
    } catch (IllegalArgumentException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "TDES key must be 16 or 24 bytes");
    }
  }

  /** The JCA transformation of a content encryption: CBC with PKCS#5/#7 padding. */
  public static String cbcTransformation(Algorithms.ContentEncryption a) {
    return a == Algorithms.ContentEncryption.TDES_CBC
        ? "DESede/CBC/PKCS5Padding"
        : "AES/CBC/PKCS5Padding";
  }

  /** The JCA key algorithm of a content encryption. */
  public static String keyAlgorithm(Algorithms.ContentEncryption a) {
    return a == Algorithms.ContentEncryption.TDES_CBC ? "DESede" : "AES";
  }

  /** SHA-256 through the JDK (public data only). */
  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /** Overwrites {@code b} with zeros if it is not null (docs/SECURITY.md K5). */
  public static void wipe(byte[] b) {
    if (b != null) {
      Arrays.fill(b, (byte) 0);
    }
  }
}
