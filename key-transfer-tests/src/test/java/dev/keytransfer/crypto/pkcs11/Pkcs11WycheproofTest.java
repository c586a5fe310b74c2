package dev.keytransfer.crypto.pkcs11;

import dev.keytransfer.crypto.WycheproofContractTest;
import dev.keytransfer.crypto.testing.SoftHsm;
import dev.keytransfer.crypto.testing.WycheproofEngine;
import java.util.Map;
import org.junit.jupiter.api.Tag;

/**
 * Wycheproof through the PKCS#11 provider in SoftHSM2, OAEP in the provider's default (raw RSA)
 * mode.
 */
@Tag("hsm")
class Pkcs11WycheproofTest extends WycheproofContractTest {
  @Override
  protected WycheproofEngine newEngine() throws Exception {
    return new Pkcs11WycheproofEngine(
        Pkcs11CryptoProvider.open(SoftHsm.token()), Pkcs11Config.OaepMode.RAW);
  }

  @Override
  protected Map<String, String> knownDeviations() {
    return Map.of();
  }
}
