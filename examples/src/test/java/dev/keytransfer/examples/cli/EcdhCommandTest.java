package dev.keytransfer.examples.cli;

import static dev.keytransfer.examples.cli.KeyMaterialCommandsTest.assertOneLineError;
import static dev.keytransfer.examples.cli.KeyMaterialCommandsTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.accp.AccpCryptoProvider;
import dev.keytransfer.crypto.ecdh.KeyDerivation;
import dev.keytransfer.examples.cli.KeyMaterialCommandsTest.Run;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.KeyAgreement;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keytransfer ecdh derive} in-process: EC keys and self-signed certificates made here, the
 * derived key checked against a direct JDK ECDH and {@link KeyDerivation}, and the one-line errors
 * of bad input.
 */
class EcdhCommandTest {
  private static final String INFO = "4b44482d6e6f6e63652d3030314b52442d6e6f6e63652d303032";

  @TempDir Path dir;

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  private static X509Certificate selfSigned(KeyPair kp, String cn) throws Exception {
    X500Principal name = new X500Principal("CN=" + cn);
    Instant now = Instant.now();
    String alg = kp.getPublic().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter()
        .getCertificate(
            new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.ONE,
                    Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(1, ChronoUnit.DAYS)),
                    name,
                    kp.getPublic())
                .build(new JcaContentSignerBuilder(alg).build(kp.getPrivate())));
  }

  private Path write(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content, StandardCharsets.US_ASCII);
    return f;
  }

  /**
   * SEC 1 "EC PRIVATE KEY" with the curve's OID and the public point {@code pub}, as openssl writes
   * it.
   */
  private static String sec1(KeyPair kp, String oid, java.security.PublicKey pub) {
    java.security.interfaces.ECPrivateKey priv =
        (java.security.interfaces.ECPrivateKey) kp.getPrivate();
    java.security.spec.ECPoint w = ((java.security.interfaces.ECPublicKey) pub).getW();
    int n = (priv.getParams().getCurve().getField().getFieldSize() + 7) / 8;
    byte[] point = new byte[1 + 2 * n];
    point[0] = 4;
    copyUnsigned(w.getAffineX(), point, 1, n);
    copyUnsigned(w.getAffineY(), point, 1 + n, n);
    org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
            priv.getParams().getOrder().bitLength(),
            priv.getS(),
            new org.bouncycastle.asn1.DERBitString(point),
            new org.bouncycastle.asn1.ASN1ObjectIdentifier(oid));
    try {
      return Pem.encode("EC PRIVATE KEY", sec1.getEncoded());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void copyUnsigned(BigInteger v, byte[] out, int offset, int length) {
    byte[] b = v.toByteArray();
    int skip = b.length > length ? b.length - length : 0;
    System.arraycopy(b, skip, out, offset + length - (b.length - skip), b.length - skip);
  }

  private static String expected(
      KeyPair mine, KeyPair peer, Algorithms.Kdf kdf, Algorithms.Hash hash, String info, int n)
      throws Exception {
    KeyAgreement ka = KeyAgreement.getInstance("ECDH", "SunEC");
    ka.init(mine.getPrivate());
    ka.doPhase(peer.getPublic(), true);
    try (SecretKeyMaterial z = SecretKeyMaterial.adopt(ka.generateSecret());
        SecretKeyMaterial k =
            KeyDerivation.derive(kdf, hash, z, HexFormat.of().parseHex(info), n)) {
      return HexFormat.of().withUpperCase().formatHex(k.copyBytes());
    }
  }

  @Test
  void derive_p256_sp800_matchesJdkEcdhAndKeyDerivation_keyOnlyWithRevealKey() throws Exception {
    KeyPair kdh = ec("secp256r1");
    KeyPair krd = ec("secp256r1");
    Path key = write("kdh.pem", Pem.encode(kdh.getPrivate())); // JDK PKCS#8, no public key inside
    Path cert = write("krd.pem", Pem.encode(selfSigned(krd, "KRD 1")));
    String want = expected(kdh, krd, Algorithms.Kdf.NIST_SP800, Algorithms.Hash.SHA256, INFO, 32);
    List<String> providers = new ArrayList<>(List.of("bc", "jca"));
    if (AccpCryptoProvider.unavailableReason().isEmpty()) {
      providers.add("accp");
    }
    for (String provider : providers) {
      Run r =
          cli(
              "ecdh",
              "derive",
              "--private-key",
              key.toString(),
              "--peer-cert",
              cert.toString(),
              "--kdf",
              "sp800-56c",
              "--hash",
              "sha256",
              "--shared-info",
              INFO,
              "--length",
              "32",
              "--provider",
              provider,
              "--reveal-key");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out())
          .contains("ecdh=P256  kdf=sp800-56c  hash=sha256  shared-info=26 bytes  peer=CN=KRD 1")
          .contains("derived-key: AES-256, 32 bytes, kcv=")
          .contains(", key=" + want);
      assertThat(r.err()).contains(RevealKeyOption.WARNING);
    }
    Run quiet =
        cli(
            "ecdh",
            "derive",
            "--private-key",
            key.toString(),
            "--peer-cert",
            cert.toString(),
            "--kdf",
            "sp800-56c",
            "--shared-info",
            INFO,
            "--length",
            "32");
    assertThat(quiet.exit()).as(quiet.err()).isZero();
    assertThat(quiet.out())
        .contains("hash=sha256", "kcv=")
        .doesNotContain(want)
        .doesNotContain("key=");
    assertThat(quiet.err()).isEmpty();
  }

  @Test
  void derive_otherSide_sec1AndEncryptedKeys_p384_x963_sameKeyBothWays() throws Exception {
    KeyPair kdh = ec("secp384r1");
    KeyPair krd = ec("secp384r1");
    Path kdhKey = write("kdh.pem", sec1(kdh, "1.3.132.0.34", kdh.getPublic()));
    Path kdhCert = write("kdh-cert.pem", Pem.encode(selfSigned(kdh, "KDH")));
    char[] pass = "correct horse".toCharArray();
    Path krdKey =
        write("krd.pem", Pem.encodeEncrypted(krd.getPrivate(), pass, 1000, new SecureRandom()));
    Path passFile = write("pass.txt", "correct horse\n");
    Path krdCert = write("krd-cert.pem", Pem.encode(selfSigned(krd, "KRD")));
    // 20 bytes: no AES length, so no KCV; empty shared information
    String want = expected(kdh, krd, Algorithms.Kdf.ANSI_X963, Algorithms.Hash.SHA512, "", 20);
    Run host =
        cli(
            "ecdh",
            "derive",
            "--private-key",
            kdhKey.toString(),
            "--peer-cert",
            krdCert.toString(),
            "--kdf",
            "x963",
            "--hash",
            "sha512",
            "--shared-info",
            "",
            "--length",
            "20",
            "--reveal-key");
    Run terminal =
        cli(
            "ecdh",
            "derive",
            "--private-key",
            krdKey.toString(),
            "--peer-cert",
            kdhCert.toString(),
            "--kdf",
            "x963",
            "--hash",
            "sha512",
            "--shared-info",
            "",
            "--length",
            "20",
            "--reveal-key",
            "--passphrase-file",
            passFile.toString());
    assertThat(host.exit()).as(host.err()).isZero();
    assertThat(terminal.exit()).as(terminal.err()).isZero();
    assertThat(host.out()).contains("ecdh=P384", "derived-key: 20 bytes, kcv=n/a, key=" + want);
    assertThat(terminal.out()).contains("derived-key: 20 bytes, kcv=n/a, key=" + want);
  }

  @Test
  void badInput_oneLineErrors_withTheStableCode() throws Exception {
    KeyPair p256 = ec("secp256r1");
    KeyPair p384 = ec("secp384r1");
    KeyPair rsa = rsa();
    Path key = write("k.pem", Pem.encode(p256.getPrivate()));
    Path rsaKey = write("rsa.pem", Pem.encode(rsa.getPrivate()));
    Path p384Cert = write("p384.pem", Pem.encode(selfSigned(p384, "P384")));
    Path rsaCert = write("rsa-cert.pem", Pem.encode(selfSigned(rsa, "RSA")));
    Path p256Cert = write("p256.pem", Pem.encode(selfSigned(ec("secp256r1"), "P256")));
    Path mismatched =
        write("mismatched.pem", sec1(p256, "1.2.840.10045.3.1.7", ec("secp256r1").getPublic()));
    Path garbage =
        write("garbage.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

    assertOneLineError(derive(key, p384Cert, INFO, "32"), 1, "error: ECDH_CURVE_MISMATCH: ");
    assertOneLineError(derive(key, rsaCert, INFO, "32"), 1, "error: ECDH_CURVE_MISMATCH: ");
    assertOneLineError(derive(key, p256Cert, "zz", "32"), 1, "--shared-info must be hex");
    assertOneLineError(derive(key, p256Cert, "abc", "32"), 1, "--shared-info must be hex");
    assertOneLineError(derive(key, p256Cert, INFO, "0"), 1, "--length must be at least 1");
    assertOneLineError(derive(key, p256Cert, INFO, "-5"), 1, "--length must be at least 1");
    assertOneLineError(derive(key, p256Cert, INFO, "8161"), 1, "--length must be at most 8160");
    assertOneLineError(derive(key, p256Cert, INFO, "ten"), 2, "--length");
    assertOneLineError(derive(rsaKey, p256Cert, INFO, "32"), 1, "is not an EC private key");
    assertOneLineError(derive(garbage, p256Cert, INFO, "32"), 1, "not a readable EC private key");
    assertOneLineError(
        derive(mismatched, p256Cert, INFO, "32"),
        1,
        "its public key does not match its private key");
    assertOneLineError(derive(dir.resolve("missing.pem"), p256Cert, INFO, "32"), 1, "no such file");
    assertOneLineError(
        cli(
            "ecdh",
            "derive",
            "--private-key",
            key.toString(),
            "--peer-cert",
            p256Cert.toString(),
            "--kdf",
            "hkdf",
            "--shared-info",
            INFO,
            "--length",
            "32"),
        2,
        "expected sp800-56c or x963");
    assertOneLineError(
        cli(
            "ecdh",
            "derive",
            "--private-key",
            key.toString(),
            "--peer-cert",
            p256Cert.toString(),
            "--kdf",
            "x963",
            "--shared-info",
            INFO,
            "--length",
            "32",
            "--provider",
            "pkcs11"),
        1,
        "--provider pkcs11: the private key comes from a file");
    assertOneLineError(cli("ecdh"), 2, "a subcommand is required: derive");
  }

  private static Run derive(Path key, Path cert, String info, String length) {
    return cli(
        "ecdh",
        "derive",
        "--private-key",
        key.toString(),
        "--peer-cert",
        cert.toString(),
        "--kdf",
        "sp800-56c",
        "--shared-info",
        info,
        "--length",
        length);
  }
}
