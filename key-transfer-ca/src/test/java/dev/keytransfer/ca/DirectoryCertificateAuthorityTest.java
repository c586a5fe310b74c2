package dev.keytransfer.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.Role;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.pki.CertificationRequests;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA kept in a directory: files, modes, serials, encryption and what other tools read. */
class DirectoryCertificateAuthorityTest {
  private static final String PASSPHRASE = "correct horse battery staple";

  private static char[] passphrase() {
    return PASSPHRASE.toCharArray();
  }

  /** A CA whose keys are encrypted with the test-only PBKDF2 count, so the suite stays fast. */
  private static DirectoryCertificateAuthority create(Path dir) throws IOException {
    return DirectoryCertificateAuthority.at(dir).weakKeyEncryptionForTests().create(passphrase());
  }

  private static DirectoryCertificateAuthority open(Path dir) throws Exception {
    return DirectoryCertificateAuthority.at(dir).weakKeyEncryptionForTests().open(passphrase());
  }

  @Test
  void createThenOpen_roundTrip(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("pki");
    X509Certificate root;
    CertificateChain host;
    CertificateChain pos;
    try (DirectoryCertificateAuthority ca = create(dir)) {
      root = ca.rootCertificate();
      host = ca.issue("host1", Role.KDH, false);
      pos = ca.issue("pos1", Role.KRD, false);
    }
    for (String f :
        List.of(
            "root.crt.pem",
            "kdh-ca.crt.pem",
            "krd-ca.crt.pem",
            "root.key.pem",
            "kdh-ca.key.pem",
            "krd-ca.key.pem",
            "root.crl.pem",
            "kdh-ca.crl.pem",
            "krd-ca.crl.pem",
            "serial",
            "host1.crt.pem",
            "host1.key.pem",
            "pos1.crt.pem",
            "pos1.key.pem")) {
      assertThat(dir.resolve(f)).as(f).isRegularFile();
    }
    assertThat(DirectoryCertificateAuthority.exists(dir)).isTrue();
    assertThat(DirectoryCertificateAuthority.exists(tmp)).isFalse();

    try (DirectoryCertificateAuthority ca = open(dir)) {
      assertThat(ca.rootCertificate()).isEqualTo(root);
      assertThat(ca.certificate("pos1")).isEqualTo(pos.leaf());
      assertThat(ca.chain("pos1").certificates())
          .containsExactly(pos.leaf(), ca.issuingCertificate(Role.KRD));
      assertThat(ca.chain("host1").certificates())
          .containsExactly(host.leaf(), ca.issuingCertificate(Role.KDH));
      assertThat(host.leaf().getSubjectX500Principal().getName())
          .isEqualTo("CN=host1,OU=KDH,O=key-transfer");
      assertThat(host.leaf().getKeyUsage()[0]).as("digitalSignature").isTrue();
      assertThat(pos.leaf().getKeyUsage()[2]).as("keyEncipherment").isTrue();
      SoftwareKeyHandle key = ca.privateKey("pos1");
      assertThat(key.publicKey()).isEqualTo(pos.leaf().getPublicKey());
      List<X509CRL> crls = ca.crls();
      assertThat(crls).hasSize(3);
      crls.get(0).verify(root.getPublicKey());
      crls.get(1).verify(ca.issuingCertificate(Role.KDH).getPublicKey());
      crls.get(2).verify(ca.issuingCertificate(Role.KRD).getPublicKey());
      // the read side the host and the terminal use sees the same files
      assertThat(ca.files().chain("pos1", Role.KRD).leaf()).isEqualTo(pos.leaf());
      assertThat(ca.files().crls("root", "kdh-ca", "krd-ca").get()).hasSize(3);
    }
    assertThat(Files.readString(dir.resolve("pos1.key.pem")))
        .startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
    try (DirectoryCertificateAuthority ca = open(dir)) {
      assertThat(ca.toString()).doesNotContain(PASSPHRASE).contains(dir.toString());
    }
  }

