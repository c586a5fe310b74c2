package dev.keytransfer.core.testing;

import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.ShortBufferException;

/**
 * A test provider's cipher: another provider's {@link Cipher} that only takes the keys {@link
 * #resolve} lets through (a keystore that knows its keys by handle, a provider with a key-size
 * limit), everything else passed on as it is.
 */
public abstract class KeyFilteringCipher extends CipherSpi {
  private final Cipher inner;
  private final int blockSize;

  protected KeyFilteringCipher(Cipher inner, int blockSize) {
    this.inner = inner;
    this.blockSize = blockSize;
  }

  /** The key {@code inner} is initialised with in place of {@code key}, or a refusal. */
  protected abstract Key resolve(Key key) throws InvalidKeyException;

  @Override
  protected void engineSetMode(String mode) {}

  @Override
  protected void engineSetPadding(String padding) {}

  @Override
  protected int engineGetBlockSize() {
    return blockSize;
  }

  @Override
  protected int engineGetOutputSize(int inputLen) {
    return inner.getOutputSize(inputLen);
  }

  @Override
  protected byte[] engineGetIV() {
    return inner.getIV();
  }

  @Override
  protected AlgorithmParameters engineGetParameters() {
    return inner.getParameters();
  }

  @Override
  protected void engineInit(int opmode, Key key, SecureRandom random) throws InvalidKeyException {
    inner.init(opmode, resolve(key), random);
  }

  @Override
  protected void engineInit(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    inner.init(opmode, resolve(key), params, random);
  }

  @Override
  protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    inner.init(opmode, resolve(key), params, random);
  }

  @Override
  protected void engineUpdateAAD(byte[] src, int offset, int len) {
    inner.updateAAD(src, offset, len);
  }

  @Override
  protected byte[] engineUpdate(byte[] input, int offset, int len) {
    return inner.update(input, offset, len);
  }

  @Override
  protected int engineUpdate(byte[] input, int offset, int len, byte[] out, int outOffset)
      throws ShortBufferException {
    return inner.update(input, offset, len, out, outOffset);
  }

  @Override
  protected byte[] engineDoFinal(byte[] input, int offset, int len)
      throws IllegalBlockSizeException, BadPaddingException {
    return inner.doFinal(input, offset, len);
  }

  @Override
  protected int engineDoFinal(byte[] input, int offset, int len, byte[] out, int outOffset)
      throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
    return inner.doFinal(input, offset, len, out, outOffset);
  }
}
