package dev.keytransfer.crypto.accp;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.CryptoProviderContractTest;

/**
 * The provider contract for the ACCP provider (written once, run for every provider); skipped where
 * ACCP's native library cannot load.
 */
class AccpCryptoProviderTest extends CryptoProviderContractTest {
  @Override
  protected CryptoProvider newProvider() throws Exception {
    assumeTrue(
        AccpCryptoProvider.unavailableReason().isEmpty(),
        () -> "ACCP cannot run here: " + AccpCryptoProvider.unavailableReason().orElse(""));
    return new AccpCryptoProvider();
  }
}
