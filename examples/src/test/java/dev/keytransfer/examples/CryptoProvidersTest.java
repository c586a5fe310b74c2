package dev.keytransfer.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.accp.AccpCryptoProvider;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import org.junit.jupiter.api.Test;

/** The by-name factory behind the CLI's {@code --provider}. */
class CryptoProvidersTest {
  @Test
  void create_softwareNames_givesThoseProviders() throws Exception {
    assertThat(CryptoProviders.create("bc")).isInstanceOf(BcCryptoProvider.class);
    CryptoProvider jca = CryptoProviders.create(" JCA ");
    assertThat(jca).isInstanceOf(JcaCryptoProvider.class);
    assertThat(jca.name()).isEqualTo("jca");
  }

  @Test
  void create_accp_givesTheAccpProvider() throws Exception {
    assumeTrue(
        AccpCryptoProvider.unavailableReason().isEmpty(),
        () -> "ACCP cannot run here: " + AccpCryptoProvider.unavailableReason().orElse(""));
    CryptoProvider accp = CryptoProviders.create("accp");
    assertThat(accp).isInstanceOf(AccpCryptoProvider.class);
    assertThat(accp.name()).isEqualTo("accp");
  }

  @Test
  void create_unknownName_illegalArgumentNamingTheChoices() {
    assertThatThrownBy(() -> CryptoProviders.create("sunpkcs11"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bc")
        .hasMessageContaining("pkcs11")
        .hasMessageContaining("accp");
  }
}
