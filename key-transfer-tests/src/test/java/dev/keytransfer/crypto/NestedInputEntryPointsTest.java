package dev.keytransfer.crypto;

import static dev.keytransfer.crypto.testing.HostileDer.nested;
import static dev.keytransfer.crypto.testing.HostileDer.nestedIndefinite;
import static dev.keytransfer.crypto.testing.HostileDer.pem;
import static dev.keytransfer.crypto.testing.HostileDer.signedData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.ca.DirectoryCertificateAuthority;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.PkiFiles;
import dev.keytransfer.crypto.testing.HostileDer;
import dev.keytransfer.crypto.tr34.Tr34Profile;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import dev.keytransfer.crypto.tr34.Tr34TokenInspector;
import dev.keytransfer.crypto.tr34.Tr34Tolerance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/SECURITY.md R5, "Input limits": 4,000 nested SEQUENCEs (16 KB, under every size limit) made
 * the JDK's and Bouncy Castle's parsers throw {@link StackOverflowError}. Every public entry point
 * that parses DER from a peer or a file now refuses them, and their BER and PEM forms, with its
 * checked exception and error code, before those parsers see them.
 */
class NestedInputEntryPointsTest {
  private static final char[] PASSPHRASE = "nested input test".toCharArray();

  @FunctionalInterface
  private interface EntryPoint {
    void parse(byte[] input) throws Exception;
  }

  /** The bomb, as a token needs to be shaped for each decoder to get to its certificates. */
  private static Map<String, byte[]> tokenInputs() {
    Map<String, byte[]> inputs = new LinkedHashMap<>();
    inputs.put("nested SEQUENCEs", nested());
    inputs.put("nested BER", nestedIndefinite(HostileDer.LEVELS));
    inputs.put("as a token's certificate", signedData(null, nested()));
    inputs.put("as a token's content", signedData(nested(), null));
    return inputs;
  }

