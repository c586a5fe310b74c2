package dev.keytransfer.core.store;

import dev.keytransfer.core.testing.KeyFilteringCipher;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;

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

  private final class OpaqueCipher extends KeyFilteringCipher {
    OpaqueCipher() throws NoSuchAlgorithmException {
      super(gcm(), 16);
    }

    @Override
    protected Key resolve(Key key) throws InvalidKeyException {
      if (key != handle) {
        throw new InvalidKeyException("not a key of this keystore");
      }
      return inside;
    }
  }

  private static Cipher gcm() throws NoSuchAlgorithmException {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (NoSuchPaddingException e) {
      throw new NoSuchAlgorithmException(e);
    }
  }
}
