package dev.keytransfer.crypto.accp;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * The Amazon Corretto Crypto Provider crypto provider (name {@code accp}): the {@link
 * JcaCryptoProvider} with its engines taken from ACCP, whose algorithms run natively in AWS-LC, and
 * from the platform's installed providers for what ACCP does not have. Software keys in JVM memory.
 * ACCP is used as the one private {@link AmazonCorrettoCryptoProvider#INSTANCE} object, never
 * installed globally ({@code Security.addProvider} is not called), so nothing else in the JVM
 * changes providers because this class was used.
 *
 * <p>From ACCP: RSA key generation, SHA256withRSA signing and verification, RSA-OAEP with explicit
 * SHA-256/MGF1-SHA-256 parameters (TR-34 B.2.2.3; ACCP honours them, which the tests check by
 * decrypting with the {@code jca} provider and back), SHA-256, AES-CBC (with and without padding),
 * and for the ECDH mode (docs/ECDH.md) EC key generation on P-256, P-384 and P-521,
 * SHA256withECDSA, SHA384withECDSA, SHA512withECDSA and the ECDH key agreement (the peer's curve
 * and point checked first by {@link JcaCryptoProvider#agree}, as for every provider). From the
 * platform (SunJCE on a JDK): TDES and single DES, which ACCP does not have, and AES-ECB (ACCP's
 * AES is CBC only), used for raw blocks and CMAC. An algorithm ACCP lacks is found only where
 * ACCP's lookup says it has no such algorithm or padding; no other failure is retried elsewhere
 * (docs/PROVIDERS.md).
 *
 * <p>Randomness: the default generator is the JDK's {@code DRBG} ({@link
 * JcaCryptoProvider#defaultRandom()}, NIST SP 800-90A), as for {@code jca}, and it is what {@link
 * #secureRandom()} gives the SDK for content-encryption keys, IVs and nonces. ACCP's own DRBG
 * (AWS-LC's, also SP 800-90A) was not chosen: the SDK draws a few dozen random bytes per handshake,
 * so its speed buys nothing, and keeping the JDK's keeps one generator, one seeding and one
 * behaviour for jca and accp. ACCP's engines themselves ignore a {@code SecureRandom} passed to
 * them (RSA key generation, OAEP padding, signing) and draw from AWS-LC's DRBG; the platform's TDES
 * engines draw from this provider's generator.
 *
 * <p>ACCP ships native code for Linux on x86_64 and aarch64 only. Construction checks that its
 * library loaded and that its self-tests pass, and fails with a one-line {@link
 * KeyTransferException} ({@link ErrorCode#CRYPTO_FAILURE}) otherwise, never an {@code
 * UnsatisfiedLinkError}. Thread-safe.
 */
public final class AccpCryptoProvider extends JcaCryptoProvider {
  /** The name {@link #name()} returns and {@code --provider} takes. */
  public static final String NAME = "accp";

  /**
   * A provider on ACCP drawing randomness from the JDK's DRBG.
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} if ACCP cannot run here
   */
  public AccpCryptoProvider() throws KeyTransferException {
    this(defaultRandom());
  }

  /**
   * A provider on ACCP drawing randomness from {@code random} (an approved DRBG).
   *
   * @throws KeyTransferException {@code CRYPTO_FAILURE} if ACCP cannot run here
   */
  public AccpCryptoProvider(SecureRandom random) throws KeyTransferException {
    super(NAME, healthyAccp(), true, random);
  }

  /**
   * Why ACCP cannot run in this JVM (one line), or empty if it can: what construction would fail
   * with, for callers and tests that want to choose another provider instead.
   */
  public static Optional<String> unavailableReason() {
    try {
      healthyAccp();
      return Optional.empty();
    } catch (KeyTransferException e) {
      return Optional.of(e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "AccpCryptoProvider";
  }

  private static Provider healthyAccp() throws KeyTransferException {
    try {
      AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
      Throwable loading = accp.getLoadingError();
      if (loading != null) {
        throw unavailable(loading);
      }
      accp.assertHealthy(); // the native library's presence and ACCP's self-tests
      return accp;
    } catch (RuntimeException | LinkageError e) {
      throw unavailable(e);
    }
  }

  /** The one-line failure for {@code cause}: the platform and the cause's own words. */
  static KeyTransferException unavailable(Throwable cause) {
    StringBuilder reason = new StringBuilder(describe(cause));
    for (Throwable s : cause.getSuppressed()) {
      reason.append("; ").append(describe(s));
    }
    if (cause.getCause() != null && cause.getCause() != cause) {
      reason.append("; ").append(describe(cause.getCause()));
    }
    String line = reason.toString().replaceAll("\\s+", " ").trim();
    if (line.length() > 300) {
      line = line.substring(0, 297) + "...";
    }
    return new KeyTransferException(
        ErrorCode.CRYPTO_FAILURE,
        "the Amazon Corretto Crypto Provider cannot run in this JVM ("
            + System.getProperty("os.name", "?")
            + " "
            + System.getProperty("os.arch", "?").toLowerCase(Locale.ROOT)
            + "; ACCP has native code for Linux x86_64 and aarch64 only): "
            + line,
        cause);
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
