package dev.keytransfer.crypto.jca;

import dev.keytransfer.crypto.WycheproofContractTest;
import dev.keytransfer.crypto.testing.JcaWycheproofEngine;
import dev.keytransfer.crypto.testing.WycheproofEngine;
import java.security.Provider;
import java.security.Signature;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;

/**
 * Wycheproof through the plain-JCA provider (OAEP, CMAC, AES-CBC) and, for what the SPI does not
 * offer, the platform's engines found by algorithm, as the provider finds its own.
 */
class JcaWycheproofTest extends WycheproofContractTest {
  @Override
  protected WycheproofEngine newEngine() {
    return new JcaWycheproofEngine(
        new JcaCryptoProvider(),
        new JcaWycheproofEngine.Engines(
            platform(() -> Signature.getInstance("RSASSA-PSS").getProvider()),
            platform(() -> KeyAgreement.getInstance("ECDH").getProvider()),
            platform(() -> Cipher.getInstance("AES/CBC/PKCS5Padding").getProvider()),
            platform(() -> Cipher.getInstance("AES/KW/NoPadding").getProvider()),
            "AES/KW/NoPadding"));
  }

  /** The platform's provider for an algorithm, looked up by algorithm as the SDK does. */
  private static Provider platform(Callable<Provider> lookup) {
    try {
      return lookup.call();
    } catch (Exception e) {
      throw new IllegalStateException("this platform lacks an engine the vectors need", e);
    }
  }

  /**
   * SunEC in OpenJDK 17.0.15 accepts an ECDSA signature whose s lacks its leading zero byte (tc 6,
   * BER leniency) and refuses two valid signatures whose k*G has an x-coordinate above n (tc 350,
   * 479); the vectors' README records the same three. The SDK signs and verifies with RSA only; an
   * ECDSA path through this provider would need a strict DER check before SunEC and would still
   * refuse those two valid signatures.
   */
  @Override
  protected Map<String, String> knownDeviations() {
    return Map.of(
        "ecdsa#6", "SunEC accepts s encoded without its leading 00 (BER, MissingZero)",
        "ecdsa#350", "SunEC refuses a valid signature with a large x-coordinate of k*G",
        "ecdsa#479", "SunEC refuses a valid signature with r = x - n");
  }
}
