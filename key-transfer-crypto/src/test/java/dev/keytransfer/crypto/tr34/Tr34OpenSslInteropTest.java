package dev.keytransfer.crypto.tr34;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.internal.Hex;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two-pass key tokens our host builds verify and decrypt with the {@code openssl cms} command, run
 * as a separate process (skipped when no {@code openssl} binary is on the PATH).
 */
@Tag("interop")
class Tr34OpenSslInteropTest {
  private static TestPki pki;
  private static TestPki.Leaf kdh;
  private static TestPki.Leaf krd;
  private final BcCryptoProvider crypto = new BcCryptoProvider();

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("OpenSSL");
    kdh = pki.validLeaf(Role.KDH, "OpenSSL KDH");
    krd = pki.validLeaf(Role.KRD, "OpenSSL KRD");
  }

  @ParameterizedTest(name = "{0} key of {1} bytes")
  @CsvSource({"A0000K0TB00E0000, 16", "A0000K0TB00E0000, 24", "D0000K0AB00E0000, 16", "D0000K0AB00E0000, 32"})
  void builtToken_verifiesAndDecryptsWithOpenssl(String header, int keyLength, @TempDir Path dir) throws Exception {
    assumeTrue(opensslAvailable(), "openssl binary not found on PATH; skipping interop test");
    byte[] key = new byte[keyLength];
    crypto.secureRandom().nextBytes(key);
    Nonce nonce = Nonce.random(crypto.secureRandom());
    KdhKeyToken token;
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(key)) {
      token = new Tr34TokenCodec(crypto).buildKeyToken(new KeyTokenRequest(kdh.certificate(), kdh.key(),
          krd.certificate(), nonce, KeyBlockHeader.parse(header), k, pki.kdhPathCrls()));
    }
    Files.write(dir.resolve("token.der"), token.encoded());
    Files.writeString(dir.resolve("kdh.pem"), Pem.encode(kdh.certificate()));
    Files.writeString(dir.resolve("trust.pem"), Pem.encode(pki.root) + Pem.encode(pki.kdhCa));
    Files.writeString(dir.resolve("krd.pem"), Pem.encode(krd.certificate()));
    Files.writeString(dir.resolve("krd.key.pem"), Pem.encode(krd.key().privateKey()));

    // 1. signature and chain, as OpenSSL's CMS verifier sees them
    Result verify = openssl(dir, "cms", "-verify", "-inform", "DER", "-in", "token.der", "-certfile", "kdh.pem",
        "-CAfile", "trust.pem", "-purpose", "any", "-binary", "-out", "inner.der");
    assertThat(verify.exit).as(verify.output).isZero();
    assertThat(verify.output).contains("Verification successful");

    // 2. the EnvelopedData, wrapped in a ContentInfo, decrypts with the KRD key
    byte[] inner = Files.readAllBytes(dir.resolve("inner.der"));
    Files.write(dir.resolve("env.der"),
        new ContentInfo(CMSObjectIdentifiers.envelopedData, ASN1Primitive.fromByteArray(inner)).getEncoded("DER"));
    Result decrypt = openssl(dir, "cms", "-decrypt", "-inform", "DER", "-in", "env.der", "-recip", "krd.pem",
        "-inkey", "krd.key.pem", "-binary", "-out", "keyblock.der");
    assertThat(decrypt.exit).as(decrypt.output).isZero();

    // 3. the key block is TR-34 Annex D: version 1, idKDH, the key, the header
    ASN1Sequence kb = ASN1Sequence.getInstance(Files.readAllBytes(dir.resolve("keyblock.der")));
    assertThat(ASN1Integer.getInstance(kb.getObjectAt(0)).intValueExact()).isEqualTo(1);
    assertThat(ASN1Sequence.getInstance(kb.getObjectAt(1)).getEncoded("DER"))
        .isEqualTo(new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
          ASN1Primitive.fromByteArray(kdh.certificate().getIssuerX500Principal().getEncoded()),
          new ASN1Integer(kdh.certificate().getSerialNumber())}).getEncoded("DER"));
    assertThat(Hex.encode(ASN1OctetString.getInstance(kb.getObjectAt(2)).getOctets())).isEqualTo(Hex.encode(key));
    ASN1Set headerSet = ASN1Set.getInstance(ASN1Sequence.getInstance(kb.getObjectAt(3)).getObjectAt(1));
    assertThat(new String(ASN1OctetString.getInstance(headerSet.getObjectAt(0)).getOctets(), StandardCharsets.US_ASCII))
        .isEqualTo(header);
  }

  private record Result(int exit, String output) {}

  static boolean opensslAvailable() {
    try {
      return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static Result openssl(Path dir, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
