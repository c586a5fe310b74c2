package dev.keytransfer.crypto.testing;

import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;

/**
 * What the Wycheproof suite asks of one crypto provider. Operations the {@link CryptoProvider} SPI
 * offers (PKCS#1 signature verification, OAEP key transport of a TR-34 CEK, AES-CBC with
 * 128/256-bit keys; ECDSA verification and ECDH where the provider implements the ECDH mode's
 * {@code verify} and {@code agree}, docs/ECDH.md) go through the SPI; the others (OAEP with other
 * hashes or labels, PSS, CMAC of arbitrary messages, AES-192-CBC, AES key wrap, and ECDSA and ECDH
 * of a provider without them) run on the engine the provider uses, the way it uses it: the same JCA
 * provider instance, or the same PKCS#11 mechanism in the same token. {@link #routes()} says which,
 * for the report. Every method refuses by throwing or returning null/false.
 */
public interface WycheproofEngine extends AutoCloseable {
  /** The provider under test. */
  CryptoProvider provider();

  /** Makes {@code key} usable by {@link #provider()} for key transport (a token imports it). */
  PrivateKeyHandle keyTransportKey(RSAPrivateCrtKey key) throws Exception;

  /**
   * RSA-OAEP decryption through the provider's own OAEP path with these parameters; null on
   * failure.
   */
  byte[] oaepDecrypt(
      RSAPrivateCrtKey key, String hash, String mgfHash, byte[] label, byte[] ciphertext)
      throws Exception;

  boolean verifyPss(PublicKey key, byte[] message, byte[] signature, int saltLength)
      throws Exception;

  /** An ECDSA verification with {@code algorithm} (its curve is the SPKI's). */
  boolean verifyEcdsa(
      Algorithms.Signature algorithm, byte[] publicKeySpki, byte[] message, byte[] derSignature)
      throws Exception;

  /** The ECDH shared secret on {@code curve} of the private scalar and a peer SPKI. */
  byte[] ecdh(Algorithms.Curve curve, BigInteger privateScalar, byte[] peerSpki) throws Exception;

  /** The full AES-CMAC tag. */
  byte[] cmac(byte[] key, byte[] message) throws Exception;

  byte[] cbcEncrypt(byte[] key, byte[] iv, byte[] plaintext) throws Exception;

  byte[] cbcDecrypt(byte[] key, byte[] iv, byte[] ciphertext) throws Exception;

  /** AES key unwrap (RFC 3394). */
  byte[] aesKeyUnwrap(byte[] kek, byte[] wrapped) throws Exception;

  /** Family name to how it runs, for the report. */
  java.util.Map<String, String> routes();

  @Override
  default void close() throws Exception {}
}
