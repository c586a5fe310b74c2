package dev.keytransfer.crypto.jca;

import dev.keytransfer.crypto.internal.AbstractJcaCryptoProvider;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The plain-JCA crypto provider: software keys in JVM memory, every operation through the JDK's own
 * providers, named explicitly so that a provider someone else installed first is never picked up:
 *
 * <ul>
 *   <li>{@code SunRsaSign}: RSA key generation, SHA256withRSA signing and verification;
 *   <li>{@code SunJCE}: RSA-OAEP (SHA-256, MGF1-SHA-256) key transport, AES-CBC, TDES-CBC, and the
 *       legacy TDES key check value (DESede/ECB);
 *   <li>{@code SUN}: the {@code DRBG} SecureRandom (NIST SP 800-90A Hash_DRBG, docs/SECURITY.md
 *       K1).
 * </ul>
 *
 * <p><b>Where Bouncy Castle is used:</b> only for AES-CMAC and TDES-CMAC, i.e. the {@code CMAC_AES}
 * and {@code CMAC_TDES} key check values, because JDK 17 has no CMAC. It is a private {@link
 * BouncyCastleProvider} instance held by this object, never installed with {@code
 * Security.addProvider}.
 *
 * <p>Same uniform-failure rules as the Bouncy Castle provider: every RSA-OAEP or CBC decryption
 * failure is {@link dev.keytransfer.core.KeyTokenException#decryptionFailed()} with no cause (R1);
 * empty and misaligned CBC input is refused before SunJCE sees it (SunJCE would decrypt an empty
 * ciphertext to an empty plaintext, R6). Thread-safe.
 */
public final class JcaCryptoProvider extends AbstractJcaCryptoProvider {
  private static final String OAEP = "RSA/ECB/OAEPPadding";

  /**
   * A provider on the JDK's {@code DRBG} random generator.
   *
   * @throws IllegalStateException if this JDK lacks SunRsaSign, SunJCE or DRBG
   */
  public JcaCryptoProvider() {
    this(drbg());
  }

  /** A provider drawing randomness from {@code random} (an approved DRBG). */
  public JcaCryptoProvider(SecureRandom random) {
    super(
        "jca",
        random,
        new Engines(
            jdk("SunRsaSign"), jdk("SunJCE"), OAEP, jdk("SunJCE"), new BouncyCastleProvider()));
  }

  private static Provider jdk(String name) {
    Provider p = Security.getProvider(name);
    if (p == null) {
      throw new IllegalStateException("this JDK has no " + name + " provider");
    }
    return p;
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no DRBG SecureRandom", e);
    }
  }

  @Override
  public String toString() {
    return "JcaCryptoProvider";
  }
}
