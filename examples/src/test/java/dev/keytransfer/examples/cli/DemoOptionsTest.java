package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.crypto.accp.AccpCryptoProvider;
import dev.keytransfer.crypto.pkcs11.Pkcs11Config;
import dev.keytransfer.crypto.pkcs11.Pkcs11CryptoProvider;
import dev.keytransfer.crypto.testing.SoftHsm;
import dev.keytransfer.examples.cli.KeyMaterialCommandsTest.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** demo --dukpt and --provider, bench --provider: the whole method run in-process. */
class DemoOptionsTest {
  private static final List<String> PKCS11_PROPERTIES =
      List.of("library", "token", "slot", "pin", "oaep");

  private static Run cli(String... args) {
    return KeyMaterialCommandsTest.cli(args);
  }

  @Test
  void demoDukpt_tdes_eachTerminalItsOwnIpekWithKs() {
    Run r = cli("demo", "--dukpt", "--terminals", "3", "--transport", "memory");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains(
            "TDES DUKPT initial keys from a BDK generated for this demo",
            "DUKPT: 3/3 installed initial keys equal the BDK derivation for their KS block, 3"
                + " distinct keys")
        .endsWith("3/3 terminals received their key\n");
    Matcher m =
        Pattern.compile(
                "POS 000\\d  header=(A0000B1TX00N0100KS18([0-9A-F]{20}))  kcv=([0-9A-F]{6})\n")
            .matcher(r.out());
    Set<String> ksns = new HashSet<>();
    Set<String> kcvs = new HashSet<>();
    while (m.find()) {
      ksns.add(m.group(2));
      kcvs.add(m.group(3));
    }
    assertThat(ksns)
        .hasSize(3)
        .allSatisfy(k -> assertThat(k).startsWith("FFFF98765432").endsWith("00000"));
    assertThat(kcvs).hasSize(3);
  }

  @Test
  void demoDukpt_aes_rsa3072Terminals_ikBlock() {
    Run r = cli("demo", "--dukpt=aes", "--terminals", "2", "--transport", "memory");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("(RSA-3072)", "AES-128 DUKPT initial keys")
        .containsPattern(
            "POS 0002  header=D0000B1AX00N0200IK1412345678000000\\d\\dPB0C[0-9A-Za-z]{8} "
                + " kcv=[0-9A-F]{10}\n")
        .contains(
            "DUKPT: 2/2 installed initial keys equal the BDK derivation for their IK block, 2"
                + " distinct keys")
        .endsWith("2/2 terminals received their key\n");
  }

  @Test
  void demoModeEcdh_p256HostAndTerminals_tr31VersionDBlocks_everyKeyConfirmed() {
    Run r = cli("demo", "--mode", "ecdh", "--terminals", "3");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("mode: ECDH", "(EC P-256), listening on 127.0.0.1:", "3/3 (EC P-256)")
        .containsPattern("POS 0003  header=D0000K0TB00E0000  kcv=[0-9A-F]{6}\n")
        .contains("ledger: 3 deliveries confirmed by KCV, 3 distinct KCVs")
        .endsWith("3/3 terminals received their key\n");
    Run rsa = cli("demo", "--mode", "rsa", "--terminals", "1", "--transport", "memory");
    assertThat(rsa.exit()).isZero();
    assertThat(rsa.out()).doesNotContain("ECDH").contains("(RSA-2048)");
    Run bad = cli("demo", "--mode", "dh");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--mode");
  }

  @Test
  void demoProviderJca() {
    Run r = cli("demo", "--provider", "jca", "--terminals", "2");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("crypto provider: jca\n")
        .endsWith("2/2 terminals received their key\n");
  }

  @Test
  void demoProviderAccp() {
    assumeTrue(
        AccpCryptoProvider.unavailableReason().isEmpty(),
        () -> "ACCP cannot run here: " + AccpCryptoProvider.unavailableReason().orElse(""));
    Run r = cli("demo", "--provider", "accp", "--terminals", "2");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("crypto provider: accp\n")
        .endsWith("2/2 terminals received their key\n");
  }

