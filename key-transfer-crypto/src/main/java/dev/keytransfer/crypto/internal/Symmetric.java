package dev.keytransfer.crypto.internal;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Raw block-cipher primitives for the key block and DUKPT code: single DES, TDES and AES in ECB and
 * CBC without padding, and CMAC (NIST SP 800-38B). Ciphers come from the JDK; CMAC, which the JDK
 * lacks, from one private {@link BouncyCastleProvider} instance passed explicitly to the JCA and
 * never installed. Callers validate lengths first: a JCA failure here means a broken platform, not
 * bad input, and is thrown as {@link IllegalStateException}. Expanded key copies made here are
 * wiped; the callers own and wipe their arrays. Not API.
 */
public final class Symmetric {
  private static final Provider BC = new BouncyCastleProvider();

  private Symmetric() {}

  /** Single-DES encryption of one 8-byte block (X9.24-1 DUKPT non-reversible step). */
  public static byte[] desEncryptBlock(byte[] key8, byte[] block8) {
    return run("DES/ECB/NoPadding", "DES", key8, Cipher.ENCRYPT_MODE, null, block8);
  }

  /** TDES-ECB over whole blocks; a 16-byte key is used as K1 K2 K1. */
  public static byte[] tdesEcb(boolean encrypt, byte[] key, byte[] data) {
    byte[] k = tdesKey24(key);
    try {
      return run("DESede/ECB/NoPadding", "DESede", k, mode(encrypt), null, data);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  /** TDES-CBC over whole blocks, no padding. */
  public static byte[] tdesCbc(boolean encrypt, byte[] key, byte[] iv, byte[] data) {
    byte[] k = tdesKey24(key);
    try {
      return run("DESede/CBC/NoPadding", "DESede", k, mode(encrypt), iv, data);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  /** AES-ECB over whole blocks. */
  public static byte[] aesEcb(boolean encrypt, byte[] key, byte[] data) {
    return run("AES/ECB/NoPadding", "AES", key, mode(encrypt), null, data);
  }

  /** AES-CBC over whole blocks, no padding. */
  public static byte[] aesCbc(boolean encrypt, byte[] key, byte[] iv, byte[] data) {
    return run("AES/CBC/NoPadding", "AES", key, mode(encrypt), iv, data);
  }

  /** TDES CBC-MAC with a zero IV: the last ciphertext block ({@code data} is whole blocks). */
  public static byte[] tdesCbcMac(byte[] key, byte[] data) {
    byte[] ct = tdesCbc(true, key, new byte[8], data);
    return Arrays.copyOfRange(ct, ct.length - 8, ct.length);
  }

  /** TDES-CMAC (8 bytes). */
  public static byte[] tdesCmac(byte[] key, byte[] data) {
    byte[] k = tdesKey24(key);
    try {
      return mac("DESedeCMAC", "DESede", k, data);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  /** AES-CMAC (16 bytes). */
  public static byte[] aesCmac(byte[] key, byte[] data) {
    return mac("AESCMAC", "AES", key, data);
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

  /** A 16-byte (2-key) TDES key as K1 K2 K1; a 24-byte key copied. The caller wipes the result. */
  public static byte[] tdesKey24(byte[] key) {
    if (key.length == 24) {
      return key.clone();
    }
    if (key.length != 16) {
      throw new IllegalArgumentException("TDES key must be 16 or 24 bytes");
    }
    byte[] out = Arrays.copyOf(key, 24);
    System.arraycopy(key, 0, out, 16, 8);
    return out;
  }

  private static int mode(boolean encrypt) {
    return encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
  }

  private static byte[] run(
      String transformation, String keyAlgorithm, byte[] key, int mode, byte[] iv, byte[] data) {
    try {
      Cipher c = Cipher.getInstance(transformation);
      SecretKeySpec spec = new SecretKeySpec(key, keyAlgorithm);
      if (iv == null) {
        c.init(mode, spec);
      } else {
        c.init(mode, spec, new IvParameterSpec(iv));
      }
      return c.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(transformation + " failed on validated input", e);
    }
  }

  private static byte[] mac(String algorithm, String keyAlgorithm, byte[] key, byte[] data) {
    try {
      Mac m = Mac.getInstance(algorithm, BC);
      m.init(new SecretKeySpec(key, keyAlgorithm));
      return m.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " failed on validated input", e);
    }
  }
}
