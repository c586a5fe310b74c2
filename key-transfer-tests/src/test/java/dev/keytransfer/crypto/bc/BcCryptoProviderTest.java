package dev.keytransfer.crypto.bc;

import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.CryptoProviderContractTest;

/** The provider contract for the Bouncy Castle provider (written once, run for every provider). */
class BcCryptoProviderTest extends CryptoProviderContractTest {
  @Override
  protected CryptoProvider newProvider() {
    return new BcCryptoProvider();
  }
}
