package dev.keytransfer.crypto.accp;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import dev.keytransfer.crypto.WycheproofContractTest;
import dev.keytransfer.crypto.testing.JcaWycheproofEngine;
import dev.keytransfer.crypto.testing.WycheproofEngine;
import java.security.Provider;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Cipher;

/**
 * Wycheproof through the ACCP provider (OAEP, PKCS#1 and ECDSA verification, ECDH, CMAC over the
 * platform's AES-ECB, AES-CBC) and, for what the SPI does not offer, ACCP's own engines (PSS,
 * AES-192-CBC) from the same private instance; AES key wrap from the platform, since ACCP has only
 * the padded variant (KWP). Skipped where ACCP's native library cannot load.
 */
class AccpWycheproofTest extends WycheproofContractTest {
  @Override
  protected WycheproofEngine newEngine() throws Exception {
    assumeTrue(
        AccpCryptoProvider.unavailableReason().isEmpty(),
        () -> "ACCP cannot run here: " + AccpCryptoProvider.unavailableReason().orElse(""));
    Provider accp = AmazonCorrettoCryptoProvider.INSTANCE;
    return new JcaWycheproofEngine(
        new AccpCryptoProvider(),
        new JcaWycheproofEngine.Engines(
            accp,
            accp,
            accp,
            Cipher.getInstance("AES/KW/NoPadding").getProvider(),
            "AES/KW/NoPadding"));
  }

  /**
   * ACCP 2.5.0's RSA-OAEP refuses any non-empty label: {@code Cipher.init} with a {@code
   * PSource.PSpecified} other than the empty one throws {@code InvalidAlgorithmParameterException},
   * so the valid cases with a label are refused, in all three OAEP files. TR-34 key transport uses
   * the empty label (B.2.2.3), which ACCP takes, and every case the SPI can express passes (the
   * oaep-spi family); a failure at {@code init} is not a missing algorithm, so the provider does
   * not look elsewhere for it.
   */
  @Override
  protected Map<String, String> knownDeviations() {
    String label = "ACCP OAEP refuses a non-empty label (InvalidAlgorithmParameterException)";
    Map<String, String> m = new TreeMap<>();
    for (int tc : new int[] {8, 9, 10, 33, 34, 35, 36, 37}) {
      m.put("oaep-sha256#" + tc, label);
    }
    for (int tc : new int[] {8, 9, 10}) {
      m.put("oaep-sha256-mgf1sha1#" + tc, label);
    }
    for (int tc : new int[] {8, 9, 10, 33, 34, 35, 36}) {
      m.put("oaep-sha1#" + tc, label);
    }
    return m;
  }
}
