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
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.internal.DerReader;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
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
 * <p>Engines used: RSA key generation and SHA256withRSA; EC key generation on P-256, P-384 and
 * P-521 ({@code EC} with {@code ECGenParameterSpec}), SHA256withECDSA, SHA384withECDSA and
 * SHA512withECDSA (DER signatures, checked strictly before the engine sees them: docs/SECURITY.md
 * R3) and the {@code ECDH} key agreement, whose peer key this class validates itself first (NIST SP
 * 800-56A rev. 3 5.6.2.3.3; the ECDH mode, docs/ECDH.md); RSA-OAEP with SHA-256 and MGF1-SHA-256
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
 * K5), as are those of an ECDH engine. Thread-safe: each thread reuses its own verifier per
 * signature algorithm and its digest, never a signer, cipher or key agreement.
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

  /**
   * With platform fallback: the platform provider of each cipher transformation {@link #provider}
   * does not have, per key length ({@link #slot}): the platform picks a provider by the key, and
   * one that takes a 16-byte AES key may refuse a 32-byte one. Keys are this class's own
   * transformation names and key lengths, so the map stays small.
   */
  private final Map<String, Provider> platformCiphers = new ConcurrentHashMap<>();

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

  /**
   * Generates an EC key pair on {@code curve} ({@code KeyPairGenerator "EC"} with the curve's
   * name); the purpose is not recorded, as software keys have no attributes (docs/ECDH.md).
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} if no engine here generates keys on that
   *     curve
   */
  @Override
  public final PrivateKeyHandle generateEcKeyPair(
      Algorithms.Curve curve, String label, KeyPurpose purpose) throws KeyTransferException {
    Objects.requireNonNull(curve, "curve");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(purpose, "purpose");
    try {
      KeyPairGenerator g =
          engine(
              p ->
                  p == null
                      ? KeyPairGenerator.getInstance("EC")
                      : KeyPairGenerator.getInstance("EC", p));
      g.initialize(new ECGenParameterSpec(curve.jcaName()), random);
      KeyPair pair = g.generateKeyPair();
      if (Algorithms.Curve.of(pair.getPublic()) != curve) {
        throw new KeyTransferException(
            ErrorCode.CRYPTO_FAILURE,
            "EC key generation gave a key on another curve than " + curve);
      }
      return SoftwareKeyHandle.of(pair, label);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "EC key generation on " + curve + " failed", e);
    }
  }

  /**
   * Signs with the engine of {@code algorithm}. A key of another kind than the algorithm's (an EC
   * key for RSA, an RSA key for ECDSA) is refused before any engine sees it.
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} for such a key, a handle of another
   *     provider or an engine failure
   */
  @Override
  public final byte[] sign(PrivateKeyHandle key, Algorithms.Signature algorithm, byte[] data)
      throws KeyTransferException {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(data, "data");
    PrivateKey priv = software(key).privateKey();
    if (!fits(algorithm, priv)) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE,
          "key " + key.label() + " is " + priv.getAlgorithm() + ", not a key for " + algorithm);
    }
    try {
      // never kept: it would hold the private key between uses
      Signature s = newSignature(algorithm);
      s.initSign(priv, random);
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "signing failed", e);
    }
  }

  /**
   * Verifies with this thread's engine of {@code algorithm}. For ECDSA the key must be an EC key
   * and the signature the strict DER encoding of two integers in [1, n-1] before the engine sees it
   * (docs/SECURITY.md R3: no BER leniency, range checks); any other key the algorithm's engine does
   * not take, and any engine failure, is the same {@code SIGNATURE_INVALID}.
   */
  @Override
  public final void verify(
      PublicKey key, Algorithms.Signature algorithm, byte[] data, byte[] signature)
      throws SignatureInvalidException {
    boolean ok;
    try {
      ok =
          key != null
              && data != null
              && signature != null
              && algorithm != null
              && (!algorithm.isEcdsa() || strictEcdsaSignature(key, signature));
      if (ok) {
        Signature s = verifier(algorithm);
        s.initVerify(key);
        s.update(data);
        ok = s.verify(signature);
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      // a delegating engine that failed its first init has used up its providers: start afresh
      engines.get().verifiers.remove(algorithm);
      ok = false;
    }
    if (!ok) {
      throw new SignatureInvalidException(ErrorCode.SIGNATURE_INVALID, "signature does not verify");
    }
  }

  /**
   * The ECDH primitive over the {@code ECDH} key agreement. Before the engine sees the peer key,
   * its curve must be this key's (matched on the domain parameters, {@link
   * Algorithms.Curve#of(PublicKey)}) and its point must pass the full public-key validation of NIST
   * SP 800-56A rev. 3 5.6.2.3.3: not the point at infinity, coordinates in [0, p-1], on the curve
   * (the NIST curves have cofactor 1, so n*Q = O follows). Z is returned as exactly {@link
   * Algorithms.Curve#fieldLength()} bytes, left-padded with zeros where an engine strips them; the
   * engine's own output array is wiped (docs/SECURITY.md K5).
   */
  @Override
  public final SecretKeyMaterial agree(PrivateKeyHandle key, PublicKey peer)
      throws KeyTransferException {
    SoftwareKeyHandle h = software(Objects.requireNonNull(key, "key"));
    Algorithms.Curve curve = Algorithms.Curve.of(h.publicKey());
    if (curve == null || !(h.privateKey() instanceof java.security.interfaces.ECKey)) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "key " + key.label() + " is not an EC key on a NIST curve");
    }
    Algorithms.Curve peerCurve = Algorithms.Curve.of(peer);
    if (peerCurve != curve) {
      throw new KeyTokenException(
          ErrorCode.ECDH_CURVE_MISMATCH,
          "the peer key is "
              + (peer == null
                  ? "missing"
                  : peerCurve == null ? "not an EC key on a NIST curve" : "on " + peerCurve)
              + ", the key "
              + key.label()
              + " is on "
              + curve);
    }
    if (!curve.isValidPoint(((ECPublicKey) peer).getW())) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, "the peer public key is not a valid point on " + curve);
    }
    byte[] raw = null;
    try {
      KeyAgreement ka =
          engine(
              p ->
                  p == null
                      ? KeyAgreement.getInstance("ECDH")
                      : KeyAgreement.getInstance("ECDH", p));
      ka.init(h.privateKey());
      ka.doPhase(peer, true);
      raw = ka.generateSecret();
      return SecretKeyMaterial.adopt(fieldElement(raw, curve.fieldLength()));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "ECDH failed", e);
    } finally {
      CryptoRules.wipe(raw);
    }
  }

  /**
   * {@code raw} as exactly {@code length} bytes, a new array: left-padded with zeros, or with
   * leading zero bytes removed; anything else is not a field element of that size.
   */
  static byte[] fieldElement(byte[] raw, int length) throws KeyTransferException {
    int extra = raw.length - length;
    for (int i = 0; i < extra; i++) {
      if (raw[i] != 0) {
        throw new KeyTransferException(
            ErrorCode.CRYPTO_FAILURE, "ECDH gave " + raw.length + " bytes, not " + length);
      }
    }
    if (raw.length == 0) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, "ECDH gave no shared secret");
    }
    byte[] z = new byte[length];
    if (extra >= 0) {
      System.arraycopy(raw, extra, z, 0, length);
    } else {
      System.arraycopy(raw, 0, z, -extra, raw.length);
    }
    return z;
  }

  /**
   * Whether {@code signature} is exactly the DER {@code ECDSA-Sig-Value} (X9.62) of two integers in
   * [1, n-1] of the key's order: minimal lengths and integers, no trailing bytes.
   */
  static boolean strictEcdsaSignature(PublicKey key, byte[] signature) {
    if (!(key instanceof ECPublicKey ec)) {
      return false;
    }
    BigInteger n = ec.getParams().getOrder();
    try {
      DerReader outer = new DerReader(signature);
      DerReader seq = outer.sequence();
      outer.end();
      boolean ok = inRange(minimalInteger(seq), n) & inRange(minimalInteger(seq), n);
      seq.end();
      return ok;
    } catch (dev.keytransfer.core.MalformedTokenException e) {
      return false;
    }
  }

  private static BigInteger minimalInteger(DerReader r)
      throws dev.keytransfer.core.MalformedTokenException {
    byte[] v = r.expect(DerReader.INTEGER).value();
    if (v.length == 0
        || (v.length > 1 && v[0] == 0 && (v[1] & 0x80) == 0)
        || (v.length > 1 && v[0] == (byte) 0xFF && (v[1] & 0x80) != 0)) {
      throw DerReader.malformed("INTEGER not minimally encoded");
    }
    return new BigInteger(v);
  }

  private static boolean inRange(BigInteger v, BigInteger n) {
    return v.signum() > 0 && v.compareTo(n) < 0;
  }

  /** Whether {@code key} is of the kind {@code algorithm} signs with (EC or RSA). */
  private static boolean fits(Algorithms.Signature algorithm, java.security.Key key) {
    return algorithm.isEcdsa()
        ? key instanceof java.security.interfaces.ECKey
        : key instanceof java.security.interfaces.RSAKey;
  }

  @Override
  public final byte[] encryptKey(
      PublicKey recipient, Algorithms.KeyTransport algorithm, SecretKeyMaterial key)
      throws KeyTransferException {
    byte[] k = key.copyBytes();
    try {
      Cipher c = cipher(OAEP, 0); // never remembered
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
      Cipher c = cipher(OAEP, 0); // never remembered
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
      String transformation = cbcTransformation(algorithm);
      Cipher c = cipher(transformation, k.length);
      c.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(k, keyAlgorithm(algorithm)),
          new IvParameterSpec(iv));
      remember(transformation, k.length, c);
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
      String transformation = cbcTransformation(algorithm);
      Cipher c = cipher(transformation, k.length);
      c.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(k, keyAlgorithm(algorithm)),
          new IvParameterSpec(iv));
      remember(transformation, k.length, c);
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
    try {
      return onBlockEngine(blockCipher, encrypt, key, iv, c -> c.doFinal(data));
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE, blockCipher + " block operation failed", e);
    }
  }

  /**
   * CMAC (NIST SP 800-38B) on one ECB engine: the subkeys and the CBC-MAC chain block by block
   * under a single initialisation. Same result as the default over {@link #cipherBlocks}.
   */
  @Override
  public final byte[] cmac(Algorithms.BlockCipher blockCipher, SecretKeyMaterial key, byte[] data)
      throws KeyTransferException {
    int n = blockCipher.blockSize();
    CryptoRules.checkBlockInput(blockCipher, key, null, new byte[n]);
    try {
      return onBlockEngine(
          blockCipher,
          true,
          key,
          null,
          c ->
              CryptoRules.cmac(
                  n,
                  block -> {
                    try {
                      return c.doFinal(block);
                    } catch (GeneralSecurityException e) {
                      throw new KeyTransferException(
                          ErrorCode.CRYPTO_FAILURE, blockCipher + " CMAC failed", e);
                    }
                  },
                  data));
    } catch (GeneralSecurityException e) {
      throw new KeyTransferException(ErrorCode.CRYPTO_FAILURE, blockCipher + " CMAC failed", e);
    }
  }

  /** An operation on a raw block engine initialised with the caller's key. */
  @FunctionalInterface
  private interface BlockOperation<T> {
    T apply(Cipher engine) throws GeneralSecurityException, KeyTransferException;
  }

  /**
   * Runs {@code op} on this thread's raw block engine (ECB without an IV, else CBC; no padding),
   * initialised with {@code key}. A JCA lookup costs more than the AES work of a TR-31 block, so
   * the engine is kept for the thread; it never keeps the key: after {@code op}, whether it
   * succeeded or not, the engine is re-initialised with a fixed public key ({@link #SCRUB_KEY}) and
   * encrypts one block under it, and an engine that cannot be is dropped. A nested use finds no
   * engine and makes its own. A kept engine stays with the provider it was made by: a platform
   * provider inserted later is used by new threads only.
   */
  private <T> T onBlockEngine(
      Algorithms.BlockCipher blockCipher,
      boolean encrypt,
      SecretKeyMaterial key,
      byte[] iv,
      BlockOperation<T> op)
      throws GeneralSecurityException, KeyTransferException {
    String algorithm =
        switch (blockCipher) {
          case DES -> "DES";
          case TDES -> "DESede";
          default -> "AES";
        };
    String transformation = algorithm + (iv == null ? "/ECB/NoPadding" : "/CBC/NoPadding");
    Map<String, Cipher> kept = engines.get().blockEngines;
    String slot = slot(transformation, key.length());
    Cipher c = kept.remove(slot);
    if (c == null) {
      c = cipher(transformation, key.length());
    }
    byte[] k = key.copyBytes();
    byte[] expanded = blockCipher == Algorithms.BlockCipher.TDES ? CryptoRules.tdesKey24(k) : null;
    try {
      SecretKeySpec spec = new SecretKeySpec(expanded != null ? expanded : k, algorithm);
      int mode = encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
      if (iv == null) {
        c.init(mode, spec);
      } else {
        c.init(mode, spec, new IvParameterSpec(iv));
      }
      remember(transformation, key.length(), c);
      return op.apply(c);
    } finally {
      CryptoRules.wipe(k);
      CryptoRules.wipe(expanded);
      try {
        int scrubLength =
            switch (blockCipher) {
              case DES -> 8;
              case TDES -> 24;
              default -> 16;
            };
        SecretKeySpec scrub = new SecretKeySpec(SCRUB_KEY, 0, scrubLength, algorithm);
        if (iv == null) {
          c.init(Cipher.ENCRYPT_MODE, scrub);
        } else {
          c.init(
              Cipher.ENCRYPT_MODE, scrub, new IvParameterSpec(new byte[blockCipher.blockSize()]));
        }
        // one block under the public key: an engine that keys itself lazily (ACCP keeps its
        // native context until the next operation) now holds that key, not the caller's
        c.doFinal(new byte[blockCipher.blockSize()]);
        kept.put(slot, c);
      } catch (GeneralSecurityException | RuntimeException e) {
        // not kept: an engine that may still hold the key is left to the garbage collector
      }
    }
  }

  /**
   * The public key a kept block engine is re-initialised with after each use, so that it holds no
   * secret between uses: distinct bytes (not a weak DES key), cut to the cipher's key length.
   */
  private static final byte[] SCRUB_KEY = {
    0x01,
    0x23,
    0x45,
    0x67,
    (byte) 0x89,
    (byte) 0xAB,
    (byte) 0xCD,
    (byte) 0xEF,
    (byte) 0xFE,
    (byte) 0xDC,
    (byte) 0xBA,
    (byte) 0x98,
    0x76,
    0x54,
    0x32,
    0x10,
    (byte) 0x89,
    (byte) 0xAB,
    (byte) 0xCD,
    (byte) 0xEF,
    0x01,
    0x23,
    0x45,
    0x67
  };

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
   * This thread's verifier of {@code algorithm}, re-initialised at every use (initVerify resets it;
   * it holds only a public key between uses). Engines that would hold a private, transported or
   * working key between uses (signers, content ciphers, key agreements) are never kept: a new one
   * per operation. The raw block engines are kept, re-keyed with a public key after every use
   * ({@link #onBlockEngine}).
   */
  private Signature verifier(Algorithms.Signature algorithm) throws NoSuchAlgorithmException {
    Map<Algorithms.Signature, Signature> verifiers = engines.get().verifiers;
    Signature s = verifiers.get(algorithm);
    if (s == null) {
      s = newSignature(algorithm);
      verifiers.put(algorithm, s);
    }
    return s;
  }

  /** The engines one thread reuses: only those that hold no secret between uses. */
  private static final class Engines {
    final Map<Algorithms.Signature, Signature> verifiers =
        new EnumMap<>(Algorithms.Signature.class);
    MessageDigest sha256;

    /** Raw block engines by {@link #slot}, each keyed with {@link #SCRUB_KEY} between uses. */
    final Map<String, Cipher> blockEngines = new java.util.HashMap<>();
  }

  private Signature newSignature(Algorithms.Signature algorithm) throws NoSuchAlgorithmException {
    String jcaName = algorithm.jcaName();
    return engine(
        p -> p == null ? Signature.getInstance(jcaName) : Signature.getInstance(jcaName, p));
  }

  /**
   * Looks up an engine by algorithm: {@code null} stands for the platform's installed providers.
   */
  @FunctionalInterface
  private interface Lookup<T> {
    T get(Provider provider) throws NoSuchAlgorithmException;
  }

  /**
   * The engine from {@link #provider} (or the platform's providers where there is none), and with
   * platform fallback from the platform where that provider has no such algorithm.
   */
  private <T> T engine(Lookup<T> lookup) throws NoSuchAlgorithmException {
    try {
      return lookup.get(provider);
    } catch (NoSuchAlgorithmException e) {
      if (!platformFallback) {
        throw e;
      }
      return lookup.get(null);
    }
  }

  /**
   * The memo slot of a cipher: its transformation and the length of the key it will take ({@link
   * #platformCiphers}).
   */
  private static String slot(String transformation, int keyLength) {
    return transformation + '#' + keyLength;
  }

  /**
   * A new cipher for {@code transformation} and a key of {@code keyLength} bytes from {@link
   * #provider}, or with platform fallback from the platform: the provider that took a key of that
   * length last time ({@link #remember}), else the platform's own choice, made when the cipher is
   * initialised with the key. A failed lookup and a search of every installed provider cost more
   * than the TDES content encryption itself.
   */
  private Cipher cipher(String transformation, int keyLength) throws GeneralSecurityException {
    if (provider == null) {
      return Cipher.getInstance(transformation);
    }
    Provider platform = platformCiphers.get(slot(transformation, keyLength));
    if (platform != null) {
      return Cipher.getInstance(transformation, platform);
    }
    try {
      return Cipher.getInstance(transformation, provider);
    } catch (NoSuchAlgorithmException | NoSuchPaddingException e) {
      if (!platformFallback) {
        throw e;
      }
      return Cipher.getInstance(transformation);
    }
  }

  /**
   * After {@code initialised} (from {@link #cipher}) took its key of {@code keyLength} bytes: with
   * platform fallback, the platform provider it ended up on serves that transformation and key
   * length from now on. Asked before the key, the platform would pin its first provider of the
   * transformation, which may refuse a key that a later one takes.
   */
  private void remember(String transformation, int keyLength, Cipher initialised) {
    if (platformFallback) {
      Provider chosen = initialised.getProvider();
      if (chosen != provider) {
        platformCiphers.putIfAbsent(slot(transformation, keyLength), chosen);
      }
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
