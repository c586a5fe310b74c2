package dev.keytransfer.crypto.bc;

import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.security.SecureRandom;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The Bouncy Castle crypto provider: the {@link JcaCryptoProvider} with every engine taken from one
 * private {@link BouncyCastleProvider} instance (never installed globally), for platforms whose own
 * providers lack an algorithm, or to run the same engines everywhere. Software keys in JVM memory.
 * Thread-safe.
 */
public final class BcCryptoProvider extends JcaCryptoProvider {
  public BcCryptoProvider() {
    this(new SecureRandom());
  }

  /** A provider drawing randomness from {@code random} (an approved DRBG). */
  public BcCryptoProvider(SecureRandom random) {
    super("bc", new BouncyCastleProvider(), random);
  }

  @Override
  public String toString() {
    return "BcCryptoProvider";
  }
}
