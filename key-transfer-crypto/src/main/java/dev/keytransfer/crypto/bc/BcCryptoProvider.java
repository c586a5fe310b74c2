package dev.keytransfer.crypto.bc;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.internal.Symmetric;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The Bouncy Castle crypto provider: software keys in JVM memory, every operation through one
 * private {@link BouncyCastleProvider} instance (never installed globally, STYLE.md L7). RSA-OAEP
 * failures are uniform (R1); CBC decryption refuses empty and misaligned input (R6). Key bytes
 * handed to the JCA are wiped after each operation. Thread-safe.
 */
public final class BcCryptoProvider implements CryptoProvider {
  private static final String OAEP = "RSA/NONE/OAEPWithSHA256AndMGF1Padding";
  private static final OAEPParameterSpec OAEP_SHA256 =
      new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

  private final Provider bc;
  private final SecureRandom random;

  public BcCryptoProvider() {
    this(new SecureRandom());
  }

  /** A provider drawing randomness from {@code random} (an approved DRBG). */
  public BcCryptoProvider(SecureRandom random) {
    this.bc = new BouncyCastleProvider();
    this.random = random;
  }

  @Override
  public String name() {
    return "bc";
  }

  @Override
  public SecureRandom secureRandom() {
    return random;
  }

  @Override
  public PrivateKeyHandle generateRsaKeyPair(int modulusBits, String label) throws KeyTransferException {
    if (modulusBits < 2048) {
      throw new IllegalArgumentException("RSA keys below 2048 bits are not generated");
    }
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", bc);
      g.initialize(modulusBits, random);
      return SoftwareKeyHandle.of(g.generateKeyPair(), label);
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "RSA key generation failed", e);
    }
  }

  @Override
  public byte[] sign(PrivateKeyHandle key, Algorithms.Signature algorithm, byte[] data) throws KeyTransferException {
    try {
      Signature s = Signature.getInstance("SHA256withRSA", bc);
      s.initSign(software(key).privateKey(), random);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "signing failed", e);
    }
  }

  @Override
  public void verify(PublicKey key, Algorithms.Signature algorithm, byte[] data, byte[] signature)
      throws SignatureInvalidException {
    boolean ok;
    try {
      Signature s = Signature.getInstance("SHA256withRSA", bc);
      s.initVerify(key);
      s.update(data);
      ok = s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      ok = false;
    }
    if (!ok) {
      throw new SignatureInvalidException(ErrorCode.SIGNATURE_INVALID, "signature does not verify");
    }
  }

  @Override
  public byte[] encryptKey(PublicKey recipient, Algorithms.KeyTransport algorithm, SecretKeyMaterial key)
      throws KeyTransferException {
    byte[] k = key.copyBytes();
    try {
      Cipher c = Cipher.getInstance(OAEP, bc);
      c.init(Cipher.ENCRYPT_MODE, recipient, OAEP_SHA256, random);
      return c.doFinal(k);
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "key transport encryption failed", e);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  @Override
  public SecretKeyMaterial decryptKey(PrivateKeyHandle key, Algorithms.KeyTransport algorithm, byte[] encryptedKey)
      throws KeyTokenException {
    SoftwareKeyHandle h;
    try {
      h = software(key);
    } catch (KeyTransferException e) {
      throw KeyTokenException.decryptionFailed();
    }
    try {
      Cipher c = Cipher.getInstance(OAEP, bc);
      c.init(Cipher.DECRYPT_MODE, h.privateKey(), OAEP_SHA256);
      byte[] out = c.doFinal(encryptedKey);
      if (out.length == 0) {
        throw KeyTokenException.decryptionFailed();
      }
      return SecretKeyMaterial.adopt(out);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw KeyTokenException.decryptionFailed();
    }
  }

  @Override
  public byte[] encrypt(Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] plaintext)
      throws KeyTransferException {
    byte[] k = key.copyBytes();
    try {
      Cipher c = Cipher.getInstance(transformation(algorithm), bc);
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, jcaKeyAlgorithm(algorithm)), new IvParameterSpec(iv));
      return c.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "content encryption failed", e);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  @Override
  public byte[] decrypt(Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] ciphertext)
      throws KeyTokenException {
    if (ciphertext.length == 0 || ciphertext.length % algorithm.blockSize() != 0
        || iv.length != algorithm.blockSize() || key.length() != algorithm.keyLength()) {
      throw KeyTokenException.decryptionFailed();
    }
    byte[] k = key.copyBytes();
    try {
      Cipher c = Cipher.getInstance(transformation(algorithm), bc);
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, jcaKeyAlgorithm(algorithm)), new IvParameterSpec(iv));
      return c.doFinal(ciphertext);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw KeyTokenException.decryptionFailed();
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  @Override
  public KeyCheckValue keyCheckValue(SecretKeyMaterial key, KeyCheckValue.Method method) throws KeyTransferException {
    byte[] k = key.copyBytes();
    byte[] full = null;
    try {
      switch (method) {
        case LEGACY_TDES -> {
          byte[] tdes = tdesKey(k);
          try {
            Cipher c = Cipher.getInstance("DESede/ECB/NoPadding", bc);
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(tdes, "DESede"));
            full = c.doFinal(new byte[8]);
          } finally {
            Arrays.fill(tdes, (byte) 0);
          }
        }
        case CMAC_AES -> {
          Mac m = Mac.getInstance("AESCMAC", bc);
          m.init(new SecretKeySpec(k, "AES"));
          full = m.doFinal(new byte[16]);
        }
        case CMAC_TDES -> {
          byte[] tdes = tdesKey(k);
          try {
            Mac m = Mac.getInstance("DESedeCMAC", bc);
            m.init(new SecretKeySpec(tdes, "DESede"));
            full = m.doFinal(new byte[8]);
          } finally {
            Arrays.fill(tdes, (byte) 0);
          }
        }
        default -> throw new IllegalArgumentException("unknown KCV method " + method);
      }
      return KeyCheckValue.of(method, Arrays.copyOf(full, method.length()));
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "key check value computation failed", e);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  @Override
  public byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /** A 16-byte (2-key) TDES key expanded to K1 K2 K1; 24 bytes copied; other lengths refused. */
  private static byte[] tdesKey(byte[] k) throws KeyTransferException {
    if (k.length != 16 && k.length != 24) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "TDES key must be 16 or 24 bytes");
    }
    return Symmetric.tdesKey24(k);
  }

  private static String transformation(Algorithms.ContentEncryption a) {
    return a == Algorithms.ContentEncryption.TDES_CBC ? "DESede/CBC/PKCS5Padding" : "AES/CBC/PKCS5Padding";
  }

  private static String jcaKeyAlgorithm(Algorithms.ContentEncryption a) {
    return a == Algorithms.ContentEncryption.TDES_CBC ? "DESede" : "AES";
  }

  private static SoftwareKeyHandle software(PrivateKeyHandle key) throws KeyTransferException {
    if (key instanceof SoftwareKeyHandle s) {
      return s;
    }
    throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "key handle " + key.label() + " does not belong to the bc provider");
  }

  @Override
  public String toString() {
    return "BcCryptoProvider";
  }
}
