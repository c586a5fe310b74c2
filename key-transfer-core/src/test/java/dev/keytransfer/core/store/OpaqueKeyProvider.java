package dev.keytransfer.core.store;

import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;

/**
 * Stands in for an Android Keystore or a PKCS#11 token: its {@link #key()} cannot be exported
 * ({@code getEncoded} fails), and only this provider's AES-GCM cipher can use it, by a handle.
 */
final class OpaqueKeyProvider extends Provider {
  private static final long serialVersionUID = 1L;

  /** A key that is only a handle. */
  static final class Handle implements SecretKey {
    private static final long serialVersionUID = 1L;

    @Override
    public String getAlgorithm() {
      return "AES";
    }

    @Override
    public String getFormat() {
      return null;
    }

    @Override
    public byte[] getEncoded() {
      throw new UnsupportedOperationException("this key never leaves its keystore");
    }
  }

  private final transient SecretKey inside = StoreFixtures.deviceKey();
  private final transient Handle handle = new Handle();

  OpaqueKeyProvider() {
    super("OpaqueKeyTest", "1.0", "keys by handle only");
    putService(
        new Service(this, "Cipher", "AES/GCM/NoPadding", OpaqueCipher.class.getName(), null, null) {
          @Override
          public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
            return new OpaqueCipher();
          }
        });
  }

  Handle key() {
    return handle;
  }

  private final class OpaqueCipher extends CipherSpi {
    private final Cipher inner;

    OpaqueCipher() throws NoSuchAlgorithmException {
      try {
        inner = Cipher.getInstance("AES/GCM/NoPadding");
      } catch (NoSuchPaddingException e) {
        throw new NoSuchAlgorithmException(e);
      }
    }

    private Key resolve(Key key) throws InvalidKeyException {
      if (key != handle) {
        throw new InvalidKeyException("not a key of this keystore");
      }
      return inside;
    }

    @Override
    protected void engineSetMode(String mode) {}

    @Override
    protected void engineSetPadding(String padding) {}

    @Override
    protected int engineGetBlockSize() {
      return 16;
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
    protected void engineInit(
        int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
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
}
