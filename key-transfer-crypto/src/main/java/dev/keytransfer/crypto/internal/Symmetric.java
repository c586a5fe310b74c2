package dev.keytransfer.crypto.internal;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms.BlockCipher;
import dev.keytransfer.core.spi.CryptoProvider;
import java.util.Arrays;
import java.util.Objects;

/**
 * Raw block-cipher primitives for the key block and DUKPT code, on byte arrays, all through one
 * {@link CryptoProvider} (its {@link CryptoProvider#cipherBlocks} and {@link CryptoProvider#cmac}):
 * single DES, TDES and AES in ECB and CBC without padding, TDES CBC-MAC and CMAC. Callers validate
 * lengths first: a provider failure here means a broken platform, not bad input, and is thrown as
 * {@link IllegalStateException}. Key copies made here are wiped; the callers own and wipe their
 * arrays. Not API.
 */
public final class Symmetric {
  private final CryptoProvider crypto;

  private Symmetric(CryptoProvider crypto) {
    this.crypto = Objects.requireNonNull(crypto, "crypto");
  }

  /** The primitives of {@code crypto}. */
  public static Symmetric over(CryptoProvider crypto) {
    return new Symmetric(crypto);
  }

  /** Single-DES encryption of one 8-byte block (X9.24-1 DUKPT non-reversible step). */
  public byte[] desEncryptBlock(byte[] key8, byte[] block8) {
    return blocks(BlockCipher.DES, true, key8, null, block8);
  }

  /** TDES-ECB over whole blocks; a 16-byte key is used as K1 K2 K1. */
  public byte[] tdesEcb(boolean encrypt, byte[] key, byte[] data) {
    return blocks(BlockCipher.TDES, encrypt, key, null, data);
  }

  /** TDES-CBC over whole blocks, no padding. */
  public byte[] tdesCbc(boolean encrypt, byte[] key, byte[] iv, byte[] data) {
    return blocks(BlockCipher.TDES, encrypt, key, iv, data);
  }

  /** AES-ECB over whole blocks. */
  public byte[] aesEcb(boolean encrypt, byte[] key, byte[] data) {
    return blocks(BlockCipher.AES, encrypt, key, null, data);
  }

  /** AES-CBC over whole blocks, no padding. */
  public byte[] aesCbc(boolean encrypt, byte[] key, byte[] iv, byte[] data) {
    return blocks(BlockCipher.AES, encrypt, key, iv, data);
  }

  /** TDES CBC-MAC with a zero IV: the last ciphertext block ({@code data} is whole blocks). */
  public byte[] tdesCbcMac(byte[] key, byte[] data) {
    byte[] ct = tdesCbc(true, key, new byte[8], data);
    return Arrays.copyOfRange(ct, ct.length - 8, ct.length);
  }

  /** TDES-CMAC (8 bytes). */
  public byte[] tdesCmac(byte[] key, byte[] data) {
    return cmac(BlockCipher.TDES, key, data);
  }

  /** AES-CMAC (16 bytes). */
  public byte[] aesCmac(byte[] key, byte[] data) {
    return cmac(BlockCipher.AES, key, data);
  }

  /** XOR of two arrays of the same length, into a new array. */
  public static byte[] xor(byte[] a, byte[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("xor of arrays of different lengths");
    }
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }

  private byte[] blocks(BlockCipher cipher, boolean encrypt, byte[] key, byte[] iv, byte[] data) {
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(key)) {
      return crypto.cipherBlocks(cipher, encrypt, k, iv, data);
    } catch (KeyTransferException e) {
      throw new IllegalStateException(cipher + " failed on validated input", e);
    }
  }

  private byte[] cmac(BlockCipher cipher, byte[] key, byte[] data) {
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(key)) {
      return crypto.cmac(cipher, k, data);
    } catch (KeyTransferException e) {
      throw new IllegalStateException(cipher + "-CMAC failed on validated input", e);
    }
  }
}
