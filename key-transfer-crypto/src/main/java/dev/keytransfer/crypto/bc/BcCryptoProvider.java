package dev.keytransfer.crypto.bc;

import dev.keytransfer.crypto.internal.AbstractJcaCryptoProvider;
import java.security.Provider;
import java.security.SecureRandom;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The Bouncy Castle crypto provider: software keys in JVM memory, every operation through one
 * private {@link BouncyCastleProvider} instance (never installed globally). RSA-OAEP failures are
 * uniform (R1); CBC decryption refuses empty and misaligned input (R6). Key bytes handed to the JCA
 * are wiped after each operation. Thread-safe.
 */
public final class BcCryptoProvider extends AbstractJcaCryptoProvider {
  private static final String OAEP = "RSA/NONE/OAEPWithSHA256AndMGF1Padding";

  public BcCryptoProvider() {
    this(new SecureRandom());
  }

  /** A provider drawing randomness from {@code random} (an approved DRBG). */
  public BcCryptoProvider(SecureRandom random) {
    this(new BouncyCastleProvider(), random);
  }

  private BcCryptoProvider(Provider bc, SecureRandom random) {
    super("bc", random, new Engines(bc, bc, OAEP, bc, bc));
  }

  @Override
  public String toString() {
    return "BcCryptoProvider";
  }
}