  private static void assertRefused(
      String name, EntryPoint entry, byte[] input, ErrorCode code, String message) {
    assertThatThrownBy(() -> entry.parse(input))
        .as(name)
        .isInstanceOf(KeyTransferException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(code);
  }

  @Test
  void tokenDecoders_inspectorAndFrames_refuseMalformedToken() {
    Tr34TokenCodec codec =
        new Tr34TokenCodec(
            new BcCryptoProvider(), Tr34Profile.TR34_2019, EnumSet.allOf(Tr34Tolerance.class));
    MessageCodec frames = new MessageCodec(codec);
    Map<String, EntryPoint> entries = new LinkedHashMap<>();
    entries.put("decodeKrdCredential", codec::decodeKrdCredential);
    entries.put("decodeKdhCredential", codec::decodeKdhCredential);
    entries.put("decodeRandomToken", codec::decodeRandomToken);
    entries.put("decodeKeyToken", codec::decodeKeyToken);
    entries.put("decodeOnePassKeyToken", codec::decodeOnePassKeyToken);
    entries.put("decodeKdhUnbindToken", codec::decodeKdhUnbindToken);
    entries.put("decodeCaUnbindToken", codec::decodeCaUnbindToken);
    entries.put("decodeKdhRebindToken", codec::decodeKdhRebindToken);
    entries.put("decodeCaRebindToken", codec::decodeCaRebindToken);
    entries.put("decodeEcdhKeyToken", codec::decodeEcdhKeyToken);
    entries.put("inspector classify", Tr34TokenInspector::classify);
    entries.put("inspector describe", Tr34TokenInspector::describe);
    for (MessageType type :
        List.of(
            MessageType.KRD_CREDENTIAL,
            MessageType.KDH_CREDENTIAL,
            MessageType.KRD_RANDOM,
            MessageType.KDH_KEY,
            MessageType.KDH_KEY_ONE_PASS,
            MessageType.KDH_ECDH_KEY,
            MessageType.KDH_UNBIND,
            MessageType.CA_UNBIND,
            MessageType.KDH_REBIND,
            MessageType.CA_REBIND)) {
      entries.put("frame " + type, b -> frames.decode(frame(type, b)));
    }
    int refused = 0;
    for (Map.Entry<String, EntryPoint> e : entries.entrySet()) {
      for (Map.Entry<String, byte[]> input : tokenInputs().entrySet()) {
        assertRefused(
            e.getKey() + ", " + input.getKey(),
            e.getValue(),
            input.getValue(),
            ErrorCode.MALFORMED_TOKEN,
            "token is");
        refused++;
      }
    }
    assertThat(refused).isEqualTo(entries.size() * 4);
  }

  @Test
  void certificatesAndCrls_derAndPem_refuseMalformedToken() {
    Map<String, byte[]> inputs = new LinkedHashMap<>();
    inputs.put("DER", nested());
    inputs.put("BER", nestedIndefinite(HostileDer.LEVELS));
    inputs.put("in a PKCS#7 bundle", signedData(null, nested()));
    inputs.put("PEM CERTIFICATE", pem("CERTIFICATE", nested()));
    inputs.put("PEM PKCS7", pem("PKCS7", nested()));
    inputs.put("PEM X509 CRL", pem("X509 CRL", nested()));
    for (Map.Entry<String, byte[]> input : inputs.entrySet()) {
      String name = input.getKey();
      boolean crlInput = name.contains("CRL");
      if (!crlInput) {
        assertRefused(
            "certificates, " + name,
            Pem::certificates,
            input.getValue(),
            ErrorCode.MALFORMED_TOKEN,
            "certificate");
        assertRefused(
            "certificate, " + name,
            Pem::certificate,
            input.getValue(),
            ErrorCode.MALFORMED_TOKEN,
            "certificate");
      }
      if (crlInput || !name.startsWith("PEM")) {
        assertRefused("crl, " + name, Pem::crl, input.getValue(), ErrorCode.MALFORMED_TOKEN, "CRL");
      }
    }
  }

  @Test
  void privateKeys_plainAndEncrypted_refused() throws Exception {
    for (String label : List.of("PRIVATE KEY", "RSA PRIVATE KEY")) {
      assertRefused(
          label,
          Pem::rsaKeyPair,
          pem(label, nested()),
          ErrorCode.MALFORMED_TOKEN,
          "private key is nested deeper than 32 levels");
      assertRefused(
          label + " with a passphrase",
          b -> Pem.rsaKeyPair(b, PASSPHRASE),
          pem(label, nested()),
          ErrorCode.MALFORMED_TOKEN,
          "private key is nested deeper than 32 levels");
    }
    assertRefused(
        "ENCRYPTED PRIVATE KEY",
        b -> Pem.rsaKeyPair(b, PASSPHRASE),
        pem("ENCRYPTED PRIVATE KEY", nested()),
        ErrorCode.MALFORMED_TOKEN,
        "encrypted private key is nested deeper than 32 levels");
    // the bomb encrypted under the right passphrase: what decrypts is checked before the JDK parses
    // it, and is as unusable as a wrong passphrase's output
    byte[] encrypted =
        Pem.encodeEncrypted(
                new PkcsBytes(nested()), PASSPHRASE, 1_000, SecureRandom.getInstance("DRBG"))
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> Pem.rsaKeyPair(encrypted, PASSPHRASE))
        .isInstanceOf(UnrecoverableKeyException.class)
        .hasMessageContaining("wrong passphrase, or the file is damaged");
  }

  @Test
  void certificationRequests_refusedByTheCa(@TempDir Path dir) throws Exception {
    DefaultCertificateAuthority ca =
        DefaultCertificateAuthority.create("Nested", Clock.systemUTC());
    for (byte[] csr : List.of(nested(), nestedIndefinite(HostileDer.LEVELS))) {
      assertRefused(
          "DefaultCertificateAuthority.issue",
          b -> ca.issue(b, Role.KRD),
          csr,
          ErrorCode.CA_REQUEST_REFUSED,
          "certification request refused: the request is");
    }
    try (DirectoryCertificateAuthority directory =
        DirectoryCertificateAuthority.at(dir.resolve("ca"))
            .weakKeyEncryptionForTests()
            .create(PASSPHRASE)) {
      assertRefused(
          "DirectoryCertificateAuthority.issue",
          b -> directory.issue("pos1", Role.KRD, b, false),
          nested(),
          ErrorCode.CA_REQUEST_REFUSED,
          "nested deeper than 32 levels");
    }
  }

