package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * The cryptographic backend: creates operators bound to key handles, never to private key bytes, so
 * that a software provider, a JCA provider and a PKCS#11 token serve through the same calls
 * (docs/DESIGN.md, "Crypto providers and key handles"). Implementations are thread-safe.
 */
public interface CryptoProvider {
  /** A short name for logs and reports (e.g. "bc"). */
  String name();

  /** The approved random generator used for nonces, keys and IVs (docs/SECURITY.md K1). */
  SecureRandom secureRandom();

  /** Generates an RSA key pair inside the provider and returns a handle to its private half. */
  PrivateKeyHandle generateRsaKeyPair(int modulusBits, String label) throws KeyTransferException;

  /**
   * Generates an RSA key pair inside the provider for one {@link KeyPurpose}, so that a provider
   * that can restrict a key's roles (a PKCS#11 token) gives it only those (docs/SECURITY.md K4).
   * The default ignores the purpose and calls {@link #generateRsaKeyPair(int, String)}, which suits
   * software providers.
   *
   * @since 0.1 (a default method, so existing providers still compile)
   */
  default PrivateKeyHandle generateRsaKeyPair(int modulusBits, String label, KeyPurpose purpose)
      throws KeyTransferException {
    Objects.requireNonNull(purpose, "purpose");
    return generateRsaKeyPair(modulusBits, label);
  }

  /**
   * Generates an EC key pair on {@code curve} inside the provider, for one {@link KeyPurpose}
   * ({@link KeyPurpose#KEY_AGREEMENT} or {@link KeyPurpose#SIGNING_AND_KEY_AGREEMENT} in the ECDH
   * mode, docs/ECDH.md). The default refuses: a provider without EC keys.
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE}
   * @since 0.2 (a default method, so existing providers still compile)
   */
  default PrivateKeyHandle generateEcKeyPair(
      Algorithms.Curve curve, String label, KeyPurpose purpose) throws KeyTransferException {
    throw new KeyTransferException(
        dev.keytransfer.core.ErrorCode.CRYPTO_FAILURE, name() + " does not generate EC keys");
  }

  /**
   * The ECDH primitive (NIST SP 800-56A rev. 3 5.7.1.2, the curves' cofactor is 1): the shared
   * secret Z, the x-coordinate of {@code d * Q} as {@link Algorithms.Curve#fieldLength()} bytes, of
   * the private key of {@code key} and the {@code peer} public key. The peer key must be on the
   * same curve as {@code key}, and a valid point on it (the full public-key validation of SP
   * 800-56A 5.6.2.3.3). Z is the caller's to destroy; it is input to a key derivation function,
   * never a key itself. The default refuses: a provider without EC keys.
   *
   * @throws KeyTransferException {@code ECDH_CURVE_MISMATCH} for a peer key of another curve or
   *     kind, {@code CRYPTO_FAILURE} for an invalid point or an engine failure
   * @since 0.2 (a default method, so existing providers still compile)
   */
  default SecretKeyMaterial agree(PrivateKeyHandle key, PublicKey peer)
      throws KeyTransferException {
    throw new KeyTransferException(
        dev.keytransfer.core.ErrorCode.CRYPTO_FAILURE, name() + " does not do ECDH");
  }

  /**
   * Signs {@code data} with the private key of {@code key}.
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} if the handle is not this provider's
   */
  byte[] sign(PrivateKeyHandle key, Algorithms.Signature algorithm, byte[] data)
      throws KeyTransferException;

  /**
   * Verifies a signature; never returns a boolean.
   *
   * @throws SignatureInvalidException {@code SIGNATURE_INVALID}
   */
  void verify(PublicKey key, Algorithms.Signature algorithm, byte[] data, byte[] signature)
      throws SignatureInvalidException;

  /** Encrypts a content-encryption key to a recipient's public key. */
  byte[] encryptKey(PublicKey recipient, Algorithms.KeyTransport algorithm, SecretKeyMaterial key)
      throws KeyTransferException;

  /**
   * Decrypts a content-encryption key with the private key of {@code key}. Every failure gives the
   * same {@link KeyTokenException} with {@code KEY_TOKEN_INVALID} and the same message (R1).
   */
  SecretKeyMaterial decryptKey(
      PrivateKeyHandle key, Algorithms.KeyTransport algorithm, byte[] encryptedKey)
      throws KeyTokenException;

  /** CBC encryption with PKCS#7 padding. */
  byte[] encrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] plaintext)
      throws KeyTransferException;

  /**
   * CBC decryption with PKCS#7 padding; empty or misaligned input and bad padding all give the same
   * {@code KEY_TOKEN_INVALID} (R1, R6).
   */
  byte[] decrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] ciphertext)
      throws KeyTokenException;

  /**
   * Raw block encryption or decryption over whole blocks, no padding: ECB when {@code iv} is null,
   * CBC otherwise. The primitive of key blocks, DUKPT and CMAC; callers check lengths first.
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} for a key, IV or data length the cipher
   *     does not take, or an engine failure
   */
  byte[] cipherBlocks(
      Algorithms.BlockCipher cipher, boolean encrypt, SecretKeyMaterial key, byte[] iv, byte[] data)
      throws KeyTransferException;

  /**
   * CMAC (NIST SP 800-38B) of {@code data} (any length; the full tag, 8 or 16 bytes). The default
   * computes it over {@link #cipherBlocks}; a provider with a native CMAC (a PKCS#11 token) may
   * override it.
   */
  default byte[] cmac(Algorithms.BlockCipher cipher, SecretKeyMaterial key, byte[] data)
      throws KeyTransferException {
    return dev.keytransfer.core.internal.Cmac.compute(this, cipher, key, data);
  }

  /** Computes a key check value of the given method (docs/SECURITY.md K3). */
  KeyCheckValue keyCheckValue(SecretKeyMaterial key, KeyCheckValue.Method method)
      throws KeyTransferException;

  /** SHA-256 of {@code data}. */
  byte[] sha256(byte[] data);
}
