package dev.keytransfer.crypto.jca;

import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.CryptoProviderContractTest;

/** The provider contract for the plain-JCA provider (written once, run for every provider). */
class JcaCryptoProviderTest extends CryptoProviderContractTest {
  @Override
  protected CryptoProvider newProvider() {
    return new JcaCryptoProvider();
  }
}
