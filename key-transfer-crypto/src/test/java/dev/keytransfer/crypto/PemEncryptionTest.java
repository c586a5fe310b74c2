package dev.keytransfer.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.internal.DerWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Private keys encrypted under a passphrase: PKCS#8, PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC. */
class PemEncryptionTest {
  private static final char[] PASSPHRASE = "pässphrase 1".toCharArray(); // UTF-8, as openssl
  private static final int FAST = 1_000; // the least the format allows; this is a test
  private static KeyPair keys;

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    keys = g.generateKeyPair();
  }

  private static byte[] encrypted() {
    return Pem.encodeEncrypted(keys.getPrivate(), PASSPHRASE, FAST, new SecureRandom())
        .getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void encodeEncrypted_roundTrip_andThePassphraseArrayIsLeftToTheCaller() throws Exception {
    char[] mine = PASSPHRASE.clone();
    byte[] pem =
        Pem.encodeEncrypted(keys.getPrivate(), mine, FAST, new SecureRandom())
            .getBytes(StandardCharsets.US_ASCII);
    assertThat(new String(pem, StandardCharsets.US_ASCII))
        .startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
        .endsWith("-----END ENCRYPTED PRIVATE KEY-----\n");
    KeyPair back = Pem.rsaKeyPair(pem, mine);
    assertThat(back.getPrivate()).isEqualTo(keys.getPrivate());
    assertThat(back.getPublic()).isEqualTo(keys.getPublic());
    assertThat(mine).isEqualTo(PASSPHRASE);
    assertThat(Pem.isEncryptedPrivateKey(pem)).isTrue();
    assertThat(Pem.isEncryptedPrivateKey(Pem.encode(keys.getPrivate()).getBytes())).isFalse();
    // a plain key needs no passphrase, and an encrypted one is not read without
    assertThat(Pem.rsaKeyPair(Pem.encode(keys.getPrivate()).getBytes(), mine).getPrivate())
        .isEqualTo(keys.getPrivate());
    assertThatThrownBy(() -> Pem.rsaKeyPair(pem))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("passphrase is needed");
    // random salt and IV: the same key twice gives two different files
    assertThat(encrypted()).isNotEqualTo(encrypted());
  }

  @Test
  void wrongPassphrase_alwaysTheSameUnrecoverableKeyException() throws Exception {
    byte[] pem = encrypted();
    List<String> messages = new ArrayList<>();
    // about 1 in 256 wrong keys passes the CBC padding check; 600 tries reach that path too
    for (int i = 0; i < 600; i++) {
      char[] wrong = ("wrong " + i).toCharArray();
      try {
        Pem.rsaKeyPair(pem, wrong);
        throw new AssertionError("decrypted with a wrong passphrase");
      } catch (UnrecoverableKeyException e) {
        messages.add(e.getMessage());
      }
    }
    assertThat(messages)
        .containsOnly("the private key does not decrypt: wrong passphrase, or the file is damaged");
  }

  @Test
  void damagedOrForeignFiles_refusedByName() throws Exception {
    byte[] iv = new byte[16];
    byte[] blocks = new byte[32];
    String aes256 = Pkcs8Encryption.AES256_CBC;
    String sha256 = Pkcs8Encryption.HMAC_SHA256;
    // the structure itself is sound: only the passphrase is wrong for these made-up blocks
    assertThatThrownBy(() -> read(epki(sha256, aes256, 2048, iv, blocks)))
        .isInstanceOf(UnrecoverableKeyException.class);
    assertThatThrownBy(() -> read(epki(sha256, "2.16.840.1.101.3.4.1.2", 2048, iv, blocks)))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("unsupported cipher 2.16.840.1.101.3.4.1.2");
    assertThatThrownBy(() -> read(epki("1.2.840.113549.2.11", aes256, 2048, iv, blocks)))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("unsupported PBKDF2 pseudorandom function 1.2.840.113549.2.11");
    assertThatThrownBy(() -> read(epki(null, aes256, 2048, iv, blocks)))
        .hasMessageContaining("unsupported PBKDF2 pseudorandom function HMAC-SHA-1");
    assertThatThrownBy(() -> read(epki(sha256, aes256, 999, iv, blocks)))
        .hasMessageContaining("iteration count 999");
    assertThatThrownBy(() -> read(epki(sha256, aes256, 10_000_001, iv, blocks)))
        .hasMessageContaining("iteration count 10000001"); // a file cannot stall the reader
    assertThatThrownBy(() -> read(epki(sha256, aes256, 2048, new byte[8], blocks)))
        .hasMessageContaining("IV of 8 bytes");
    // docs/SECURITY.md R6: empty or misaligned ciphertext never reaches the cipher
    for (int n : new int[] {0, 17, 31}) {
      assertThatThrownBy(() -> read(epki(sha256, aes256, 2048, iv, new byte[n])))
          .as(n + " bytes")
          .isInstanceOf(MalformedTokenException.class)
          .hasMessageContaining("whole AES blocks");
    }
    byte[] pbes1 =
        DerWriter.sequence(
            DerWriter.algorithm(
                "1.2.840.113549.1.12.1.3",
                DerWriter.sequence(DerWriter.octetString(new byte[8]), DerWriter.integer(2048))),
            DerWriter.octetString(blocks));
    assertThatThrownBy(() -> read(pbes1))
        .hasMessageContaining("unsupported encryption scheme 1.2.840.113549.1.12.1.3");
    // a flipped ciphertext byte: refused, whichever check notices
    byte[] der =
        Base64.getMimeDecoder().decode(body(new String(encrypted(), StandardCharsets.US_ASCII)));
    der[der.length - 20] ^= 1;
    assertThatThrownBy(() -> read(der))
        .isInstanceOfAny(UnrecoverableKeyException.class, MalformedTokenException.class);
    // legacy OpenSSL encryption in PEM headers
    String legacy =
        "-----BEGIN RSA PRIVATE KEY-----\n"
            + "Proc-Type: 4,ENCRYPTED\n"
            + "DEK-Info: AES-256-CBC,00\n\n"
            + "AAAA\n"
            + "-----END RSA PRIVATE KEY-----\n";
    assertThat(Pem.isEncryptedPrivateKey(legacy.getBytes(StandardCharsets.US_ASCII))).isTrue();
    assertThatThrownBy(() -> Pem.rsaKeyPair(legacy.getBytes(StandardCharsets.US_ASCII), PASSPHRASE))
        .hasMessageContaining("legacy encrypted PEM");
  }

  /** An EncryptedPrivateKeyInfo made field by field; {@code prf} null leaves the default out. */
  private static byte[] epki(String prf, String cipher, int iterations, byte[] iv, byte[] data) {
    byte[] kdfParams =
        prf == null
            ? DerWriter.sequence(DerWriter.octetString(new byte[16]), DerWriter.integer(iterations))
            : DerWriter.sequence(
                DerWriter.octetString(new byte[16]),
                DerWriter.integer(iterations),
                DerWriter.algorithm(prf, DerWriter.nul()));
    return DerWriter.sequence(
        DerWriter.algorithm(
            Pkcs8Encryption.PBES2,
            DerWriter.sequence(
                DerWriter.algorithm(Pkcs8Encryption.PBKDF2, kdfParams),
                DerWriter.algorithm(cipher, DerWriter.octetString(iv)))),
        DerWriter.octetString(data));
  }

  private static KeyPair read(byte[] der) throws Exception {
    return Pem.rsaKeyPair(
        Pem.encode("ENCRYPTED PRIVATE KEY", der).getBytes(StandardCharsets.US_ASCII), PASSPHRASE);
  }

  @Test
  void encodeEncrypted_refusesAnEmptyPassphraseAndTooFewIterations() {
    assertThatThrownBy(
            () -> Pem.encodeEncrypted(keys.getPrivate(), new char[0], FAST, new SecureRandom()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("passphrase must not be empty");
    assertThatThrownBy(
            () -> Pem.encodeEncrypted(keys.getPrivate(), PASSPHRASE, 999, new SecureRandom()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("iterations");
  }

  @Test
  void openSsl_readsOurs_andWeReadOpenSsls(@TempDir Path dir) throws Exception {
    assumeTrue(openssl("version").exit() == 0, "openssl not found on the PATH; skipping");
    String pass = "ascii pass phrase"; // command line arguments go through the platform charset
    char[] passphrase = pass.toCharArray();
    Path ours = dir.resolve("ours.pem");
    Files.write(
        ours,
        Pem.encodeEncrypted(
                keys.getPrivate(), passphrase, Pem.PBKDF2_ITERATIONS, new SecureRandom())
            .getBytes(StandardCharsets.US_ASCII));
    Run read = openssl("pkey", "-in", ours.toString(), "-passin", "pass:" + pass, "-pubout");
    assertThat(read.exit()).as(read.out()).isZero();
    assertThat(read.out()).isEqualTo(Pem.encode(keys.getPublic()));
    assertThat(openssl("pkey", "-in", ours.toString(), "-passin", "pass:wrong").exit()).isNotZero();
    assertThat(openssl("asn1parse", "-in", ours.toString()).out())
        .contains("PBES2", "PBKDF2", "hmacWithSHA256", "aes-256-cbc")
        .containsPattern("INTEGER\\s+:0927C0\\b"); // 600,000

    Path theirs = dir.resolve("theirs.pem");
    Run made =
        openssl(
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-aes-256-cbc",
            "-pass",
            "pass:" + pass,
            "-out",
            theirs.toString());
    assertThat(made.exit()).as(made.out()).isZero();
    KeyPair k = Pem.rsaKeyPair(Files.readAllBytes(theirs), passphrase);
    Run pub = openssl("pkey", "-in", theirs.toString(), "-passin", "pass:" + pass, "-pubout");
    assertThat(pub.out()).isEqualTo(Pem.encode(k.getPublic()));
  }

  private static String body(String pem) {
    return pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
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
