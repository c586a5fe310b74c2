package dev.keytransfer.crypto.jca;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.CryptoRules;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * The crypto provider over the Java Cryptography Architecture: software keys in JVM memory ({@link
 * SoftwareKeyHandle}), every engine looked up by algorithm name, never by provider name, so it runs
 * wherever the JCA does (a desktop JDK, Android). By default the engines come from the platform's
 * installed providers; {@link #JcaCryptoProvider(String, Provider, SecureRandom)} binds every
 * engine to one {@link Provider} object instead (the Bouncy Castle provider module does that with a
 * private instance, never installed globally), and {@link #JcaCryptoProvider(String, Provider,
 * boolean, SecureRandom)} can prefer that object and take from the platform only the algorithms it
 * lacks (the ACCP module: TDES, DES and AES-ECB; docs/PROVIDERS.md).
 *
 * <p>Engines used: RSA key generation and SHA256withRSA; RSA-OAEP with SHA-256 and MGF1-SHA-256
 * ({@code RSA/ECB/OAEPPadding} with explicit parameters, TR-34 B.2.2.3); AES and TDES in CBC with
 * PKCS#7 padding and raw ECB/CBC for key blocks and DUKPT; single DES only for the X9.24-1 DUKPT
 * step. CMAC (key check values, TR-31 version D) is computed over the block cipher (NIST SP
 * 800-38B), since the JDK has none. The default random generator is the JDK's {@code DRBG} (NIST SP
 * 800-90A) where the platform has one, else the platform's default {@link SecureRandom}.
 *
 * <p>Every RSA-OAEP or CBC decryption failure is {@link KeyTokenException#decryptionFailed()} with
 * no cause (R1); empty and misaligned CBC input is refused before the engine sees it (R6). The
 * copies of key bytes this class makes are wiped after each operation; the JCA's own copies (the
 * {@code SecretKeySpec} clone, an engine's key schedule) are beyond its reach (docs/SECURITY.md
 * K5). Thread-safe: each thread reuses its own verifier and digest, never a signer or cipher.
 */
