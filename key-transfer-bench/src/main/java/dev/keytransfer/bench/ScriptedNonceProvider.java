package dev.keytransfer.bench;

import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import java.security.PublicKey;
import java.security.SecureRandom;

/**
 * A benchmark-only provider for one terminal: every operation is the wrapped provider's, except
 * that its random generator hands out a known cycle of nonces, so the host frames answering them
 * can be recorded ahead with a real host and replayed ({@link TerminalSide}). A terminal draws from
 * it only its session nonce (16 bytes, with no zero byte in the ECDH mode: the scripted ones have
 * none, so the terminal never redraws a byte); any other draw fails the run. Never for production:
 * a nonce must be fresh (docs/SECURITY.md P1).
 */
final class ScriptedNonceProvider implements CryptoProvider {
  private final CryptoProvider real;
  private final Script script;

  /** The cycle of nonces; one per session, in order, starting again after the last. */
  static final class Script extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[][] nonces;
    private int next;

    Script(byte[][] nonces) {
      super(); // the default engine is never drawn from: nextBytes is overridden
      this.nonces = nonces;
    }

    @Override
    public synchronized void nextBytes(byte[] bytes) {
      if (bytes.length != Nonce.MAX_LENGTH) {
        throw new IllegalStateException(
            "the scripted terminal drew " + bytes.length + " random bytes, not a nonce");
      }
      System.arraycopy(nonces[next], 0, bytes, 0, bytes.length);
      next = (next + 1) % nonces.length;
    }

    synchronized int position() {
      return next;
    }

    int size() {
      return nonces.length;
    }
  }

  ScriptedNonceProvider(CryptoProvider real, Script script) {
    this.real = real;
    this.script = script;
  }

  @Override
  public String name() {
    return real.name();
  }

  @Override
  public SecureRandom secureRandom() {
    return script;
  }

  @Override
  public PrivateKeyHandle generateRsaKeyPair(int modulusBits, String label)
      throws KeyTransferException {
    return real.generateRsaKeyPair(modulusBits, label);
  }

  @Override
  public PrivateKeyHandle generateRsaKeyPair(int modulusBits, String label, KeyPurpose purpose)
      throws KeyTransferException {
    return real.generateRsaKeyPair(modulusBits, label, purpose);
  }

  @Override
  public PrivateKeyHandle generateEcKeyPair(
      Algorithms.Curve curve, String label, KeyPurpose purpose) throws KeyTransferException {
    return real.generateEcKeyPair(curve, label, purpose);
  }

  @Override
  public SecretKeyMaterial agree(PrivateKeyHandle key, PublicKey peer) throws KeyTransferException {
    return real.agree(key, peer);
  }

  @Override
  public byte[] sign(PrivateKeyHandle key, Algorithms.Signature algorithm, byte[] data)
      throws KeyTransferException {
    return real.sign(key, algorithm, data);
  }

  @Override
  public void verify(PublicKey key, Algorithms.Signature algorithm, byte[] data, byte[] signature)
      throws SignatureInvalidException {
    real.verify(key, algorithm, data, signature);
  }

  @Override
  public byte[] encryptKey(
      PublicKey recipient, Algorithms.KeyTransport algorithm, SecretKeyMaterial key)
      throws KeyTransferException {
    return real.encryptKey(recipient, algorithm, key);
  }

  @Override
  public SecretKeyMaterial decryptKey(
      PrivateKeyHandle key, Algorithms.KeyTransport algorithm, byte[] encryptedKey)
      throws KeyTokenException {
    return real.decryptKey(key, algorithm, encryptedKey);
  }

  @Override
  public byte[] encrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] plaintext)
      throws KeyTransferException {
    return real.encrypt(algorithm, key, iv, plaintext);
  }

  @Override
  public byte[] decrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] ciphertext)
      throws KeyTokenException {
    return real.decrypt(algorithm, key, iv, ciphertext);
  }

  @Override
  public byte[] cipherBlocks(
      Algorithms.BlockCipher cipher, boolean encrypt, SecretKeyMaterial key, byte[] iv, byte[] data)
      throws KeyTransferException {
    return real.cipherBlocks(cipher, encrypt, key, iv, data);
  }

  @Override
  public byte[] cmac(Algorithms.BlockCipher cipher, SecretKeyMaterial key, byte[] data)
      throws KeyTransferException {
    return real.cmac(cipher, key, data);
  }

  @Override
  public KeyCheckValue keyCheckValue(SecretKeyMaterial key, KeyCheckValue.Method method)
      throws KeyTransferException {
    return real.keyCheckValue(key, method);
  }

  @Override
  public byte[] sha256(byte[] data) {
    return real.sha256(data);
  }
}