  /**
   * Where ACCP's native library cannot load (here: a JVM of its own told to skip the bundled
   * library, as on a platform ACCP has none for), {@code --provider accp} is a one-line error.
   */
  @Test
  void demoProviderAccp_nativeLibraryMissing_oneLineError() throws Exception {
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dcom.amazon.corretto.crypto.provider.useExternalLib=true",
                    "-cp",
                    System.getProperty("java.class.path"),
                    KeyTransferCli.class.getName(),
                    "demo",
                    "--provider",
                    "accp",
                    "--terminals",
                    "1"))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    KeyMaterialCommandsTest.assertOneLineError(
        new Run(p.exitValue(), "", err),
        1,
        "--provider accp: the Amazon Corretto Crypto Provider cannot run in this JVM (");
    assertThat(err).contains("use --provider bc or jca on this platform");
  }

  @Test
  void benchProviderJca() {
    Run r =
        cli(
            "bench",
            "--provider",
            "jca",
            "--terminals",
            "2",
            "--rounds",
            "1",
            "--transport",
            "memory");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("provider=jca transport=memory").containsPattern("\n {8}2 +\\d");
  }

  @Tag("hsm")
  @Test
  void demoProviderPkcs11_freshSoftHsmToken_keysGeneratedThereAndRemovedAfter() throws Exception {
    Pkcs11Config token = SoftHsm.token(); // skips without SoftHSM unless CI=true
    System.setProperty(Pkcs11Config.PROPERTY_PREFIX + "library", token.library().toString());
    System.setProperty(Pkcs11Config.PROPERTY_PREFIX + "token", token.tokenLabel());
    System.setProperty(Pkcs11Config.PROPERTY_PREFIX + "pin", new String(token.pin()));
    try {
      Run r = cli("demo", "--provider", "pkcs11", "--terminals", "2", "--dukpt");
      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      assertThat(r.out())
          .contains(
              "crypto provider: pkcs11 (host and terminal RSA keys generated in the token)",
              "DUKPT: 2/2 installed initial keys equal the BDK derivation for their KS block")
          .endsWith("2/2 terminals received their key\n");
      // the demo destroys the keys it generated: a second run in the same token starts clean
      try (Pkcs11CryptoProvider crypto = Pkcs11CryptoProvider.open(token)) {
        for (String label : new String[] {"Demo Key Host", "POS 0001", "POS 0002"}) {
          Throwable gone = catchThrowable(() -> crypto.keyHandle(label));
          assertThat(gone).as(label).hasMessageContaining("private key labelled");
        }
      }
      Run ecdh =
          cli("demo", "--provider", "pkcs11", "--terminals", "2", "--mode", "ecdh", "--dukpt");
      assertThat(ecdh.exit()).as(ecdh.out() + ecdh.err()).isZero();
      assertThat(ecdh.out())
          .contains("crypto provider: pkcs11 (host and terminal EC keys generated in the token)")
          .endsWith("2/2 terminals received their key\n");
      try (Pkcs11CryptoProvider crypto = Pkcs11CryptoProvider.open(token)) {
        for (String label : new String[] {"Demo Key Host", "POS 0001", "POS 0002"}) {
          assertThat(catchThrowable(() -> crypto.keyHandle(label)))
              .as(label)
              .hasMessageContaining("private key labelled");
        }
      }
      Run bench = cli("bench", "--provider", "pkcs11", "--terminals", "2", "--rounds", "1");
      assertThat(bench.exit()).as(bench.out() + bench.err()).isZero();
      assertThat(bench.out()).contains("provider=pkcs11");
    } finally {
      PKCS11_PROPERTIES.forEach(p -> System.clearProperty(Pkcs11Config.PROPERTY_PREFIX + p));
    }
  }

  @Test
  void providerErrors_oneLine() {
    assumeTrue(
        System.getenv(Pkcs11Config.ENV_PREFIX + "LIBRARY") == null,
        "KEYTRANSFER_PKCS11_LIBRARY is set in this environment: skipping the not-configured case");
    Run r = cli("demo", "--provider", "pkcs11", "--terminals", "1");
    KeyMaterialCommandsTest.assertOneLineError(r, 1, "--provider pkcs11: PKCS#11 is not set up");
    assertThat(r.err())
        .contains(
            "KEYTRANSFER_PKCS11_LIBRARY",
            "KEYTRANSFER_PKCS11_TOKEN",
            "KEYTRANSFER_PKCS11_PIN",
            "keytransfer.pkcs11.library");
    KeyMaterialCommandsTest.assertOneLineError(
        cli("bench", "--provider", "pkcs11", "--terminals", "1"), 1, "PKCS#11 is not set up");
    KeyMaterialCommandsTest.assertOneLineError(
        cli("demo", "--provider", "foo"), 2, "--provider must be one of bc, jca, pkcs11, accp");
    KeyMaterialCommandsTest.assertOneLineError(cli("demo", "--dukpt=des"), 2, "--dukpt");
    assertThat(cli("demo", "--help").out()).contains("--dukpt", "--provider");
    assertThat(cli("bench", "--help").out()).contains("--provider");
  }
}
