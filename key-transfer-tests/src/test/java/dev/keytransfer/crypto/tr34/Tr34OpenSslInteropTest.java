package dev.keytransfer.crypto.tr34;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.message.KdhCredentialToken;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.KrdCredentialToken;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.core.spi.VerifiedRebind;
import dev.keytransfer.core.spi.VerifiedUnbind;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.internal.DerWriter;
import dev.keytransfer.crypto.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.HexFormat;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Round trips with the {@code openssl cms} command, run as a separate process (skipped when no
 * {@code openssl} binary is on the PATH), for every TR-34 token OpenSSL can read or write. Our
 * tokens → OpenSSL: key tokens (two-pass and one-pass) verify and decrypt, the TR34_2012 key token
 * verifies (OpenSSL cannot decrypt that layout: pitfall 3), unbind and rebind tokens verify and
 * their contents read back, credential tokens print their certificates and CRL. OpenSSL → us:
 * credential tokens from {@code crl2pkcs7}, UBT-CA with and without attributes and RBT-CA from
 * {@code cms -sign}, EnvelopedData from {@code cms -encrypt} (OAEP SHA-256) decrypted by our
 * terminal. The OpenSSL command line cannot add a randomNonce or key block header attribute, so it
 * cannot make a key token, UBT-KDH or RBT-KDH: such a token without its nonce is refused.
 */