public class JcaCryptoProvider implements CryptoProvider {
  /** OAEP parameters of TR-34 key transport: SHA-256, MGF1-SHA-256, empty label (B.2.2.3). */
  public static final OAEPParameterSpec OAEP_SHA256 =
      new OAEPParameterSpec(
          "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);

  private static final String OAEP = "RSA/ECB/OAEPPadding";

  private final String name;
  private final Provider provider;
  private final boolean platformFallback;
  private final SecureRandom random;
  private final ThreadLocal<Engines> engines = ThreadLocal.withInitial(Engines::new);

  /** A provider on the platform's installed JCA providers and its approved random generator. */
  public JcaCryptoProvider() {
    this("jca", null, defaultRandom());
  }

  /** A provider on the platform's JCA providers drawing randomness from {@code random}. */
  public JcaCryptoProvider(SecureRandom random) {
    this("jca", null, random);
  }

  /**
   * A provider named {@code name} whose engines all come from {@code provider} (null: the
   * platform's installed providers, by algorithm), drawing randomness from {@code random}.
   */
  public JcaCryptoProvider(String name, Provider provider, SecureRandom random) {
    this(name, provider, false, random);
  }

  /**
   * A provider named {@code name} whose engines come from {@code provider} (null: the platform's
   * installed providers, by algorithm), drawing randomness from {@code random}. With {@code
   * platformFallback}, an algorithm {@code provider} does not have (its lookup throws {@link
   * NoSuchAlgorithmException} or {@link NoSuchPaddingException}) is looked up among the platform's
   * installed providers instead; any other failure is never retried elsewhere.
   */
  public JcaCryptoProvider(
      String name, Provider provider, boolean platformFallback, SecureRandom random) {
    this.name = Objects.requireNonNull(name, "name");
    this.provider = provider;
    this.platformFallback = platformFallback && provider != null;
    this.random = Objects.requireNonNull(random, "random");
  }

  /** The JDK's DRBG where there is one (Java 9+), else the platform default. */
  public static SecureRandom defaultRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
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
      KeyPairGenerator g;
      try {
        g =
            provider == null
                ? KeyPairGenerator.getInstance("RSA")
                : KeyPairGenerator.getInstance("RSA", provider);
      } catch (NoSuchAlgorithmException e) {
        if (!platformFallback) {
          throw e;
        }
        g = KeyPairGenerator.getInstance("RSA");
      }
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
      Signature s = newSignature(); // never kept: it would hold the private key between uses
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
      Signature s = verifier();
      s.initVerify(key);
      s.update(data);
      ok = s.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      // a delegating engine that failed its first init has used up its providers: start afresh
      engines.get().verifier = null;
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
      Cipher c = cipher(OAEP);
      c.init(Cipher.ENCRYPT_MODE, recipient, OAEP_SHA256, random);
      return c.doFinal(k);
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "key transport encryption failed", e);
    } finally {
      CryptoRules.wipe(k);
    }
  }

  @Override
  public final SecretKeyMaterial decryptKey(
      PrivateKeyHandle key, Algorithms.KeyTransport algorithm, byte[] encryptedKey)
      throws KeyTokenException {
    if (!(key instanceof SoftwareKeyHandle h) || encryptedKey == null) {
      throw KeyTokenException.decryptionFailed();
    }
    byte[] out = oaepDecrypt(h.privateKey(), OAEP_SHA256, encryptedKey);
    if (out == null || out.length == 0) {
      throw KeyTokenException.decryptionFailed();
    }
    return SecretKeyMaterial.adopt(out);
  }

  /**
   * RSA-OAEP decryption with {@code params}: the message, or null on any failure, whatever its
   * cause (one outcome, R1). The key-transport path, and that of the vector tests with other OAEP
   * parameters.
   */
  public final byte[] oaepDecrypt(PrivateKey key, OAEPParameterSpec params, byte[] ciphertext) {
    try {
      Cipher c = cipher(OAEP);
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
      Cipher c = cipher(cbcTransformation(algorithm));
      c.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(k, keyAlgorithm(algorithm)),
          new IvParameterSpec(iv));
      return c.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "content encryption failed", e);
    } finally {
      CryptoRules.wipe(k);
    }
  }

  @Override
  public final byte[] decrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] ciphertext)
      throws KeyTokenException {
    CryptoRules.checkCbcInput(algorithm, key, iv, ciphertext);
    byte[] k = key.copyBytes();
    try {
      Cipher c = cipher(cbcTransformation(algorithm));
      c.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(k, keyAlgorithm(algorithm)),
          new IvParameterSpec(iv));
      return c.doFinal(ciphertext);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw KeyTokenException.decryptionFailed();
    } finally {
      CryptoRules.wipe(k);
    }
  }

  @Override
  public final byte[] cipherBlocks(
      Algorithms.BlockCipher blockCipher,
      boolean encrypt,
      SecretKeyMaterial key,
      byte[] iv,
      byte[] data)
      throws KeyTransferException {
    CryptoRules.checkBlockInput(blockCipher, key, iv, data);
    byte[] k = key.copyBytes();
    byte[] expanded = null;
    try {
      String algorithm;
      switch (blockCipher) {
        case DES -> algorithm = "DES";
        case TDES -> {
          algorithm = "DESede";
          expanded = CryptoRules.tdesKey24(k);
        }
        default -> algorithm = "AES";
      }
      Cipher c = cipher(algorithm + (iv == null ? "/ECB/NoPadding" : "/CBC/NoPadding"));
      SecretKeySpec spec = new SecretKeySpec(expanded != null ? expanded : k, algorithm);
      int mode = encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
      if (iv == null) {
        c.init(mode, spec);
      } else {
        c.init(mode, spec, new IvParameterSpec(iv));
      }
      return c.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, blockCipher + " block operation failed", e);
    } finally {
      CryptoRules.wipe(k);
      CryptoRules.wipe(expanded);
    }
  }

  @Override
  public final KeyCheckValue keyCheckValue(SecretKeyMaterial key, KeyCheckValue.Method method)
      throws KeyTransferException {
    byte[] full =
        switch (method) {
          case LEGACY_TDES ->
              cipherBlocks(Algorithms.BlockCipher.TDES, true, key, null, new byte[8]);
          case CMAC_AES -> cmac(Algorithms.BlockCipher.AES, key, new byte[16]);
          case CMAC_TDES -> cmac(Algorithms.BlockCipher.TDES, key, new byte[8]);
        };
    try {
      return KeyCheckValue.of(method, Arrays.copyOf(full, method.length()));
    } finally {
      CryptoRules.wipe(full);
    }
  }

  @Override
  public final byte[] sha256(byte[] data) {
    try {
      Engines e = engines.get();
      if (e.sha256 == null) {
        e.sha256 = newSha256();
      }
      return e.sha256.digest(data); // digest() resets the engine
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this platform has no SHA-256", e);
    }
  }

  private MessageDigest newSha256() throws NoSuchAlgorithmException {
    try {
      return provider == null
          ? MessageDigest.getInstance("SHA-256")
          : MessageDigest.getInstance("SHA-256", provider);
    } catch (NoSuchAlgorithmException e) {
      if (!platformFallback) {
        throw e;
      }
      return MessageDigest.getInstance("SHA-256");
    }
  }

  @Override
  public String toString() {
    return "JcaCryptoProvider[" + name + "]";
  }

  /**
   * This thread's SHA256withRSA verifier, re-initialised at every use (initVerify resets it; it
   * holds only a public key between uses). Engines that would hold a private, transported or
   * working key between uses (signers, ciphers) are never kept: a new one per operation.
   */
  private Signature verifier() throws NoSuchAlgorithmException {
    Engines e = engines.get();
    if (e.verifier == null) {
      e.verifier = newSignature();
    }
    return e.verifier;
  }

  /** The engines one thread reuses: only those that hold no secret between uses. */
  private static final class Engines {
    Signature verifier;
    MessageDigest sha256;
  }

  private Signature newSignature() throws NoSuchAlgorithmException {
    try {
      return provider == null
          ? Signature.getInstance("SHA256withRSA")
          : Signature.getInstance("SHA256withRSA", provider);
    } catch (NoSuchAlgorithmException e) {
      if (!platformFallback) {
        throw e;
      }
      return Signature.getInstance("SHA256withRSA");
    }
  }

  private Cipher cipher(String transformation) throws GeneralSecurityException {
    try {
      return provider == null
          ? Cipher.getInstance(transformation)
          : Cipher.getInstance(transformation, provider);
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      if (!platformFallback) {
        throw e;
      }
      return Cipher.getInstance(transformation);
    }
  }

  private static String cbcTransformation(Algorithms.ContentEncryption a) {
    return a == Algorithms.ContentEncryption.TDES_CBC
        ? "DESede/CBC/PKCS5Padding"
        : "AES/CBC/PKCS5Padding";
  }

  private static String keyAlgorithm(Algorithms.ContentEncryption a) {
    return a == Algorithms.ContentEncryption.TDES_CBC ? "DESede" : "AES";
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
