package dev.keytransfer.crypto.internal;

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
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * A {@link CryptoProvider} over JCA engines with software keys ({@link SoftwareKeyHandle}): the
 * behaviour the Bouncy Castle and the plain-JCA providers share, each naming which {@link Provider}
 * instance runs which operation ({@link Engines}). Every engine is asked for by provider instance,
 * never through the global provider list. RSA-OAEP failures and CBC failures are one uniform {@link
 * KeyTokenException#decryptionFailed()} with no cause (R1); CBC decryption refuses empty and
 * misaligned input (R6). Key bytes handed to the JCA are wiped after each operation. Not API;
 * thread-safe.
 */
public abstract class AbstractJcaCryptoProvider implements CryptoProvider {
  /** OAEP parameters of TR-34 key transport: SHA-256, MGF1-SHA-256, empty label (B.2.2.3). */
  public static final OAEPParameterSpec OAEP_SHA256 =
      new OAEPParameterSpec(
          "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

  /**
   * Which provider instance runs which operation.
   *
   * @param rsa RSA key generation and SHA256withRSA signatures
   * @param oaep RSA-OAEP key transport, through {@code oaepTransformation}
   * @param oaepTransformation the OAEP transformation name that {@code oaep} knows
   * @param blockCipher AES and TDES in CBC (and TDES in ECB for the legacy KCV)
   * @param cmac AES-CMAC and TDES-CMAC, for key check values
   */
  public record Engines(
      Provider rsa, Provider oaep, String oaepTransformation, Provider blockCipher, Provider cmac) {
    public Engines {
      Objects.requireNonNull(rsa, "rsa");
      Objects.requireNonNull(oaep, "oaep");
      Objects.requireNonNull(oaepTransformation, "oaepTransformation");
      Objects.requireNonNull(blockCipher, "blockCipher");
      Objects.requireNonNull(cmac, "cmac");
    }
  }

  private final String name;
  private final SecureRandom random;
  private final Engines engines;

  protected AbstractJcaCryptoProvider(String name, SecureRandom random, Engines engines) {
    this.name = Objects.requireNonNull(name, "name");
    this.random = Objects.requireNonNull(random, "random");
    this.engines = Objects.requireNonNull(engines, "engines");
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final SecureRandom secureRandom() {
    return random;
  }

  @Override
  public final PrivateKeyHandle generateRsaKeyPair(int modulusBits, String label)
      throws KeyTransferException {
    if (modulusBits < 2048) {
      throw new IllegalArgumentException("RSA keys below 2048 bits are not generated");
    }
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", engines.rsa());
      g.initialize(modulusBits, random);
      return SoftwareKeyHandle.of(g.generateKeyPair(), label);
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "RSA key generation failed", e);
    }
  }

  @Override
  public final byte[] sign(PrivateKeyHandle key, Algorithms.Signature algorithm, byte[] data)
      throws KeyTransferException {
    try {
      Signature s = Signature.getInstance("SHA256withRSA", engines.rsa());
      s.initSign(software(key).privateKey(), random);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "signing failed", e);
    }
  }

  @Override
  public final void verify(
      PublicKey key, Algorithms.Signature algorithm, byte[] data, byte[] signature)
      throws SignatureInvalidException {
    boolean ok;
    try {
      Signature s = Signature.getInstance("SHA256withRSA", engines.rsa());
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
  public final byte[] encryptKey(
      PublicKey recipient, Algorithms.KeyTransport algorithm, SecretKeyMaterial key)
      throws KeyTransferException {
    byte[] k = key.copyBytes();
    try {
      Cipher c = Cipher.getInstance(engines.oaepTransformation(), engines.oaep());
      c.init(Cipher.ENCRYPT_MODE, recipient, OAEP_SHA256, random);
      return c.doFinal(k);
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "key transport encryption failed", e);
    } finally {
      CryptoSupport.wipe(k);
    }
  }

  @Override
  public final SecretKeyMaterial decryptKey(
      PrivateKeyHandle key, Algorithms.KeyTransport algorithm, byte[] encryptedKey)
      throws KeyTokenException {
    if (!(key instanceof SoftwareKeyHandle h) || encryptedKey == null) {
      throw KeyTokenException.decryptionFailed();
    }
    byte[] out =
        oaepDecrypt(
            engines.oaep(),
            engines.oaepTransformation(),
            h.privateKey(),
            OAEP_SHA256,
            encryptedKey);
    if (out == null || out.length == 0) {
      throw KeyTokenException.decryptionFailed();
    }
    return SecretKeyMaterial.adopt(out);
  }

  /**
   * RSA-OAEP decryption on {@code provider} with {@code params}: the message, or null on any
   * failure, whatever its cause (one outcome, R1). The key-transport path of the software
   * providers, and of the vector tests with other OAEP parameters.
   */
  public static byte[] oaepDecrypt(
      Provider provider,
      String transformation,
      PrivateKey key,
      OAEPParameterSpec params,
      byte[] ciphertext) {
    try {
      Cipher c = Cipher.getInstance(transformation, provider);
      c.init(Cipher.DECRYPT_MODE, key, params);
      return c.doFinal(ciphertext);
    } catch (GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public final byte[] encrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] plaintext)
      throws KeyTransferException {
    byte[] k = key.copyBytes();
    try {
      Cipher c =
          Cipher.getInstance(CryptoSupport.cbcTransformation(algorithm), engines.blockCipher());
      c.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(k, CryptoSupport.keyAlgorithm(algorithm)),
          new IvParameterSpec(iv));
      return c.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "content encryption failed", e);
    } finally {
      CryptoSupport.wipe(k);
    }
  }

  @Override
  public final byte[] decrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] ciphertext)
      throws KeyTokenException {
    CryptoSupport.checkCbcInput(algorithm, key, iv, ciphertext);
    byte[] k = key.copyBytes();
    try {
      Cipher c =
          Cipher.getInstance(CryptoSupport.cbcTransformation(algorithm), engines.blockCipher());
      c.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(k, CryptoSupport.keyAlgorithm(algorithm)),
          new IvParameterSpec(iv));
      return c.doFinal(ciphertext);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw KeyTokenException.decryptionFailed();
    } finally {
      CryptoSupport.wipe(k);
    }
  }

  @Override
  public final KeyCheckValue keyCheckValue(SecretKeyMaterial key, KeyCheckValue.Method method)
      throws KeyTransferException {
    byte[] k = key.copyBytes();
    byte[] full = null;
    try {
      switch (method) {
        case LEGACY_TDES -> {
          byte[] tdes = CryptoSupport.tdesKey(k);
          try {
            Cipher c = Cipher.getInstance("DESede/ECB/NoPadding", engines.blockCipher());
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(tdes, "DESede"));
            full = c.doFinal(new byte[8]);
          } finally {
            CryptoSupport.wipe(tdes);
          }
        }
        case CMAC_AES -> {
          Mac m = Mac.getInstance("AESCMAC", engines.cmac());
          m.init(new SecretKeySpec(k, "AES"));
          full = m.doFinal(new byte[16]);
        }
        case CMAC_TDES -> {
          byte[] tdes = CryptoSupport.tdesKey(k);
          try {
            Mac m = Mac.getInstance("DESedeCMAC", engines.cmac());
            m.init(new SecretKeySpec(tdes, "DESede"));
            full = m.doFinal(new byte[8]);
          } finally {
            CryptoSupport.wipe(tdes);
          }
        }
        default -> throw new IllegalArgumentException("unknown KCV method " + method);
      }
      return KeyCheckValue.of(method, Arrays.copyOf(full, method.length()));
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "key check value computation failed", e);
    } finally {
      CryptoSupport.wipe(k);
    }
  }

  @Override
  public final byte[] sha256(byte[] data) {
    return CryptoSupport.sha256(data);
  }

  private SoftwareKeyHandle software(PrivateKeyHandle key) throws KeyTransferException {
    if (key instanceof SoftwareKeyHandle s) {
      return s;
    }
    throw new KeyTransferException(
        ErrorCode.CRYPTO_FAILURE,
        "key handle " + key.label() + " does not belong to the " + name + " provider");
  }
}