@Tag("interop")
class Tr34OpenSslInteropTest {
  private static TestPki pki;
  private static TestPki.Leaf kdh;
  private static TestPki.Leaf newKdh;
  private static TestPki.Leaf krd;
  private static SoftwareKeyHandle authority;
  private final BcCryptoProvider crypto = new BcCryptoProvider();
  private final Tr34TokenCodec codec = new Tr34TokenCodec(crypto);
  @TempDir Path dir;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("OpenSSL");
    kdh = pki.validLeaf(Role.KDH, "OpenSSL KDH");
    newKdh = pki.validLeaf(Role.KDH, "OpenSSL KDH 2");
    krd = pki.validLeaf(Role.KRD, "OpenSSL KRD");
    authority =
        SoftwareKeyHandle.of(new KeyPair(pki.krdCa.getPublicKey(), pki.caKey(pki.krdCa)), "CA KRD");
  }

  @BeforeEach
  void files() throws IOException {
    assumeTrue(opensslAvailable(), "openssl binary not found on PATH; skipping interop test");
    Files.writeString(dir.resolve("kdh.pem"), Pem.encode(kdh.certificate()));
    Files.writeString(dir.resolve("kdh.key.pem"), Pem.encode(kdh.key().privateKey()));
    Files.writeString(dir.resolve("ca.pem"), Pem.encode(pki.krdCa));
    Files.writeString(dir.resolve("ca.key.pem"), Pem.encode(authority.privateKey()));
    Files.writeString(dir.resolve("trust.pem"), Pem.encode(pki.root) + Pem.encode(pki.kdhCa));
    Files.writeString(dir.resolve("krd.pem"), Pem.encode(krd.certificate()));
    Files.writeString(dir.resolve("krd.key.pem"), Pem.encode(krd.key().privateKey()));
    Files.writeString(dir.resolve("crl.pem"), Pem.encode(pki.kdhPathCrls().get(1)));
  }

  // ---------------------------------------------------------------- ours → OpenSSL

  @ParameterizedTest(name = "{0} key of {1} bytes")
  @CsvSource({
    "A0000K0TB00E0000, 16",
    "A0000K0TB00E0000, 24",
    "D0000K0AB00E0000, 16",
    "D0000K0AB00E0000, 32"
  })
  void twoPassToken_verifiesAndDecryptsWithOpenssl(String header, int keyLength) throws Exception {
    byte[] key = new byte[keyLength];
    crypto.secureRandom().nextBytes(key);
    KdhKeyToken token;
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(key)) {
      token =
          (KdhKeyToken)
              codec.buildKeyToken(
                  KeyTokenRequest.twoPass(
                      kdh.certificate(),
                      kdh.key(),
                      krd.certificate(),
                      Nonce.random(crypto.secureRandom()),
                      KeyBlockHeader.parse(header),
                      k,
                      pki.kdhPathCrls()));
    }
    assertDecryptsInOpenssl(token.encoded(), key, header);
  }

  @Test
  void onePassToken_verifiesAndDecryptsWithOpenssl() throws Exception {
    byte[] key = HexFormat.of().parseHex("0123456789ABCDEFFEDCBA9876543210");
    byte[] token;
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(key)) {
      token =
          codec
              .buildKeyToken(
                  KeyTokenRequest.onePass(
                      kdh.certificate(),
                      kdh.key(),
                      krd.certificate(),
                      Instant.now(),
                      KeyBlockHeader.parse("A0000K0TB00E0000"),
                      k,
                      pki.kdhPathCrls()))
              .encoded();
    }
    assertDecryptsInOpenssl(token, key, "A0000K0TB00E0000");
  }

  @Test
  void tr34_2012KeyToken_verifiesInOpenssl_butItsEnvelopeIsNotOpensslCms() throws Exception {
    byte[] token;
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(new byte[16])) {
      token =
          new Tr34TokenCodec(crypto, Tr34Profile.TR34_2012)
              .buildKeyToken(
                  KeyTokenRequest.twoPass(
                      kdh.certificate(),
                      kdh.key(),
                      krd.certificate(),
                      Nonce.random(crypto.secureRandom()),
                      KeyBlockHeader.parse("D9999K0TB00E0000"),
                      k,
                      List.of()))
              .encoded();
    }
    Files.write(dir.resolve("token.der"), token);
    assertVerifies("token.der", "kdh.pem", "inner.der");
    // the eContent is the EnvelopedData fields without their SEQUENCE: OpenSSL cannot read it as
    // CMS
    byte[] fields = Files.readAllBytes(dir.resolve("inner.der"));
    assertThat(fields[0]).isEqualTo((byte) 0x02);
    Files.write(
        dir.resolve("env.der"),
        DerWriter.sequence(
            DerWriter.oid(Tr34Oids.ENVELOPED_DATA),
            DerWriter.contextConstructed(0, DerWriter.sequence(fields))));
    Result decrypt =
        openssl(
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            "env.der",
            "-recip",
            "krd.pem",
            "-inkey",
            "krd.key.pem",
            "-binary",
            "-out",
            "keyblock.der");
    assertThat(decrypt.exit).as("OpenSSL refuses the 2012 envelope (pitfall 3)").isNotZero();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"TR34_2019", "TR34_2012"})
  void unbindTokens_verifyInOpenssl(Tr34Profile profile) throws Exception {
    Tr34TokenCodec host = new Tr34TokenCodec(crypto, profile);
    IssuerAndSerial krdId = IssuerAndSerial.of(krd.certificate());
    IssuerAndSerial kdhId = IssuerAndSerial.of(kdh.certificate());
    Files.write(
        dir.resolve("ubt-kdh.der"),
        host.buildKdhUnbindToken(
                kdh.certificate(),
                kdh.key(),
                krdId,
                Nonce.random(crypto.secureRandom()),
                pki.kdhPathCrls())
            .encoded());
    assertVerifies("ubt-kdh.der", "kdh.pem", "ubt-kdh.out");
    assertThat(Files.readAllBytes(dir.resolve("ubt-kdh.out")))
        .isEqualTo(Tr34TokenCodec.issuerAndSerial(krdId));
    // UBT-CA has no signed attributes: OpenSSL checks the signature over the content
    Files.write(
        dir.resolve("ubt-ca.der"),
        host.buildCaUnbindToken(pki.krdCa, authority, krdId, kdhId).encoded());
    assertVerifies("ubt-ca.der", "ca.pem", "ubt-ca.out");
    assertThat(Files.readAllBytes(dir.resolve("ubt-ca.out")))
        .isEqualTo(
            DerWriter.concat(
                Tr34TokenCodec.issuerAndSerial(krdId), Tr34TokenCodec.issuerAndSerial(kdhId)));
  }

  @Test
  void rebindTokens_verifyInOpenssl_andTheInnerSignedDataCarriesTheNewKdh() throws Exception {
    IssuerAndSerial krdId = IssuerAndSerial.of(krd.certificate());
    Files.write(
        dir.resolve("rbt-kdh.der"),
        codec
            .buildKdhRebindToken(
                kdh.certificate(),
                kdh.key(),
                krdId,
                Nonce.random(crypto.secureRandom()),
                newKdh.chain(),
                pki.kdhPathCrls())
            .encoded());
    Files.write(
        dir.resolve("rbt-ca.der"),
        codec
            .buildCaRebindToken(
                pki.krdCa,
                authority,
                krdId,
                IssuerAndSerial.of(kdh.certificate()),
                CertificateChain.of(newKdh.certificate()),
                Instant.now(),
                List.of())
            .encoded());
    for (String t : new String[] {"rbt-kdh", "rbt-ca"}) {
      assertVerifies(t + ".der", t.equals("rbt-kdh") ? "kdh.pem" : "ca.pem", t + ".inner");
      // TR34_2019: the content is a complete SignedData; wrapped in a ContentInfo, OpenSSL prints
      // its certificates
      Files.write(
          dir.resolve(t + ".p7"),
          DerWriter.sequence(
              DerWriter.oid(Tr34Oids.SIGNED_DATA),
              DerWriter.contextConstructed(0, Files.readAllBytes(dir.resolve(t + ".inner")))));
      Result certs = openssl("pkcs7", "-inform", "DER", "-in", t + ".p7", "-print_certs", "-noout");
      assertThat(certs.exit).as(certs.output).isZero();
      assertThat(certs.output).contains("OpenSSL KDH 2");
    }
  }

  @Test
  void credentialTokens_printInOpenssl() throws Exception {
    Files.write(
        dir.resolve("ct-kdh.der"),
        codec.encodeKdhCredential(kdh.chain(), List.of(pki.kdhPathCrls().get(1))).encoded());
    Result r = openssl("pkcs7", "-inform", "DER", "-in", "ct-kdh.der", "-print_certs", "-noout");
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("OpenSSL KDH", "OpenSSL KDH CA");
    Result cms = openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", "ct-kdh.der");
    assertThat(cms.exit).as(cms.output).isZero();
    assertThat(cms.output).contains("crls:");
  }

  // ---------------------------------------------------------------- OpenSSL → ours

  @Test
  void opensslCredentialTokens_readByOurCodec() throws Exception {
    Result krdCt =
        openssl(
            "crl2pkcs7", "-nocrl", "-certfile", "krd.pem", "-outform", "DER", "-out", "ct-krd.der");
    assertThat(krdCt.exit).as(krdCt.output).isZero();
    KrdCredentialToken ctKrd =
        codec.decodeKrdCredential(Files.readAllBytes(dir.resolve("ct-krd.der")));
    assertThat(ctKrd.chain().leaf()).isEqualTo(krd.certificate());
    Result kdhCt =
        openssl(
            "crl2pkcs7",
            "-in",
            "crl.pem",
            "-certfile",
            "kdh.pem",
            "-outform",
            "DER",
            "-out",
            "ct-kdh.der");
    assertThat(kdhCt.exit).as(kdhCt.output).isZero();
    KdhCredentialToken ctKdh =
        codec.decodeKdhCredential(Files.readAllBytes(dir.resolve("ct-kdh.der")));
    assertThat(ctKdh.chain().leaf()).isEqualTo(kdh.certificate());
    assertThat(ctKdh.crls()).hasSize(1);
    assertThat(ctKdh.crls().get(0).getEncoded())
        .isEqualTo(Pem.crl(Files.readAllBytes(dir.resolve("crl.pem"))).getEncoded());
  }

  @ParameterizedTest(name = "attributes: {0}")
  @ValueSource(booleans = {false, true})
  void opensslCaUnbind_verifiedByOurCodec(boolean attributes) throws Exception {
    IssuerAndSerial krdId = IssuerAndSerial.of(krd.certificate());
    IssuerAndSerial kdhId = IssuerAndSerial.of(kdh.certificate());
    Files.write(
        dir.resolve("ids.bin"),
        DerWriter.concat(
            Tr34TokenCodec.issuerAndSerial(krdId), Tr34TokenCodec.issuerAndSerial(kdhId)));
    Result sign =
        openssl(signArgs("ids.bin", "ubt-ca.der", "ca.pem", "ca.key.pem", null, attributes));
    assertThat(sign.exit).as(sign.output).isZero();
    byte[] token = Files.readAllBytes(dir.resolve("ubt-ca.der"));
    VerifiedUnbind v = codec.verifyCaUnbindToken(codec.decodeCaUnbindToken(token), pki.krdCa);
    assertThat(v.krdId()).isEqualTo(krdId);
    assertThat(v.kdhId()).isEqualTo(kdhId);
    assertThat(v.signingTime().isPresent())
        .isEqualTo(attributes); // OpenSSL adds signingTime with its attributes
  }

  @Test
  void opensslCaRebind_verifiedByOurCodec() throws Exception {
    IssuerAndSerial krdId = IssuerAndSerial.of(krd.certificate());
    IssuerAndSerial kdhId = IssuerAndSerial.of(kdh.certificate());
    // the inner degenerate SignedData from our codec; OpenSSL signs it as eContentType signedData,
    // with its default attributes (contentType, signingTime, messageDigest)
    byte[] ours =
        codec
            .buildCaRebindToken(
                pki.krdCa,
                authority,
                krdId,
                kdhId,
                CertificateChain.of(newKdh.certificate()),
                Instant.now(),
                List.of())
            .encoded();
    Files.write(
        dir.resolve("inner.der"), Tr34Cms.parseSignedData(ours, Tr34Tolerance.NONE).eContent);
    Result sign =
        openssl(
            signArgs(
                "inner.der", "rbt-ca.der", "ca.pem", "ca.key.pem", Tr34Oids.SIGNED_DATA, true));
    assertThat(sign.exit).as(sign.output).isZero();
    VerifiedRebind v =
        codec.verifyCaRebindToken(
            codec.decodeCaRebindToken(Files.readAllBytes(dir.resolve("rbt-ca.der"))), pki.krdCa);
    assertThat(v.krdId()).isEqualTo(krdId);
    assertThat(v.oldKdhId()).isEqualTo(kdhId);
    assertThat(v.newKdhCertificate()).isEqualTo(newKdh.certificate());
    assertThat(v.signingTime()).isPresent();
  }

  @Test
  void opensslSignedKdhUnbind_withoutNonce_refused() throws Exception {
    // OpenSSL's command line cannot add randomNonce: its UBT-KDH-shaped token is refused (B.14)
    Files.write(
        dir.resolve("id.bin"),
        Tr34TokenCodec.issuerAndSerial(IssuerAndSerial.of(krd.certificate())));
    Result sign = openssl(signArgs("id.bin", "ubt-kdh.der", "kdh.pem", "kdh.key.pem", null, true));
    assertThat(sign.exit).as(sign.output).isZero();
    byte[] token = Files.readAllBytes(dir.resolve("ubt-kdh.der"));
    assertThatThrownBy(
            () -> codec.verifyKdhUnbindToken(codec.decodeKdhUnbindToken(token), kdh.certificate()))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("randomNonce");
  }

  @ParameterizedTest(name = "-{0}")
  @ValueSource(strings = {"des3", "aes128", "aes256"})
  void opensslEnvelopedData_decryptedByOurTerminal(String cipher) throws Exception {
    // OpenSSL's EnvelopedData (RSA-OAEP SHA-256, tagged parameters), inside a key token the KDH
    // signs
    // with the header and nonce attributes OpenSSL cannot add
    byte[] key =
        HexFormat.of()
            .parseHex(
                cipher.equals("aes256")
                    ? "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
                    : "0123456789ABCDEFFEDCBA9876543210");
    String header = cipher.equals("des3") ? "A0000K0TB00E0000" : "D0000K0AB00E0000";
    Files.write(
        dir.resolve("keyblock.der"),
        DerWriter.sequence(
            DerWriter.integer(1),
            Tr34TokenCodec.issuerAndSerial(IssuerAndSerial.of(kdh.certificate())),
            DerWriter.octetString(key),
            DerWriter.attribute(
                Tr34Oids.DATA, DerWriter.octetString(header.getBytes(StandardCharsets.US_ASCII)))));
    Result enc =
        openssl(
            "cms",
            "-encrypt",
            "-binary",
            "-in",
            "keyblock.der",
            "-outform",
            "DER",
            "-out",
            "env.ci.der",
            "-" + cipher,
            "-recip",
            "krd.pem",
            "-keyopt",
            "rsa_padding_mode:oaep",
            "-keyopt",
            "rsa_oaep_md:sha256",
            "-keyopt",
            "rsa_mgf1_md:sha256");
    assertThat(enc.exit).as(enc.output).isZero();
    byte[] envelope =
        ContentInfo.getInstance(Files.readAllBytes(dir.resolve("env.ci.der")))
            .getContent()
            .toASN1Primitive()
            .getEncoded("DER");
    byte[] set =
        DerWriter.derSet(
            DerWriter.attribute(Tr34Oids.CONTENT_TYPE, DerWriter.oid(Tr34Oids.ENVELOPED_DATA)),
            DerWriter.attribute(Tr34Oids.RANDOM_NONCE, DerWriter.octetString(new byte[8])),
            DerWriter.attribute(
                Tr34Oids.DATA, DerWriter.octetString(header.getBytes(StandardCharsets.US_ASCII))),
            DerWriter.attribute(
                Tr34Oids.MESSAGE_DIGEST, DerWriter.octetString(crypto.sha256(envelope))));
    byte[] attrs = set.clone();
    attrs[0] = (byte) 0xA0;
    byte[] signerInfo =
        DerWriter.sequence(
            DerWriter.integer(1),
            Tr34TokenCodec.issuerAndSerial(IssuerAndSerial.of(kdh.certificate())),
            DerWriter.algorithm(Tr34Oids.SHA256, null),
            attrs,
            DerWriter.algorithm(Tr34Oids.RSA_ENCRYPTION, DerWriter.nul()),
            DerWriter.octetString(
                crypto.sign(kdh.key(), Algorithms.Signature.RSA_PKCS1_SHA256, set)));
    byte[] token =
        DerWriter.sequence(
            DerWriter.oid(Tr34Oids.SIGNED_DATA),
            DerWriter.contextConstructed(
                0,
                DerWriter.sequence(
                    DerWriter.integer(3),
                    DerWriter.derSet(DerWriter.algorithm(Tr34Oids.SHA256, null)),
                    DerWriter.sequence(
                        DerWriter.oid(Tr34Oids.ENVELOPED_DATA),
                        DerWriter.contextConstructed(0, DerWriter.octetString(envelope))),
                    DerWriter.derSet(signerInfo))));
    VerifiedKeyToken v = codec.verifyKeyToken(codec.decodeKeyToken(token), kdh.certificate());
    try (KeyBlock b = codec.decryptKeyToken(v, krd.key(), krd.certificate())) {
      assertThat(b.key().copyBytes()).isEqualTo(key);
      assertThat(b.header().value()).isEqualTo(header);
    }
  }

  // ---------------------------------------------------------------- helpers

  private void assertDecryptsInOpenssl(byte[] token, byte[] key, String header) throws Exception {
    Files.write(dir.resolve("token.der"), token);
    // 1. signature and chain, as OpenSSL's CMS verifier sees them
    Result verify =
        openssl(
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            "token.der",
            "-certfile",
            "kdh.pem",
            "-CAfile",
            "trust.pem",
            "-purpose",
            "any",
            "-binary",
            "-out",
            "inner.der");
    assertThat(verify.exit).as(verify.output).isZero();
    assertThat(verify.output).contains("Verification successful");
    // 2. the EnvelopedData, wrapped in a ContentInfo, decrypts with the KRD key
    byte[] inner = Files.readAllBytes(dir.resolve("inner.der"));
    Files.write(
        dir.resolve("env.der"),
        new ContentInfo(CMSObjectIdentifiers.envelopedData, ASN1Primitive.fromByteArray(inner))
            .getEncoded("DER"));
    Result decrypt =
        openssl(
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            "env.der",
            "-recip",
            "krd.pem",
            "-inkey",
            "krd.key.pem",
            "-binary",
            "-out",
            "keyblock.der");
    assertThat(decrypt.exit).as(decrypt.output).isZero();
    // 3. the key block is TR-34 Annex D: version 1, idKDH, the key, the header
    ASN1Sequence kb = ASN1Sequence.getInstance(Files.readAllBytes(dir.resolve("keyblock.der")));
    assertThat(ASN1Integer.getInstance(kb.getObjectAt(0)).intValueExact()).isEqualTo(1);
    assertThat(ASN1Sequence.getInstance(kb.getObjectAt(1)).getEncoded("DER"))
        .isEqualTo(Tr34TokenCodec.issuerAndSerial(IssuerAndSerial.of(kdh.certificate())));
    assertThat(
            HexFormat.of()
                .withUpperCase()
                .formatHex(ASN1OctetString.getInstance(kb.getObjectAt(2)).getOctets()))
        .isEqualTo(HexFormat.of().withUpperCase().formatHex(key));
    ASN1Set headerSet =
        ASN1Set.getInstance(ASN1Sequence.getInstance(kb.getObjectAt(3)).getObjectAt(1));
    assertThat(
            new String(
                ASN1OctetString.getInstance(headerSet.getObjectAt(0)).getOctets(),
                StandardCharsets.US_ASCII))
        .isEqualTo(header);
  }

  /** {@code openssl cms -verify} without path validation (the signer certificate is given). */
  private void assertVerifies(String token, String signer, String out) throws Exception {
    Result r =
        openssl(
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-in",
            token,
            "-certfile",
            signer,
            "-noverify",
            "-binary",
            "-out",
            out);
    assertThat(r.exit).as(token + ": " + r.output).isZero();
    assertThat(r.output).contains("Verification successful");
  }

  private static String[] signArgs(
      String in, String out, String cert, String key, String eContentType, boolean attributes) {
    List<String> a =
        new java.util.ArrayList<>(
            List.of(
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-nocerts",
                "-md",
                "sha256",
                "-in",
                in,
                "-signer",
                cert,
                "-inkey",
                key,
                "-outform",
                "DER",
                "-out",
                out));
    a.add(attributes ? "-nosmimecap" : "-noattr");
    if (eContentType != null) {
      a.add("-econtent_type");
      a.add(eContentType);
    }
    return a.toArray(new String[0]);
  }

  private record Result(int exit, String output) {}

  static boolean opensslAvailable() {
    try {
      return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor()
          == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private Result openssl(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
