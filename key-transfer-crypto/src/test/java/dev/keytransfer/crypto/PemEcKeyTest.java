package dev.keytransfer.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.MalformedTokenException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EC private keys of the ECDH mode (docs/ECDH.md) read from PEM: PKCS#8 plain and encrypted, SEC 1,
 * the public half computed from the private key.
 */
class PemEcKeyTest {
  private static final char[] PASSPHRASE = "ec pass".toCharArray();

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve), new SecureRandom());
    return g.generateKeyPair();
  }

  @Test
  void keyPair_eachCurve_plainAndEncrypted_givesThePublicKeyBack() throws Exception {
    for (String curve : List.of("secp256r1", "secp384r1", "secp521r1")) {
      for (int i = 0; i < 4; i++) { // both y parities come up
        KeyPair k = ec(curve);
        byte[] plain = Pem.encode(k.getPrivate()).getBytes(StandardCharsets.US_ASCII);
        assertThat(Pem.keyPair(plain).getPublic()).as(curve).isEqualTo(k.getPublic());
        byte[] enc =
            Pem.encodeEncrypted(k.getPrivate(), PASSPHRASE, 1_000, new SecureRandom())
                .getBytes(StandardCharsets.US_ASCII);
        KeyPair back = Pem.keyPair(enc, PASSPHRASE);
        assertThat(back.getPublic()).isEqualTo(k.getPublic());
        assertThat(back.getPrivate()).isEqualTo(k.getPrivate());
      }
    }
  }

  @Test
  void keyPair_rsaStillRead_andRsaKeyPairStillRefusesEc() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair rsa = g.generateKeyPair();
    assertThat(Pem.keyPair(Pem.encode(rsa.getPrivate()).getBytes()).getPublic())
        .isEqualTo(rsa.getPublic());
    byte[] ecPem = Pem.encode(ec("secp256r1").getPrivate()).getBytes();
    assertThatThrownBy(() -> Pem.rsaKeyPair(ecPem))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("not a readable RSA private key");
  }

  @Test
  void keyPair_otherCurve_refused() throws Exception {
    KeyPairGenerator g =
        KeyPairGenerator.getInstance(
            "EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
    g.initialize(new ECGenParameterSpec("secp256k1"), new SecureRandom());
    byte[] pem = Pem.encode(g.generateKeyPair().getPrivate()).getBytes();
    assertThatThrownBy(() -> Pem.keyPair(pem)).isInstanceOf(MalformedTokenException.class);
  }

  @Test
  void keyPair_openSslKeys_sec1AndPkcs8(@TempDir Path dir) throws Exception {
    assumeTrue(openssl("version").exit() == 0, "openssl not found on the PATH; skipping");
    for (String curve : List.of("prime256v1", "secp384r1", "secp521r1")) {
      Path sec1 = dir.resolve(curve + ".sec1.pem");
      Run made = openssl("ecparam", "-name", curve, "-genkey", "-noout", "-out", sec1.toString());
      assertThat(made.exit()).as(made.out()).isZero();
      assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
      KeyPair k = Pem.keyPair(Files.readAllBytes(sec1));
      Run pub = openssl("pkey", "-in", sec1.toString(), "-pubout");
      assertThat(pub.out()).isEqualTo(Pem.encode(k.getPublic()));

      Path pkcs8 = dir.resolve(curve + ".p8.pem");
      made =
          openssl(
              "genpkey",
              "-algorithm",
              "EC",
              "-pkeyopt",
              "ec_paramgen_curve:" + curve,
              "-aes-256-cbc",
              "-pass",
              "pass:ec pass",
              "-out",
              pkcs8.toString());
      assertThat(made.exit()).as(made.out()).isZero();
      k = Pem.keyPair(Files.readAllBytes(pkcs8), PASSPHRASE);
      pub = openssl("pkey", "-in", pkcs8.toString(), "-passin", "pass:ec pass", "-pubout");
      assertThat(pub.out()).isEqualTo(Pem.encode(k.getPublic()));
    }
  }

  private record Run(int exit, String out) {}

  private static Run openssl(String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Run(p.waitFor(), out);
    } catch (IOException e) {
      return new Run(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Run(-1, "interrupted");
    }
  }
}
