package dev.keytransfer.crypto.keysource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.keyblock.KeyBlockVersion;
import dev.keytransfer.crypto.keyblock.Tr31Codec;
import dev.keytransfer.crypto.keyblock.Tr31Header;
import dev.keytransfer.crypto.keyblock.UnwrappedKey;
import dev.keytransfer.crypto.testing.TestPki;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The test-only fixed key source, and what it is for: a host that knows the TMK it delivered. */
class FixedKeySourceTest {
  private static final String TMK = "0123456789ABCDEFFEDCBA9876543210F0E1D2C3B4A59687";

  @Test
  void everyDevice_getsACopyOfTheSameKey_andItIsMarkedTestOnly() throws Exception {
    try (SecretKeyMaterial key = SecretKeyMaterial.adopt(HexFormat.of().parseHex(TMK));
        FixedKeySource source =
            FixedKeySource.insecureForTestsOnly(KeyBlockHeader.parse("A0000K0TB00E0000"), key);
        DeliverableKey b = source.keyFor(null)) {
      DeliverableKey a = source.keyFor(null);
      assertThat(a.key().equalsKey(b.key())).isTrue();
      assertThat(a.key()).isNotSameAs(b.key());
      a.close();
      assertThat(b.key().isDestroyed()).isFalse();
      assertThat(source.toString()).contains("TEST ONLY").contains("REDACTED").doesNotContain(TMK);
    }
  }

  @Test
  void keyNotFittingHeader_refused() throws Exception {
    try (SecretKeyMaterial key = SecretKeyMaterial.adopt(new byte[20])) {
      KeyTokenException e =
          catchThrowableOfType(
              KeyTokenException.class,
              () ->
                  FixedKeySource.insecureForTestsOnly(
                      KeyBlockHeader.parse("A0000K0TB00E0000"), key));
      assertThat(e.code()).isEqualTo(ErrorCode.HEADER_MISMATCH);
    }
  }

  // After S4 the host sends working keys as TR-31 blocks under the TMK; the terminal opens them
  // under the key it installed (X9.143; the wiring into the front doors comes later)
  @Test
  void terminal_unwrapsWorkingKeyBlockUnderItsInstalledTmk() throws Exception {
    BcCryptoProvider crypto = new BcCryptoProvider();
    TestPki pki = TestPki.create("Working keys");
    ReceivingTerminal device;
    try (SecretKeyMaterial tmk = SecretKeyMaterial.adopt(HexFormat.of().parseHex(TMK));
        FixedKeySource source =
            FixedKeySource.insecureForTestsOnly(KeyBlockHeader.parse("A0000K0TB00E0000"), tmk)) {
      device =
          Tr34Sessions.run(
              pki, pki.validLeaf(Role.KDH, "WK KDH"), pki.validLeaf(Role.KRD, "WK POS"), source);
    }
    // host side: a PIN key wrapped under the TMK it delivered (version B: TDES key derivation
    // binding)
    String pinBlock;
    try (SecretKeyMaterial tmk = SecretKeyMaterial.adopt(HexFormat.of().parseHex(TMK));
        SecretKeyMaterial pin = SecretKeyMaterial.adopt(new byte[16])) {
      Tr31Header p0 =
          Tr31Header.builder(KeyBlockVersion.B)
              .keyUsage("P0")
              .algorithm('T')
              .modeOfUse('E')
              .build();
      pinBlock = Tr31Codec.create(crypto).wrap(tmk, p0, pin);
    }
    // terminal side, the few lines:
    Tr31Codec tr31 = Tr31Codec.create(crypto);
    try (InstalledKey tmk = device.keyStore().current().orElseThrow();
        UnwrappedKey pin = tr31.unwrap(tmk.key(), pinBlock)) {
      assertThat(pin.header().keyUsage()).isEqualTo("P0");
      assertThat(pin.header().modeOfUse()).isEqualTo('E');
      assertThat(pin.key().length()).isEqualTo(16);
    }
  }
}
