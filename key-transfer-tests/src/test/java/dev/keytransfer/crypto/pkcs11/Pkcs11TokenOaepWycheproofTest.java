package dev.keytransfer.crypto.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.crypto.testing.SoftHsm;
import dev.keytransfer.crypto.testing.Wycheproof;
import dev.keytransfer.crypto.testing.Wycheproof.Outcome;
import dev.keytransfer.crypto.testing.Wycheproof.Report;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The three OAEP files through the token's own OAEP ({@link Pkcs11Config.OaepMode#TOKEN}: {@code
 * CKM_RSA_PKCS_OAEP} with {@code CK_RSA_PKCS_OAEP_PARAMS}), to show what SoftHSM 2.6.1 does with
 * parameters: with SHA-1/MGF1-SHA-1 it decides every case right except the 7 valid ones that carry
 * a label (tc 8-10, 33-36), which it refuses (TR-34 uses an empty label); with SHA-256 (either
 * MGF1) it answers CKR_ARGUMENTS_BAD for every input, so every valid case is refused (and every
 * invalid one, for the wrong reason). That is why the provider's default is {@link
 * Pkcs11Config.OaepMode#RAW}. The expected counts are asserted, so an upgraded SoftHSM (upstream
 * fixed it) shows up here.
 */
@Tag("hsm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Pkcs11TokenOaepWycheproofTest {
  private Pkcs11WycheproofEngine engine;

  @BeforeAll
  void open() throws Exception {
    engine =
        new Pkcs11WycheproofEngine(
            Pkcs11CryptoProvider.open(SoftHsm.token()), Pkcs11Config.OaepMode.TOKEN);
  }

  @AfterAll
  void close() throws Exception {
    if (engine != null) { // null where SoftHSM2 is absent and the suite skipped
      engine.close();
    }
  }

  @ParameterizedTest
  @CsvSource({
    "rsa_oaep_2048_sha1_mgf1sha1_test.json, 29, 7",
    "rsa_oaep_2048_sha256_mgf1sha1_test.json, 18, 13",
    "rsa_oaep_2048_sha256_mgf1sha256_test.json, 19, 18"
  })
  void tokenOaep_softHsm261_sha1Only(String file, int passed, int validRefused) {
    Report r =
        Wycheproof.run(
            "oaep-token",
            "RSA-OAEP (token) " + file.replace("rsa_oaep_2048_", "").replace("_test.json", ""),
            engine.routes().get("oaep"),
            file,
            "msg",
            Wycheproof::all,
            (g, t) -> {
              RSAPrivateCrtKey k =
                  (RSAPrivateCrtKey)
                      KeyFactory.getInstance("RSA")
                          .generatePrivate(
                              new PKCS8EncodedKeySpec(Wycheproof.hex(g, "privateKeyPkcs8")));
              byte[] m =
                  engine.oaepDecrypt(
                      k,
                      g.get("sha").asText(),
                      g.get("mgfSha").asText(),
                      Wycheproof.hex(t, "label"),
                      Wycheproof.hex(t, "ct"));
              return m == null ? Outcome.refused("null") : Outcome.accepted(m);
            });
    r.disagreements().forEach((k, v) -> System.out.println("    " + k + ": " + v));
    System.out.println(
        "[pkcs11] "
            + r.line()
            + (file.contains("sha256")
                ? "  -- SoftHSM 2.6.1: SHA-256 OAEP is CKR_ARGUMENTS_BAD"
                : "  -- SoftHSM 2.6.1: OAEP refuses every non-empty label"));
    assertThat(r.passed()).isEqualTo(passed);
    assertThat(r.disagreements().values())
        .hasSize(validRefused)
        .allMatch(v -> v.startsWith("valid case refused"));
    if (!file.contains("sha256")) {
      assertThat(r.disagreements().values()).allMatch(v -> v.contains("EncryptionWithLabel"));
    }
  }
}
