package dev.keytransfer.core.handshake;

import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Randomness and key check values only: a KCV is a prefix of SHA-256 over the key, which is all the
 * machines compare. Every other operation belongs to the codec and is refused here.
 */
final class FakeCryptoProvider implements CryptoProvider {
  private final SecureRandom random = new SecureRandom();

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public SecureRandom secureRandom() {
    return random;
  }

  @Override
  public KeyCheckValue keyCheckValue(SecretKeyMaterial key, KeyCheckValue.Method method) {
    return KeyCheckValue.of(method, Arrays.copyOf(sha256(key.copyBytes()), method.length()));
  }

  @Override
  public byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public PrivateKeyHandle generateRsaKeyPair(int modulusBits, String label) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] sign(PrivateKeyHandle key, Algorithms.Signature algorithm, byte[] data) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void verify(PublicKey key, Algorithms.Signature algorithm, byte[] data, byte[] signature) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] encryptKey(
      PublicKey recipient, Algorithms.KeyTransport algorithm, SecretKeyMaterial key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public SecretKeyMaterial decryptKey(
      PrivateKeyHandle key, Algorithms.KeyTransport algorithm, byte[] encryptedKey) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] encrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] plaintext) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] decrypt(
      Algorithms.ContentEncryption algorithm, SecretKeyMaterial key, byte[] iv, byte[] ciphertext) {
    throw new UnsupportedOperationException();
  }

  @Override
  public byte[] cipherBlocks(
      Algorithms.BlockCipher cipher,
      boolean encrypt,
      SecretKeyMaterial key,
      byte[] iv,
      byte[] data) {
    throw new UnsupportedOperationException();
  }
}
