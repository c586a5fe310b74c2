package dev.keytransfer.crypto;

import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.internal.DerReader;
import dev.keytransfer.crypto.internal.DerWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.util.Arrays;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 3) under PBES2 (RFC 8018 6.2) with PBKDF2-HMAC-SHA256
 * and AES-256-CBC, the form {@code openssl pkcs8 -topk8 -v2 aes-256-cbc} writes, built from the
 * JDK's PBKDF2 and AES engines. The DER is written and read here: Java 17's {@code
 * EncryptedPrivateKeyInfo} refuses the PBES2 parameters of its own {@code
 * PBEWithHmacSHA256AndAES_256} cipher, and this way every field is checked before the passphrase is
 * used. Only this one scheme is read; anything else is refused by name.
 */
final class Pkcs8Encryption {
  static final String PBES2 = "1.2.840.113549.1.5.13";
  static final String PBKDF2 = "1.2.840.113549.1.5.12";
  static final String HMAC_SHA256 = "1.2.840.113549.2.9";
  static final String AES256_CBC = "2.16.840.1.101.3.4.1.42";

  /** RFC 8018 4.2 recommends at least 1,000; below that a file is refused either way. */
  static final int MIN_ITERATIONS = 1_000;

  /** Upper bound on what a file may ask for, so that a bad file cannot stall a reader for hours. */
  static final int MAX_ITERATIONS = 10_000_000;

  private static final int SALT_BYTES = 16;
  private static final int AES_BLOCK = 16;
  private static final int KEY_BYTES = 32;

  private Pkcs8Encryption() {}

  /** EncryptedPrivateKeyInfo DER of the PKCS#8 PrivateKeyInfo {@code pkcs8}. */
  static byte[] encrypt(byte[] pkcs8, char[] passphrase, int iterations, SecureRandom random) {
    checkPassphrase(passphrase);
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          "PBKDF2 iterations must be " + MIN_ITERATIONS + ".." + MAX_ITERATIONS);
    }
    byte[] salt = new byte[SALT_BYTES];
    byte[] iv = new byte[AES_BLOCK];
    random.nextBytes(salt);
    random.nextBytes(iv);
    byte[] key = derive(passphrase, salt, iterations);
    try {
      Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
      aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      byte[] ciphertext = aes.doFinal(pkcs8);
      byte[] kdf =
          DerWriter.algorithm(
              PBKDF2,
              DerWriter.sequence(
                  DerWriter.octetString(salt),
                  DerWriter.integer(iterations),
                  DerWriter.algorithm(HMAC_SHA256, DerWriter.nul())));
      byte[] scheme = DerWriter.algorithm(AES256_CBC, DerWriter.octetString(iv));
      return DerWriter.sequence(
          DerWriter.algorithm(PBES2, DerWriter.sequence(kdf, scheme)),
          DerWriter.octetString(ciphertext));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-CBC is not available", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * The PKCS#8 PrivateKeyInfo inside {@code der} (the caller wipes it).
   *
   * @throws MalformedTokenException if {@code der} is not an EncryptedPrivateKeyInfo of the one
   *     supported scheme
   * @throws UnrecoverableKeyException if it does not decrypt: a wrong passphrase or a damaged file
   */
  static byte[] decrypt(byte[] der, char[] passphrase)
      throws MalformedTokenException, UnrecoverableKeyException {
    checkPassphrase(passphrase);
    DerReader top = new DerReader(der);
    DerReader info = top.sequence();
    top.end();
    DerReader algorithm = info.sequence();
    String oid = algorithm.oid();
    if (!oid.equals(PBES2)) {
      throw unsupported("encryption scheme " + oid);
    }
    DerReader pbes2 = algorithm.sequence();
    algorithm.end();

    DerReader kdf = pbes2.sequence();
    oid = kdf.oid();
    if (!oid.equals(PBKDF2)) {
      throw unsupported("key derivation " + oid);
    }
    DerReader kdfParams = kdf.sequence();
    kdf.end();
    byte[] salt = kdfParams.octetString();
    if (salt.length < 8 || salt.length > 64) {
      throw DerReader.malformed("encrypted private key: PBKDF2 salt of " + salt.length + " bytes");
    }
    BigInteger iterations = kdfParams.integer();
    if (iterations.compareTo(BigInteger.valueOf(MIN_ITERATIONS)) < 0
        || iterations.compareTo(BigInteger.valueOf(MAX_ITERATIONS)) > 0) {
      throw DerReader.malformed(
          "encrypted private key: PBKDF2 iteration count "
              + iterations
              + " outside "
              + MIN_ITERATIONS
              + ".."
              + MAX_ITERATIONS);
    }
    if (kdfParams.hasMore() && kdfParams.peekTag() == DerReader.INTEGER) {
      BigInteger keyLength = kdfParams.integer();
      if (!keyLength.equals(BigInteger.valueOf(KEY_BYTES))) {
        throw DerReader.malformed("encrypted private key: PBKDF2 key length " + keyLength);
      }
    }
    if (!kdfParams.hasMore()) { // the DEFAULT prf of RFC 8018 A.2 is HMAC-SHA-1
      throw unsupported("PBKDF2 pseudorandom function HMAC-SHA-1");
    }
    DerReader prf = kdfParams.sequence();
    kdfParams.end();
    oid = prf.oid();
    if (!oid.equals(HMAC_SHA256)) {
      throw unsupported("PBKDF2 pseudorandom function " + oid);
    }
    prf.optional(DerReader.NULL);
    prf.end();

    DerReader scheme = pbes2.sequence();
    pbes2.end();
    oid = scheme.oid();
    if (!oid.equals(AES256_CBC)) {
      throw unsupported("cipher " + oid);
    }
    byte[] iv = scheme.octetString();
    scheme.end();
    if (iv.length != AES_BLOCK) {
      throw DerReader.malformed("encrypted private key: AES-CBC IV of " + iv.length + " bytes");
    }
    byte[] ciphertext = info.octetString();
    info.end();
    // docs/SECURITY.md R6: no engine sees an empty or misaligned CBC ciphertext
    if (ciphertext.length == 0 || ciphertext.length % AES_BLOCK != 0) {
      throw DerReader.malformed("encrypted private key: ciphertext is not whole AES blocks");
    }

    byte[] key = derive(passphrase, salt, iterations.intValue());
    try {
      Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
      aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      return aes.doFinal(ciphertext);
    } catch (BadPaddingException e) {
      throw wrongPassphrase();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-CBC is not available", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** The one failure of a decryption under a wrong key, whatever step noticed it. */
  static UnrecoverableKeyException wrongPassphrase() {
    return new UnrecoverableKeyException(
        "the private key does not decrypt: wrong passphrase, or the file is damaged");
  }

  private static byte[] derive(char[] passphrase, byte[] salt, int iterations) {
    // PBEKeySpec hands the engine the passphrase as UTF-8, as openssl reads it from a UTF-8 shell
    PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, KEY_BYTES * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
    } finally {
      spec.clearPassword();
    }
  }

  private static void checkPassphrase(char[] passphrase) {
    if (passphrase == null || passphrase.length == 0) {
      throw new IllegalArgumentException("the passphrase must not be empty");
    }
  }

  private static MalformedTokenException unsupported(String what) {
    return DerReader.malformed(
        "encrypted private key: unsupported "
            + what
            + " (only PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC is read)");
  }
}