  @Test
  void serialCounter_persistsAndNeverRepeats_acrossReopenAndThreads(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("pki");
    List<BigInteger> serials = new ArrayList<>();
    try (DirectoryCertificateAuthority ca = create(dir)) {
      serials.add(ca.rootCertificate().getSerialNumber());
      serials.add(ca.issuingCertificate(Role.KDH).getSerialNumber());
      serials.add(ca.issuingCertificate(Role.KRD).getSerialNumber());
      assertThat(serials).containsExactly(BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(3));
      assertThat(ca.nextSerial()).isEqualTo(BigInteger.valueOf(4));
      serials.add(ca.issue("a", Role.KRD, false).leaf().getSerialNumber());
    }
    assertThat(Files.readString(dir.resolve("serial"))).isEqualTo("5\n");
    try (DirectoryCertificateAuthority ca = open(dir)) { // a restart
      assertThat(ca.nextSerial()).isEqualTo(BigInteger.valueOf(5));
      serials.add(ca.issue("b", Role.KDH, false).leaf().getSerialNumber());
      serials.add(ca.issue("a", Role.KRD, true).leaf().getSerialNumber()); // replaced: new serial
    }
    // two CAs open on one directory, issuing at the same time, as two processes would
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (DirectoryCertificateAuthority one = open(dir);
        DirectoryCertificateAuthority two = open(dir)) {
      List<Future<BigInteger>> issued = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        DirectoryCertificateAuthority ca = i % 2 == 0 ? one : two;
        String name = "t" + i;
        issued.add(pool.submit(() -> ca.issue(name, Role.KRD, false).leaf().getSerialNumber()));
      }
      for (Future<BigInteger> f : issued) {
        serials.add(f.get());
      }
    } finally {
      pool.shutdown();
    }
    assertThat(new HashSet<>(serials)).hasSameSizeAs(serials);
    assertThat(serials).hasSize(14).allMatch(s -> s.compareTo(BigInteger.valueOf(14)) <= 0);
    assertThat(Files.readString(dir.resolve("serial"))).isEqualTo("F\n");
    // a replaced CA keeps counting: its certificates reuse no serial of the old one
    try (DirectoryCertificateAuthority ca =
        DirectoryCertificateAuthority.at(dir)
            .weakKeyEncryptionForTests()
            .replaceExisting()
            .create(passphrase())) {
      assertThat(ca.rootCertificate().getSerialNumber()).isEqualTo(BigInteger.valueOf(15));
    }
  }

  @Test
  void serialCounter_missing_issueIsRefused(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("pki");
    create(dir).close();
    Files.delete(dir.resolve("serial"));
    try (DirectoryCertificateAuthority ca = open(dir)) {
      assertThatThrownBy(() -> ca.issue("pos1", Role.KRD, false))
          .isInstanceOf(NoSuchFileException.class)
          .hasMessageContaining("serial numbers could repeat");
    }
    assertThat(dir.resolve("pos1.crt.pem")).doesNotExist();
  }

  @Test
  void wrongPassphrase_clearErrorAndNothingChanges(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("pki");
    try (DirectoryCertificateAuthority ca = create(dir)) {
      ca.issue("pos1", Role.KRD, false);
    }
    String wrong = "Correct horse battery staple";
    try (DirectoryCertificateAuthority ca =
        DirectoryCertificateAuthority.open(dir, wrong.toCharArray())) {
      for (var attempt :
          List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
              () -> ca.issue("pos2", Role.KRD, false),
              () -> ca.revoke(ca.certificate("pos1")),
              ca::refreshCrls,
              () -> ca.privateKey("pos1"))) {
        assertThatThrownBy(attempt)
            .isInstanceOf(UnrecoverableKeyException.class)
            .hasMessageContaining("wrong passphrase")
            .hasMessageNotContaining(wrong)
            .hasMessageNotContaining(PASSPHRASE);
      }
      assertThat(ca.nextSerial()).isEqualTo(BigInteger.valueOf(5));
    }
    assertThat(dir.resolve("pos2.crt.pem")).doesNotExist();
    assertThat(dir.resolve("pos2.key.pem")).doesNotExist();
    assertThatThrownBy(() -> DirectoryCertificateAuthority.open(dir, new char[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("passphrase must not be empty");
    assertThatThrownBy(() -> DirectoryCertificateAuthority.open(tmp, passphrase()))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no certification authority");
  }

  @Test
  void keyFilesOwnerOnly_directoryOwnerOnly_underUmask022(@TempDir Path tmp) throws Exception {
    assumeTrue(
        Files.getFileStore(tmp).supportsFileAttributeView("posix"),
        "no POSIX permissions here; skipping");
    assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "no /bin/sh; skipping");
    Path dir = tmp.resolve("pki");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                "/bin/sh",
                "-c",
                "umask 022 && exec \"$0\" -cp \"$1\" "
                    + CreateInChildProcess.class.getName()
                    + " \"$2\"",
                java,
                System.getProperty("java.class.path"),
                dir.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(output).isZero();
    // under that umask an ordinary new file is readable by all, which is what a key must not be
    Path plain = tmp.resolve("plain");
    new ProcessBuilder("/bin/sh", "-c", "umask 022 && : > \"$0\"", plain.toString())
        .start()
        .waitFor();
    assertThat(mode(plain)).isEqualTo("rw-r--r--");

    assertThat(mode(dir)).isEqualTo("rwx------");
    List<String> names;
    try (Stream<Path> files = Files.list(dir)) {
      names = files.map(f -> f.getFileName().toString()).sorted().toList();
    }
    assertThat(names).noneMatch(n -> n.endsWith(".tmp"));
    assertThat(names).filteredOn(n -> n.endsWith(".key.pem")).hasSize(4);
    for (String n : names) {
      if (n.endsWith(".key.pem") || n.equals(".lock")) {
        assertThat(mode(dir.resolve(n))).as(n).isEqualTo("rw-------");
      } else {
        assertThat(mode(dir.resolve(n))).as(n).isEqualTo("rw-r--r--");
      }
    }
    // and in this JVM (whatever its umask), an existing directory is closed to others as well
    Path open = Files.createDirectory(tmp.resolve("existing"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    try (DirectoryCertificateAuthority ca = create(open)) {
      ca.issue("host1", Role.KDH, false);
    }
    assertThat(mode(open)).isEqualTo("rwx------");
    assertThat(mode(open.resolve("host1.key.pem"))).isEqualTo("rw-------");
    assertThat(mode(open.resolve("kdh-ca.key.pem"))).isEqualTo("rw-------");
  }

  private static String mode(Path f) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
  }

  @Test
  void issue_refusesAnExistingName_unlessReplace(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("pki");
    try (DirectoryCertificateAuthority ca = create(dir)) {
      CertificateChain first = ca.issue("pos1", Role.KRD, false);
      byte[] key = Files.readAllBytes(ca.keyFile("pos1"));
      byte[] cert = Files.readAllBytes(ca.certificateFile("pos1"));
      // the same name again would replace the key, even turn a terminal into a host
      assertThatThrownBy(() -> ca.issue("pos1", Role.KDH, false))
          .isInstanceOf(FileAlreadyExistsException.class)
          .hasMessageContaining("pos1.crt.pem");
      assertThat(Files.readAllBytes(ca.keyFile("pos1"))).isEqualTo(key);
      assertThat(Files.readAllBytes(ca.certificateFile("pos1"))).isEqualTo(cert);

      // a key file alone (from a cut-short issue) also holds the name
      Files.writeString(ca.keyFile("pos2"), "not yet");
      assertThatThrownBy(() -> ca.issue("pos2", Role.KRD, false))
          .isInstanceOf(FileAlreadyExistsException.class)
          .hasMessageContaining("pos2.key.pem");

      CertificateChain second = ca.issue("pos1", Role.KDH, true);
      assertThat(second.leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
      assertThat(Files.readAllBytes(ca.keyFile("pos1"))).isNotEqualTo(key);
      assertThat(ca.chain("pos1").certificates().get(1)).isEqualTo(ca.issuingCertificate(Role.KDH));

      // from a request: the key stays with its holder; a key file of the old certificate goes
      JcaCryptoProvider crypto = new JcaCryptoProvider();
      var holder = crypto.generateRsaKeyPair(2048, "pos1");
      byte[] csr = CertificationRequests.create(crypto, holder, new X500Principal("CN=pos1"));
      assertThatThrownBy(() -> ca.issue("pos1", Role.KRD, csr, false))
          .isInstanceOf(FileAlreadyExistsException.class);
      CertificateChain third = ca.issue("pos1", Role.KRD, csr, true);
      assertThat(third.leaf().getPublicKey()).isEqualTo(holder.publicKey());
      assertThat(ca.keyFile("pos1")).doesNotExist();
      assertThatThrownBy(() -> ca.privateKey("pos1")).isInstanceOf(NoSuchFileException.class);

      // names are file names: no path, no hidden file, never a CA's own files
      for (String bad : List.of("root", "kdh-ca", "krd-ca", "../x", "a/b", ".hidden", "", "x y")) {
        assertThatThrownBy(() -> ca.issue(bad, Role.KRD, true))
            .as(bad)
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThat(Files.readString(dir.resolve("root.crt.pem")))
          .isEqualTo(Pem.encode(ca.rootCertificate()));
    }
  }

  @Test
  void revoke_crlsPersist_andRevocationsSurviveReopen(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("pki");
    X509Certificate pos1;
    X509Certificate pos2;
    try (DirectoryCertificateAuthority ca = create(dir)) {
      pos1 = ca.issue("pos1", Role.KRD, false).leaf();
      pos2 = ca.issue("pos2", Role.KRD, false).leaf();
      ca.revoke(pos1);
    }
    X509CRL after1 = Pem.crl(Files.readAllBytes(dir.resolve("krd-ca.crl.pem")));
    assertThat(after1.isRevoked(pos1)).isTrue();
    try (DirectoryCertificateAuthority ca = open(dir)) {
      ca.revoke(ca.certificate("pos2"));
      X509CRL after2 = ca.crls().get(2);
      assertThat(after2.isRevoked(pos1)).as("the earlier revocation is kept").isTrue();
      assertThat(after2.isRevoked(pos2)).isTrue();
      assertThat(crlNumber(after2)).isGreaterThan(crlNumber(after1));
      assertThat(ca.refreshCrls()).hasSize(3);
      assertThatThrownBy(() -> ca.revoke(ca.rootCertificate()))
          .hasMessageContaining("root certificate cannot be revoked");
      // a lost CRL would lose its revocations: refused rather than re-issued from nothing
      Files.delete(dir.resolve("krd-ca.crl.pem"));
      assertThatThrownBy(ca::refreshCrls)
          .isInstanceOf(NoSuchFileException.class)
          .hasMessageContaining("revocations would be lost");
    }
  }

  private static BigInteger crlNumber(X509CRL crl) {
    byte[] ext = crl.getExtensionValue("2.5.29.20");
    return org.bouncycastle.asn1.ASN1Integer.getInstance(
            org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets())
        .getValue();
  }

  @Test
  void close_wipesThePassphrase_andRefusesLaterUse(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("pki");
    DirectoryCertificateAuthority ca = create(dir);
    ca.close();
    assertThatThrownBy(() -> ca.issue("pos1", Role.KRD, false))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ca.privateKey("pos1")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> create(dir))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("already exists");
  }

  @Test
  void keys_areOpenSslReadable_withThePassphraseOnly(@TempDir Path tmp) throws Exception {
    assumeTrue(openssl("version").exit() == 0, "openssl not found on the PATH; skipping");
    Path dir = tmp.resolve("pki");
    X509Certificate leaf;
    try (DirectoryCertificateAuthority ca = create(dir)) {
      leaf = ca.issue("pos1", Role.KRD, false).leaf();
    }
    for (String name : List.of("pos1", "root", "kdh-ca", "krd-ca")) {
      Path key = dir.resolve(name + ".key.pem");
      Run ok = openssl("pkey", "-in", key.toString(), "-passin", "pass:" + PASSPHRASE, "-pubout");
      assertThat(ok.exit()).as(name + ": " + ok.out()).isZero();
      if (name.equals("pos1")) {
        assertThat(ok.out()).isEqualTo(Pem.encode(leaf.getPublicKey()));
      }
      assertThat(openssl("pkey", "-in", key.toString(), "-passin", "pass:wrong").exit())
          .as(name + " with a wrong passphrase")
          .isNotZero();
    }
    Run parsed = openssl("asn1parse", "-in", dir.resolve("pos1.key.pem").toString());
    assertThat(parsed.out())
        .contains("PBES2", "PBKDF2", "hmacWithSHA256", "aes-256-cbc")
        .containsPattern(
            "INTEGER\\s+:03E8\\b"); // 1,000 iterations: the test-only count of create() above
  }

  @Test
  void keys_areBouncyCastleReadable_andDefaultTo600000Iterations(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("pki");
    long start = System.nanoTime();
    try (DirectoryCertificateAuthority ca =
        DirectoryCertificateAuthority.create(dir, passphrase())) {
      long created = System.nanoTime();
      ca.issue("host1", Role.KDH, false);
      System.out.printf(
          "DirectoryCertificateAuthority with %d PBKDF2 iterations: create %d ms (3 RSA keys"
              + " generated and encrypted), issue %d ms (3 CA keys decrypted, 1 leaf generated and"
              + " encrypted)%n",
          Pem.PBKDF2_ITERATIONS,
          (created - start) / 1_000_000,
          (System.nanoTime() - created) / 1_000_000);
    }
    for (String name : List.of("host1", "root")) {
      PKCS8EncryptedPrivateKeyInfo info;
      try (PemReader r = new PemReader(Files.newBufferedReader(dir.resolve(name + ".key.pem")))) {
        info = new PKCS8EncryptedPrivateKeyInfo(r.readPemObject().getContent());
      }
      var pbes2 =
          org.bouncycastle.asn1.pkcs.PBES2Parameters.getInstance(
              info.getEncryptionAlgorithm().getParameters());
      var kdf =
          org.bouncycastle.asn1.pkcs.PBKDF2Params.getInstance(
              pbes2.getKeyDerivationFunc().getParameters());
      assertThat(kdf.getIterationCount()).isEqualTo(600_000);
      assertThat(kdf.getSalt()).hasSize(16);
      assertThat(kdf.getPrf().getAlgorithm().getId()).isEqualTo("1.2.840.113549.2.9");
      assertThat(pbes2.getEncryptionScheme().getAlgorithm().getId())
          .isEqualTo("2.16.840.1.101.3.4.1.42");
      var decrypted =
          info.decryptPrivateKeyInfo(
              new JceOpenSSLPKCS8DecryptorProviderBuilder()
                  .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                  .build(passphrase()));
      assertThat(decrypted.getPrivateKeyAlgorithm().getAlgorithm().getId())
          .isEqualTo("1.2.840.113549.1.1.1");
    }
    // two keys never share a salt or an IV
    Set<String> headers = new HashSet<>();
    for (String name : List.of("host1", "root", "kdh-ca", "krd-ca")) {
      try (PemReader r = new PemReader(Files.newBufferedReader(dir.resolve(name + ".key.pem")))) {
        headers.add(
            org.bouncycastle.util.encoders.Hex.toHexString(
                new PKCS8EncryptedPrivateKeyInfo(r.readPemObject().getContent())
                    .getEncryptionAlgorithm()
                    .getEncoded()));
      }
    }
    assertThat(headers).hasSize(4);
    assertThatThrownBy(() -> DirectoryCertificateAuthority.at(dir).pbkdf2Iterations(100_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weakKeyEncryptionForTests");
  }

  private record Run(int exit, String out) {}

  private static Run openssl(String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      return new Run(p.waitFor(), out);
    } catch (IOException e) {
      return new Run(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Run(-1, "interrupted");
    }
  }
}