  @Test
  void caDirectoryAndPkiFiles_refuseNestedFiles(@TempDir Path dir) throws Exception {
    Path caDir = dir.resolve("ca");
    try (DirectoryCertificateAuthority ca =
        DirectoryCertificateAuthority.at(caDir).weakKeyEncryptionForTests().create(PASSPHRASE)) {
      ca.issue("pos1", Role.KRD, false);
    }
    List<String> checked = new ArrayList<>();
    // a CA certificate: opening the directory reads it
    replaceWithBomb(
        caDir.resolve("kdh-ca.crt.pem"),
        "CERTIFICATE",
        () -> {
          assertRefused(
              "open with kdh-ca.crt.pem",
              b -> DirectoryCertificateAuthority.open(caDir, PASSPHRASE).close(),
              null,
              ErrorCode.MALFORMED_TOKEN,
              "kdh-ca.crt.pem");
          assertRefused(
              "PkiFiles.caCertificate",
              b -> PkiFiles.in(caDir).caCertificate(Role.KDH),
              null,
              ErrorCode.MALFORMED_TOKEN,
              "certificate is nested deeper than 32 levels");
          checked.add("CA certificate");
        });
    // a leaf certificate and its encrypted key
    replaceWithBomb(
        caDir.resolve("pos1.crt.pem"),
        "CERTIFICATE",
        () -> {
          try (DirectoryCertificateAuthority ca =
              DirectoryCertificateAuthority.open(caDir, PASSPHRASE)) {
            assertRefused(
                "certificate(pos1)",
                b -> ca.certificate("pos1"),
                null,
                ErrorCode.MALFORMED_TOKEN,
                "pos1.crt.pem: certificate is nested deeper");
          }
          assertRefused(
              "PkiFiles.chain",
              b -> PkiFiles.in(caDir).chain("pos1", Role.KRD),
              null,
              ErrorCode.MALFORMED_TOKEN,
              "nested deeper");
          checked.add("leaf certificate");
        });
    replaceWithBomb(
        caDir.resolve("pos1.key.pem"),
        "ENCRYPTED PRIVATE KEY",
        () -> {
          try (DirectoryCertificateAuthority ca =
              DirectoryCertificateAuthority.open(caDir, PASSPHRASE)) {
            assertRefused(
                "privateKey(pos1)",
                b -> ca.privateKey("pos1"),
                null,
                ErrorCode.MALFORMED_TOKEN,
                "encrypted private key is nested deeper");
          }
          assertRefused(
              "PkiFiles.privateKey",
              b -> PkiFiles.in(caDir).privateKey("pos1", PASSPHRASE),
              null,
              ErrorCode.MALFORMED_TOKEN,
              "nested deeper");
          checked.add("leaf key");
        });
    // a CRL: every change to the directory re-reads it; a reader leaves it out (fail closed)
    replaceWithBomb(
        caDir.resolve("krd-ca.crl.pem"),
        "X509 CRL",
        () -> {
          try (DirectoryCertificateAuthority ca =
              DirectoryCertificateAuthority.open(caDir, PASSPHRASE)) {
            assertRefused(
                "refreshCrls",
                b -> ca.refreshCrls(),
                null,
                ErrorCode.MALFORMED_TOKEN,
                "krd-ca.crl.pem: CRL is nested deeper");
          }
          assertThat(PkiFiles.in(caDir).crls("krd-ca").get()).isEmpty();
          checked.add("CRL");
        });
    assertThat(checked).hasSize(4);
  }

  /** Runs {@code check} with {@code file} holding the bomb in PEM, then puts the file back. */
  private static void replaceWithBomb(Path file, String label, Check check) throws Exception {
    byte[] saved = Files.readAllBytes(file);
    Files.write(file, pem(label, nested()));
    try {
      check.run();
    } finally {
      Files.write(file, saved);
    }
  }

  @FunctionalInterface
  private interface Check {
    void run() throws Exception;
  }

  private static byte[] frame(MessageType type, byte[] payload) {
    byte[] f = new byte[payload.length + 2];
    f[0] = (byte) MessageCodec.PROTOCOL_VERSION;
    f[1] = (byte) type.wireValue();
    System.arraycopy(payload, 0, f, 2, payload.length);
    return f;
  }

  /** A "private key" whose PKCS#8 encoding is whatever bytes the test wants encrypted. */
  private record PkcsBytes(byte[] encoded) implements PrivateKey {
    @Override
    public String getAlgorithm() {
      return "RSA";
    }

    @Override
    public String getFormat() {
      return "PKCS#8";
    }

    @Override
    public byte[] getEncoded() {
      return encoded.clone();
    }
  }
}
