package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.pki.PkiFiles;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keytransfer ca init|issue --key}: RSA and EC keys (docs/ECDH.md S1), their key usages by
 * role (docs/SECURITY.md C6) as openssl shows them, and the issued files read back and validated.
 */
class CaKeyTypesCliTest {
  private static final String PASSPHRASE = "passphrase of the EC test CA directories";
  private static final Function<String, String> ENVIRONMENT = PassphraseOption.environment;
  private static final PassphraseOption.Prompt CONSOLE = PassphraseOption.console;

  private record Run(int exit, String out, String err) {}

  @BeforeEach
  void passphraseInTheEnvironment() {
    PassphraseOption.environment = n -> n.equals("KEYTRANSFER_PASSPHRASE") ? PASSPHRASE : null;
    PassphraseOption.console = prompt -> null;
  }

  @AfterEach
  void realEnvironment() {
    PassphraseOption.environment = ENVIRONMENT;
    PassphraseOption.console = CONSOLE;
  }

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KeyTransferCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private static void assertOneLineError(Run r, int exit, String contains) {
    assertThat(r.exit()).isEqualTo(exit);
    assertThat(r.err().strip())
        .contains(contains)
        .doesNotContain("\n")
        .doesNotContain("\tat ")
        .startsWith("error: ");
  }

  @Test
  void issue_eachKeyType_forBothRoles_keyUsageByRoleAndKeyType(@TempDir Path tmp) throws Exception {
    String pki = tmp.resolve("pki").toString();
    Run init = cli("ca", "init", "--dir", pki);
    assertThat(init.exit()).as(init.err()).isZero();
    PkiFiles files = PkiFiles.in(Path.of(pki));
    PkixCertificateValidator validator =
        new PkixCertificateValidator(files.validationPolicy().build());
    for (String key : List.of("rsa-2048", "rsa-3072", "ec-p256", "ec-p384", "ec-p521")) {
      for (Role role : Role.values()) {
        String name = role.name().toLowerCase() + "-" + key;
        Run r =
            cli(
                "ca",
                "issue",
                "--dir",
                pki,
                "--role",
                role.name().toLowerCase(),
                "--name",
                name,
                "--key",
                key);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("private key " + key + " -> ");
        X509Certificate cert = Pem.certificate(Files.readAllBytes(Path.of(pki, name + ".crt.pem")));
        boolean[] ku = java.util.Arrays.copyOf(cert.getKeyUsage(), 9);
        if (key.startsWith("ec-")) {
          Algorithms.Curve curve = Algorithms.Curve.of(cert.getPublicKey());
          assertThat(curve.name().toLowerCase()).isEqualTo(key.substring(3));
          assertThat(ku)
              .containsExactly(
                  role == Role.KDH, false, false, false, true, false, false, false, false);
        } else {
          assertThat(((RSAPublicKey) cert.getPublicKey()).getModulus().bitLength())
              .isEqualTo(Integer.parseInt(key.substring(4)));
          assertThat(ku)
              .containsExactly(
                  role == Role.KDH,
                  false,
                  role == Role.KRD,
                  false,
                  false,
                  false,
                  false,
                  false,
                  false);
        }
        // the key file reads back as the rest of the CLI reads it, and belongs to the certificate
        assertThat(files.privateKey(name, PASSPHRASE.toCharArray()).publicKey())
            .isEqualTo(cert.getPublicKey());
        // validated for its role, refused for the other
        assertThat(validator.validate(files.chain(name, role), role, List.of()).leaf())
            .isEqualTo(cert);
        Role other = role == Role.KDH ? Role.KRD : Role.KDH;
        assertThatThrownBy(
                () ->
                    new PkixCertificateValidator(
                            files.validationPolicy().withoutRolePinning().build())
                        .validate(files.chain(name, role), other, List.of()))
            .extracting(e -> ((KeyTransferException) e).code())
            .isEqualTo(ErrorCode.CERTIFICATE_WRONG_ROLE);
        // what openssl reads in it
        Run text = openssl("x509", "-noout", "-text", "-in", pki + "/" + name + ".crt.pem");
        if (text.exit() == -1) {
          continue; // no openssl on the PATH
        }
        assertThat(text.exit()).as(text.out()).isZero();
        String usage = keyUsageLine(text.out());
        if (key.startsWith("ec-")) {
          String nist = "P-" + key.substring(4);
          assertThat(text.out()).contains("id-ecPublicKey", "NIST CURVE: " + nist);
          assertThat(usage)
              .isEqualTo(role == Role.KDH ? "Digital Signature, Key Agreement" : "Key Agreement");
        } else {
          assertThat(text.out()).contains("rsaEncryption", "(" + key.substring(4) + " bit)");
          assertThat(usage).isEqualTo(role == Role.KDH ? "Digital Signature" : "Key Encipherment");
        }
        assertThat(text.out()).contains("Signature Algorithm: sha256WithRSAEncryption");
      }
    }
  }

