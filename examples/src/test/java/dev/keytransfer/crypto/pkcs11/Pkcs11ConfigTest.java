package dev.keytransfer.crypto.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.crypto.testing.SoftHsm;
import dev.keytransfer.examples.CryptoProviders;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** PKCS#11 settings from system properties / environment, and the factory's pkcs11 path. */
class Pkcs11ConfigTest {
  @Test
  void fromLookup_allSettings_read() {
    Map<String, String> env =
        Map.of("library", "/opt/hsm/lib.so", "slot", "7", "pin", "0000", "oaep", "token");
    Pkcs11Config c = Pkcs11Config.fromLookup(env::get);
    assertThat(c.library()).isEqualTo(Path.of("/opt/hsm/lib.so"));
    assertThat(c.slotId()).isEqualTo(7L);
    assertThat(c.tokenLabel()).isNull();
    assertThat(c.pin()).containsExactly('0', '0', '0', '0');
    assertThat(c.oaepMode()).isEqualTo(Pkcs11Config.OaepMode.TOKEN);
    assertThat(c.toString()).doesNotContain("0000").contains("REDACTED");
  }

  @Test
  void fromLookup_missingOrMalformed_namesTheSetting() {
    Map<String, String> env = new HashMap<>();
    assertThatThrownBy(() -> Pkcs11Config.fromLookup(env::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keytransfer.pkcs11.library")
        .hasMessageContaining("KEYTRANSFER_PKCS11_LIBRARY");
    env.put("library", "/x.so");
    assertThatThrownBy(() -> Pkcs11Config.fromLookup(env::get))
        .hasMessageContaining("keytransfer.pkcs11.token");
    env.put("token", "t");
    assertThatThrownBy(() -> Pkcs11Config.fromLookup(env::get))
        .hasMessageContaining("KEYTRANSFER_PKCS11_PIN");
    env.put("pin", "1");
    env.put("oaep", "sha1");
    assertThatThrownBy(() -> Pkcs11Config.fromLookup(env::get))
        .hasMessageContaining("raw or token");
    env.put("oaep", "raw");
    env.put("slot", "x");
    assertThatThrownBy(() -> Pkcs11Config.fromLookup(env::get)).hasMessageContaining("slot");
  }

  @Test
  void create_pkcs11WithoutSettings_clearError() {
    String before = System.getProperty("keytransfer.pkcs11.library");
    System.setProperty("keytransfer.pkcs11.library", "/nonexistent/libpkcs11.so");
    System.setProperty("keytransfer.pkcs11.token", "t");
    System.setProperty("keytransfer.pkcs11.pin", "1");
    try {
      assertThatThrownBy(() -> CryptoProviders.create("pkcs11"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("/nonexistent/libpkcs11.so");
    } finally {
      clearProperties();
      if (before != null) {
        System.setProperty("keytransfer.pkcs11.library", before);
      }
    }
  }

  @Tag("hsm")
  @Test
  void create_pkcs11FromSystemProperties_opensTheToken() throws KeyTransferException {
    Pkcs11Config token = SoftHsm.token();
    System.setProperty("keytransfer.pkcs11.library", token.library().toString());
    System.setProperty("keytransfer.pkcs11.token", token.tokenLabel());
    System.setProperty("keytransfer.pkcs11.pin", new String(token.pin()));
    try {
      CryptoProvider p = CryptoProviders.create("pkcs11");
      assertThat(p).isInstanceOf(Pkcs11CryptoProvider.class);
      assertThat(p.sha256(new byte[0])).hasSize(32);
      ((Pkcs11CryptoProvider) p).close();
    } finally {
      clearProperties();
    }
  }

  private static void clearProperties() {
    for (String k : new String[] {"library", "token", "slot", "pin", "oaep"}) {
      System.clearProperty(Pkcs11Config.PROPERTY_PREFIX + k);
    }
  }
}
