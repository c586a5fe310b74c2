package dev.keytransfer.core.store;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.KeySource;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A fresh random key per device from the provider's approved RNG (docs/SECURITY.md K1), under a
 * fixed header. TDES keys get odd parity. The default TMK is 3-key TDES, header {@code
 * A0000K0TB00E0000}.
 */
public final class RandomKeySource implements KeySource {
  /**
   * Default terminal master key header: TR-34 version A, K0 key-encryption key, TDES, both ways,
   * exportable.
   */
  public static final String DEFAULT_TMK_HEADER = "A0000K0TB00E0000";

  private final SecureRandom random;
  private final KeyBlockHeader header;
  private final int keyLength;

  /**
   * @param random the provider's CSPRNG
   * @param header header of every key; its algorithm must fit {@code keyLength}
   * @param keyLength key length in bytes
   */
  public RandomKeySource(SecureRandom random, KeyBlockHeader header, int keyLength)
      throws KeyTokenException {
    this.random = Objects.requireNonNull(random, "random");
    this.header = Objects.requireNonNull(header, "header");
    header.checkKeyLength(keyLength);
    this.keyLength = keyLength;
  }

  /** A 3-key TDES terminal master key source with {@link #DEFAULT_TMK_HEADER}. */
  public static RandomKeySource tdesMasterKeys(SecureRandom random) {
    try {
      return new RandomKeySource(random, KeyBlockHeader.parse(DEFAULT_TMK_HEADER), 24);
    } catch (dev.keytransfer.core.KeyTransferException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public DeliverableKey keyFor(X509Certificate krdCertificate) {
    byte[] key = new byte[keyLength];
    random.nextBytes(key);
    if (header.algorithm() == 'T') {
      for (int i = 0; i < key.length; i++) {
        int b = key[i] & 0xFE;
        key[i] = (byte) (b | ((Integer.bitCount(b) & 1) == 0 ? 1 : 0));
      }
    }
    return new DeliverableKey(header, SecretKeyMaterial.adopt(key));
  }

  @Override
  public String toString() {
    return "RandomKeySource[" + header + ", " + keyLength + " bytes]";
  }
}