  @Test
  void init_ecCa_signsWithTheHashOfItsCurve(@TempDir Path tmp) throws Exception {
    String pki = tmp.resolve("pki").toString();
    Run init = cli("ca", "init", "--dir", pki, "--key", "ec-p384");
    assertThat(init.exit()).as(init.err()).isZero();
    Run r = cli("ca", "issue", "--dir", pki, "--role", "krd", "--name", "pos1", "--key", "ec-p256");
    assertThat(r.exit()).as(r.err()).isZero();
    X509Certificate cert = Pem.certificate(Files.readAllBytes(Path.of(pki, "pos1.crt.pem")));
    assertThat(cert.getSigAlgName()).isEqualTo("SHA384withECDSA");
    assertThat(Algorithms.Curve.of(cert.getPublicKey())).isEqualTo(Algorithms.Curve.P256);
    Run rsa = cli("ca", "issue", "--dir", pki, "--role", "kdh", "--name", "host1");
    assertThat(rsa.exit()).as(rsa.err()).isZero();
    Run revoke = cli("ca", "revoke", "--dir", pki, "--cert", pki + "/host1.crt.pem");
    assertThat(revoke.exit()).as(revoke.err()).isZero();
    PkiFiles files = PkiFiles.in(Path.of(pki));
    assertThat(Pem.crl(Files.readAllBytes(Path.of(pki, "kdh-ca.crl.pem"))).getSigAlgName())
        .isEqualTo("SHA384withECDSA");
    PkixCertificateValidator v = new PkixCertificateValidator(files.validationPolicy().build());
    assertThat(v.validate(files.chain("pos1", Role.KRD), Role.KRD, List.of()).leaf())
        .isEqualTo(cert);
    assertThatThrownBy(() -> v.validate(files.chain("host1", Role.KDH), Role.KDH, List.of()))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.CERTIFICATE_REVOKED);
    Run text = openssl("x509", "-noout", "-text", "-in", pki + "/pos1.crt.pem");
    if (text.exit() != -1) {
      assertThat(text.out())
          .contains("Signature Algorithm: ecdsa-with-SHA384", "NIST CURVE: P-256");
    }
  }

  @Test
  void badKeyOption_oneLineUsageError(@TempDir Path tmp) throws Exception {
    String pki = tmp.resolve("pki").toString();
    assertOneLineError(
        cli("ca", "issue", "--dir", pki, "--role", "krd", "--name", "p", "--key", "ec-p224"),
        2,
        "--key");
    assertOneLineError(cli("ca", "init", "--dir", pki, "--key", "dsa"), 2, "rsa-2048, rsa-3072");
    assertThat(cli("ca", "init", "--dir", pki).exit()).isZero();
    Path csr = tmp.resolve("x.csr");
    Files.write(csr, new byte[] {0x30, 0x00});
    assertOneLineError(
        cli(
            "ca",
            "issue",
            "--dir",
            pki,
            "--role",
            "krd",
            "--name",
            "p",
            "--csr",
            csr.toString(),
            "--key",
            "ec-p256"),
        2,
        "not with --csr");
    assertThat(cli("ca", "issue", "--help").out()).contains("--key", "ec-p521");
  }

  private static String keyUsageLine(String text) {
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length - 1; i++) {
      if (lines[i].contains("X509v3 Key Usage")) {
        return lines[i + 1].strip();
      }
    }
    return "";
  }

  private static Run openssl(String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Run(p.waitFor(), out, "");
    } catch (IOException e) {
      return new Run(-1, e.getMessage(), "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Run(-1, "interrupted", "");
    }
  }
}
