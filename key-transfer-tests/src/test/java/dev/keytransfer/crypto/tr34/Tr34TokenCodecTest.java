package dev.keytransfer.crypto.tr34;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.message.CaRebindToken;
import dev.keytransfer.core.message.CaUnbindToken;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.KdhOnePassKeyToken;
import dev.keytransfer.core.message.KdhRebindToken;
import dev.keytransfer.core.message.KdhUnbindToken;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.SignerRole;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.core.spi.VerifiedRebind;
import dev.keytransfer.core.spi.VerifiedUnbind;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.internal.DerReader;
import dev.keytransfer.crypto.internal.DerReader.Tlv;
import dev.keytransfer.crypto.internal.DerWriter;
import dev.keytransfer.crypto.testing.TestPki;
import java.security.KeyPair;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both sides of every TR-34 token (TR-34 Annex B) in both output profiles: what the codec builds it
 * opens, with the fields a terminal must check; what was altered, signed by another or addressed
 * wrongly is refused (P4, C11); and the TR34_2012 profile has exactly the AWS layout.
 */
class Tr34TokenCodecTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static TestPki pki;
  private static TestPki.Leaf kdh;
  private static TestPki.Leaf newKdh;
  private static TestPki.Leaf krd;
  private static SoftwareKeyHandle authorityKey;
  private static final String KEY = "0123456789ABCDEFFEDCBA9876543210";
  private static KeyBlockHeader HEADER;

  @BeforeAll
  static void setUp() throws Exception {
    HEADER = KeyBlockHeader.parse("A0256K0TB00E0000");
    pki = TestPki.create("Codec");
    kdh = pki.validLeaf(Role.KDH, "Codec KDH 1");
    newKdh = pki.validLeaf(Role.KDH, "Codec KDH 2");
    krd = pki.validLeaf(Role.KRD, "Codec KRD");
    // the higher-level authority of UBT-CA / RBT-CA; in Annex B it is CA KRD
    authorityKey =
        SoftwareKeyHandle.of(new KeyPair(pki.krdCa.getPublicKey(), pki.caKey(pki.krdCa)), "CA KRD");
  }

  private static Tr34TokenCodec codec(Tr34Profile p) {
    return new Tr34TokenCodec(crypto, p);
  }

  private static IssuerAndSerial krdId() {
    return IssuerAndSerial.of(krd.certificate());
  }

  private static IssuerAndSerial kdhId() {
    return IssuerAndSerial.of(kdh.certificate());
  }

  private static KdhKeyToken twoPass(Tr34Profile p, Nonce nonce) throws KeyTransferException {
    return twoPass(p, nonce, pki.kdhPathCrls());
  }

  private static KdhKeyToken twoPass(Tr34Profile p, Nonce nonce, List<X509CRL> crls)
      throws KeyTransferException {
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(HexFormat.of().parseHex(KEY))) {
      return (KdhKeyToken)
          codec(p)
              .buildKeyToken(
                  KeyTokenRequest.twoPass(
                      kdh.certificate(), kdh.key(), krd.certificate(), nonce, HEADER, k, crls));
    }
  }

  private static KdhOnePassKeyToken onePass(Tr34Profile p, Instant time)
      throws KeyTransferException {
    return onePass(p, time, pki.kdhPathCrls());
  }

  private static KdhOnePassKeyToken onePass(Tr34Profile p, Instant time, List<X509CRL> crls)
      throws KeyTransferException {
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(HexFormat.of().parseHex(KEY))) {
      return (KdhOnePassKeyToken)
          codec(p)
              .buildKeyToken(
                  KeyTokenRequest.onePass(
                      kdh.certificate(), kdh.key(), krd.certificate(), time, HEADER, k, crls));
    }
  }

  // ---------------------------------------------------------------- key tokens

  @ParameterizedTest
  @EnumSource(Tr34Profile.class)
  void twoPass_builtInEachProfile_verifiesAndDecrypts(Tr34Profile profile) throws Exception {
    Nonce nonce =
        Nonce.of(HexFormat.of().parseHex("7DEA1C00894E246A")); // 8 bytes, as AWS and B.11/B.14
    KdhKeyToken kt = twoPass(profile, nonce);
    Tr34TokenCodec reader = codec(Tr34Profile.TR34_2019); // the terminal reads every profile
    VerifiedKeyToken v =
        reader.verifyKeyToken(reader.decodeKeyToken(kt.encoded()), kdh.certificate());
    assertThat(v.nonce()).contains(nonce);
    assertThat(v.signingTime()).isEmpty();
    assertThat(v.header()).isEqualTo(HEADER);
    assertThat(v.crls()).hasSize(profile == Tr34Profile.TR34_2012 ? 0 : 2);
    try (KeyBlock b = reader.decryptKeyToken(v, krd.key(), krd.certificate())) {
      assertThat(HexFormat.of().withUpperCase().formatHex(b.key().copyBytes())).isEqualTo(KEY);
      assertThat(b.kdhId()).isEqualTo(kdhId());
      assertThat(b.header()).isEqualTo(HEADER);
    }
  }

  @ParameterizedTest
  @EnumSource(Tr34Profile.class)
  void onePass_builtInEachProfile_carriesSigningTimeAndDecrypts(Tr34Profile profile)
      throws Exception {
    Instant time = Instant.parse("2020-02-10T19:13:53.750Z");
    KdhOnePassKeyToken kt = onePass(profile, time);
    Tr34TokenCodec reader = codec(Tr34Profile.TR34_2019);
    KdhOnePassKeyToken decoded = reader.decodeOnePassKeyToken(kt.encoded());
    assertThat(decoded.claimedSigner()).isEqualTo(kdhId());
    VerifiedKeyToken v = reader.verifyOnePassKeyToken(decoded, kdh.certificate());
    // TR-34 B.8: signingTime instead of a nonce, whole seconds
    assertThat(v.signingTime()).contains(time.truncatedTo(ChronoUnit.SECONDS));
    assertThat(v.nonce()).isEmpty();
    try (KeyBlock b = reader.decryptKeyToken(v, krd.key(), krd.certificate())) {
      assertThat(HexFormat.of().withUpperCase().formatHex(b.key().copyBytes())).isEqualTo(KEY);
    }
    assertThat(Tr34TokenInspector.classify(kt.encoded())).isEqualTo(Tr34TokenType.KT_KDH_ONE_PASS);
  }

  @Test
  void onePass_timeOutsideUtcTimeRange_usesGeneralizedTime() throws Exception {
    Instant time = Instant.parse("2051-01-01T00:00:00Z");
    VerifiedKeyToken v =
        codec(Tr34Profile.TR34_2019)
            .verifyOnePassKeyToken(onePass(Tr34Profile.TR34_2019, time), kdh.certificate());
    assertThat(v.signingTime()).contains(time);
  }

  @Test
  void onePassVerify_twoPassToken_refusedForMissingSigningTime() throws Exception {
    // SHALL (B.8): a one-pass token carries signingTime; a two-pass token is not one
    Tr34TokenCodec c = codec(Tr34Profile.TR34_2019);
    KdhOnePassKeyToken asOnePass =
        c.decodeOnePassKeyToken(
            twoPass(Tr34Profile.TR34_2019, Nonce.random(crypto.secureRandom())).encoded());
    assertThatThrownBy(() -> c.verifyOnePassKeyToken(asOnePass, kdh.certificate()))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("signingTime");
  }

  @Test
  void tr34_2012Profile_keyToken_hasTheAwsLayout() throws Exception {
    // a 16-byte nonce, as B.9: with AWS's 8-byte nonce this order happens to be DER order as well
    Nonce nonce = Nonce.of(HexFormat.of().parseHex("167EB0E72781E4940112233445566778"));
    byte[] token = twoPass(Tr34Profile.TR34_2012, nonce).encoded();
    Tr34Cms.ParsedSignedData p = Tr34Cms.parseSignedData(token, Tr34Tolerance.NONE);
    assertThat(p.version).isEqualTo(1); // SignedData v1
    assertThat(p.certificates).isEmpty(); // no certificates
    assertThat(p.crls).isEmpty(); // no CRL, although the request named two
    Tr34Cms.ParsedSigner s = p.signers.get(0);
    assertThat(s.signatureAlgorithm()).isEqualTo(Tr34Oids.RSA_ENCRYPTION);
    // signed attributes in the order contentType, nonce, header, messageDigest (not DER)
    assertThat(List.copyOf(Tr34Cms.parseAttributes(s.signedAttributes()).keySet()))
        .containsExactly(
            Tr34Oids.CONTENT_TYPE, Tr34Oids.RANDOM_NONCE, Tr34Oids.DATA, Tr34Oids.MESSAGE_DIGEST);
    assertThat(Tr34TokenInspector.describe(token))
        .contains("  signed attributes in transmission order (not DER)");
    // eContent: the EnvelopedData fields without their SEQUENCE; messageDigest over those octets
    assertThat(p.eContent[0]).isEqualTo((byte) DerReader.INTEGER);
    Tlv md =
        Tr34Cms.single(
            Tr34Cms.parseAttributes(s.signedAttributes()).get(Tr34Oids.MESSAGE_DIGEST),
            DerReader.OCTET_STRING);
    assertThat(md.value()).isEqualTo(crypto.sha256(p.eContent));
    DerReader env = new DerReader(p.eContent);
    env.smallInteger();
    DerReader ktri = env.expect(DerReader.SET).contents().sequence();
    ktri.smallInteger();
    ktri.sequence();
    DerReader alg = ktri.sequence();
    assertThat(alg.oid()).isEqualTo(Tr34Oids.RSAES_OAEP);
    DerReader params = alg.sequence();
    // OAEP parameters without context tags: three plain SEQUENCEs
    for (String expected : new String[] {Tr34Oids.SHA256, Tr34Oids.MGF1, Tr34Oids.P_SPECIFIED}) {
      assertThat(params.peekTag()).isEqualTo(DerReader.SEQUENCE);
      assertThat(params.sequence().oid()).isEqualTo(expected);
    }
    params.end();
    DerReader eci = env.sequence();
    eci.oid();
    DerReader cea = eci.sequence();
    cea.oid();
    cea.octetString();
    assertThat(cea.read().tag())
        .isEqualTo(0x80); // [0] encryptedContent inside the algorithm SEQUENCE
    cea.end();
    eci.end();
    env.end();
  }

  @Test
  void tr34_2019Profile_keyToken_isRfc5652() throws Exception {
    byte[] token = twoPass(Tr34Profile.TR34_2019, Nonce.random(crypto.secureRandom())).encoded();
    Tr34Cms.ParsedSignedData p = Tr34Cms.parseSignedData(token, Tr34Tolerance.NONE);
    assertThat(p.version).isEqualTo(3);
    assertThat(p.eContent[0]).isEqualTo((byte) DerReader.SEQUENCE);
    assertThat(p.crls).hasSize(2);
    assertThat(Tr34TokenInspector.describe(token))
        .contains("  signed attributes in DER order")
        .anyMatch(l -> l.contains("parameters tagged (RFC 4055)"));
  }

  // ---------------------------------------------------------------- unbind

  @ParameterizedTest
  @EnumSource(Tr34Profile.class)
  void kdhUnbind_roundTrip_returnsWhatTheTerminalChecks(Tr34Profile profile) throws Exception {
    Nonce nonce = Nonce.random(crypto.secureRandom());
    List<X509CRL> crls = pki.kdhPathCrls();
    KdhUnbindToken t =
        codec(profile).buildKdhUnbindToken(kdh.certificate(), kdh.key(), krdId(), nonce, crls);
    Tr34TokenCodec reader = codec(Tr34Profile.TR34_2019);
    KdhUnbindToken decoded = reader.decodeKdhUnbindToken(t.encoded());
    assertThat(decoded).isEqualTo(t);
    assertThat(decoded.claimedSigner()).isEqualTo(kdhId());
    VerifiedUnbind v = reader.verifyKdhUnbindToken(decoded, kdh.certificate());
    assertThat(v.signerRole()).isEqualTo(SignerRole.KDH);
    assertThat(v.signer()).isEqualTo(kdhId());
    assertThat(v.nonce()).contains(nonce);
    assertThat(v.krdId()).isEqualTo(krdId());
    assertThat(v.kdhId()).isEqualTo(kdhId()); // the KDH unbinds itself
    assertThat(v.crls()).hasSize(2);
    assertThat(Tr34TokenInspector.classify(t.encoded())).isEqualTo(Tr34TokenType.UBT_KDH);
  }

  @ParameterizedTest
  @EnumSource(Tr34Profile.class)
  void caUnbind_roundTrip_signatureOverTheContent(Tr34Profile profile) throws Exception {
    CaUnbindToken t = codec(profile).buildCaUnbindToken(pki.krdCa, authorityKey, krdId(), kdhId());
    Tr34TokenCodec reader = codec(Tr34Profile.TR34_2019);
    // TR-34 B.13: no signed attributes; content = IASN(KRD) || IASN(KDH), no SEQUENCE around them
    Tr34Cms.ParsedSignedData p = Tr34Cms.parseSignedData(t.encoded(), Tr34Tolerance.NONE);
    assertThat(p.signers.get(0).signedAttributes()).isNull();
    assertThat(p.eContent)
        .isEqualTo(
            DerWriter.concat(
                Tr34TokenCodec.issuerAndSerial(krdId()), Tr34TokenCodec.issuerAndSerial(kdhId())));
    VerifiedUnbind v =
        reader.verifyCaUnbindToken(reader.decodeCaUnbindToken(t.encoded()), pki.krdCa);
    assertThat(v.signerRole()).isEqualTo(SignerRole.CA);
    assertThat(v.signer()).isEqualTo(IssuerAndSerial.of(pki.krdCa));
    assertThat(v.krdId()).isEqualTo(krdId());
    assertThat(v.kdhId()).isEqualTo(kdhId());
    assertThat(v.nonce()).isEmpty();
    assertThat(v.crls()).isEmpty();
    assertThat(Tr34TokenInspector.classify(t.encoded())).isEqualTo(Tr34TokenType.UBT_CA);
  }

  // ---------------------------------------------------------------- rebind

  @ParameterizedTest
  @EnumSource(Tr34Profile.class)
  void kdhRebind_roundTrip_namesTheNewKdh(Tr34Profile profile) throws Exception {
    Nonce nonce = Nonce.random(crypto.secureRandom());
    KdhRebindToken t =
        codec(profile)
            .buildKdhRebindToken(
                kdh.certificate(), kdh.key(), krdId(), nonce, newKdh.chain(), pki.kdhPathCrls());
    Tr34TokenCodec reader = codec(Tr34Profile.TR34_2019);
    VerifiedRebind v =
        reader.verifyKdhRebindToken(reader.decodeKdhRebindToken(t.encoded()), kdh.certificate());
    assertThat(v.signerRole()).isEqualTo(SignerRole.KDH);
    assertThat(v.nonce()).contains(nonce);
    assertThat(v.krdId()).isEqualTo(krdId());
    assertThat(v.oldKdhId()).isEqualTo(kdhId());
    assertThat(v.newKdhCertificate()).isEqualTo(newKdh.certificate());
    assertThat(v.newKdh().issuers()).containsExactly(pki.kdhCa);
    assertThat(v.newKdhId()).isEqualTo(IssuerAndSerial.of(newKdh.certificate()));
    assertThat(v.crls()).hasSize(2);
    assertThat(Tr34TokenInspector.classify(t.encoded())).isEqualTo(Tr34TokenType.RBT_KDH);
    // TR34_2012 writes the inner SignedData without its SEQUENCE, as B.11 does; TR34_2019 complete
    byte[] inner = Tr34Cms.parseSignedData(t.encoded(), Tr34Tolerance.NONE).eContent;
    assertThat(inner[0])
        .isEqualTo(
            profile == Tr34Profile.TR34_2012
                ? (byte) DerReader.INTEGER
                : (byte) DerReader.SEQUENCE);
  }

  @ParameterizedTest
  @EnumSource(Tr34Profile.class)
  void caRebind_roundTrip_namesOldAndNewKdh(Tr34Profile profile) throws Exception {
    Instant time = Instant.parse("2012-01-31T13:22:14Z");
    CaRebindToken t =
        codec(profile)
            .buildCaRebindToken(
                pki.krdCa,
                authorityKey,
                krdId(),
                kdhId(),
                CertificateChain.of(newKdh.certificate()),
                time,
                List.of());
    Tr34TokenCodec reader = codec(Tr34Profile.TR34_2019);
    VerifiedRebind v =
        reader.verifyCaRebindToken(reader.decodeCaRebindToken(t.encoded()), pki.krdCa);
    assertThat(v.signerRole()).isEqualTo(SignerRole.CA);
    assertThat(v.signingTime()).contains(time);
    assertThat(v.nonce()).isEmpty();
    assertThat(v.krdId()).isEqualTo(krdId());
    assertThat(v.oldKdhId()).isEqualTo(kdhId());
    assertThat(v.newKdhCertificate()).isEqualTo(newKdh.certificate());
    assertThat(v.crls()).isEmpty();
    assertThat(Tr34TokenInspector.classify(t.encoded())).isEqualTo(Tr34TokenType.RBT_CA);
  }

  @Test
  void rebindWithoutInnerSequence_refusedWithoutItsTolerance() throws Exception {
    CaRebindToken t =
        codec(Tr34Profile.TR34_2012)
            .buildCaRebindToken(
                pki.krdCa,
                authorityKey,
                krdId(),
                kdhId(),
                CertificateChain.of(newKdh.certificate()),
                Instant.now(),
                List.of());
    Tr34TokenCodec strict = new Tr34TokenCodec(crypto, Tr34Profile.TR34_2019, Tr34Tolerance.NONE);
    assertThatThrownBy(() -> strict.decodeCaRebindToken(t.encoded()))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("REBIND_CONTENT_WITHOUT_SEQUENCE");
  }

  // ---------------------------------------------------------------- refusals

  /** One token of each signed type, with the certificate that verifies it and how. */
  private interface Verify {
    void run(Tr34TokenCodec c, byte[] token, java.security.cert.X509Certificate cert)
        throws KeyTransferException;
  }

  private record Signed(
      String name, byte[] token, java.security.cert.X509Certificate signer, Verify verify) {}

  private static List<Signed> signedTokens(Tr34Profile p) throws KeyTransferException {
    Tr34TokenCodec c = codec(p);
    Nonce n = Nonce.random(crypto.secureRandom());
    List<Signed> out = new ArrayList<>();
    out.add(
        new Signed(
            "KT-KDH 2-pass",
            twoPass(p, n).encoded(),
            kdh.certificate(),
            (r, t, cert) -> r.verifyKeyToken(r.decodeKeyToken(t), cert)));
    out.add(
        new Signed(
            "KT-KDH 1-pass",
            onePass(p, Instant.now()).encoded(),
            kdh.certificate(),
            (r, t, cert) -> r.verifyOnePassKeyToken(r.decodeOnePassKeyToken(t), cert)));
    out.add(
        new Signed(
            "UBT-KDH",
            c.buildKdhUnbindToken(kdh.certificate(), kdh.key(), krdId(), n, pki.kdhPathCrls())
                .encoded(),
            kdh.certificate(),
            (r, t, cert) -> r.verifyKdhUnbindToken(r.decodeKdhUnbindToken(t), cert)));
    out.add(
        new Signed(
            "UBT-CA",
            c.buildCaUnbindToken(pki.krdCa, authorityKey, krdId(), kdhId()).encoded(),
            pki.krdCa,
            (r, t, cert) -> r.verifyCaUnbindToken(r.decodeCaUnbindToken(t), cert)));
    out.add(
        new Signed(
            "RBT-KDH",
            c.buildKdhRebindToken(
                    kdh.certificate(), kdh.key(), krdId(), n, newKdh.chain(), List.of())
                .encoded(),
            kdh.certificate(),
            (r, t, cert) -> r.verifyKdhRebindToken(r.decodeKdhRebindToken(t), cert)));
    out.add(
        new Signed(
            "RBT-CA",
            c.buildCaRebindToken(
                    pki.krdCa,
                    authorityKey,
                    krdId(),
                    kdhId(),
                    newKdh.chain(),
                    Instant.now(),
                    List.of())
                .encoded(),
            pki.krdCa,
            (r, t, cert) -> r.verifyCaRebindToken(r.decodeCaRebindToken(t), cert)));
    return out;
  }

  @ParameterizedTest
  @EnumSource(Tr34Profile.class)
  void everySignedToken_otherSignerCertificate_signerNotBound(Tr34Profile profile)
      throws Exception {
    Tr34TokenCodec reader = codec(Tr34Profile.TR34_2019);
    for (Signed s : signedTokens(profile)) {
      s.verify().run(reader, s.token(), s.signer());
      assertThatThrownBy(() -> s.verify().run(reader, s.token(), newKdh.certificate()))
          .as(s.name())
          .isInstanceOf(SignatureInvalidException.class)
          .extracting(e -> ((KeyTransferException) e).code())
          .isEqualTo(ErrorCode.SIGNER_NOT_BOUND);
    }
  }

  @ParameterizedTest
  @EnumSource(Tr34Profile.class)
  void everySignedToken_anyBitFlippedInWhatIsSigned_refused(Tr34Profile profile) throws Exception {
    // SHALL (P4, R5): any altered byte of the content, the signed attributes or the signature is
    // refused, and a token cut short is malformed; only the SDK's checked exceptions come out
    Tr34TokenCodec reader = codec(Tr34Profile.TR34_2019);
    for (Signed s : signedTokens(profile)) {
      byte[] token = s.token();
      Tr34Cms.ParsedSignedData p = Tr34Cms.parseSignedData(token, Tr34Tolerance.DEFAULTS);
      Tr34Cms.ParsedSigner signer = p.signers.get(0);
      List<int[]> signed = new ArrayList<>();
      signed.add(range(token, p.eContent));
      signed.add(range(token, signer.signature()));
      if (signer.signedAttributes() != null) {
        signed.add(new int[] {signer.signedAttributes().start(), signer.signedAttributes().end()});
      }
      for (int[] r : signed) {
        int step = Math.max(1, (r[1] - r[0]) / 100);
        for (int i = r[0]; i < r[1]; i += step) {
          byte[] bad = token.clone();
          bad[i] ^= 0x01;
          int at = i;
          assertThatThrownBy(() -> s.verify().run(reader, bad, s.signer()))
              .as("%s byte %d", s.name(), at)
              .isInstanceOf(KeyTransferException.class);
        }
      }
      int step = Math.max(1, token.length / 100);
      for (int len = 0; len < token.length; len += step) {
        byte[] cut = java.util.Arrays.copyOf(token, len);
        assertThatThrownBy(() -> s.verify().run(reader, cut, s.signer()))
            .as("%s cut at %d", s.name(), cut.length)
            .isInstanceOf(MalformedTokenException.class);
      }
    }
  }

  /** Where {@code part} lies in {@code token}. */
  private static int[] range(byte[] token, byte[] part) {
    for (int i = 0; i + part.length <= token.length; i++) {
      if (java.util.Arrays.equals(token, i, i + part.length, part, 0, part.length)) {
        return new int[] {i, i + part.length};
      }
    }
    throw new AssertionError("not found");
  }

  @Test
  void decoders_tokenOfAnotherType_malformed() throws Exception {
    Tr34TokenCodec c = codec(Tr34Profile.TR34_2019);
    byte[] ubtKdh =
        c.buildKdhUnbindToken(
                kdh.certificate(),
                kdh.key(),
                krdId(),
                Nonce.random(crypto.secureRandom()),
                List.of())
            .encoded();
    byte[] ubtCa = c.buildCaUnbindToken(pki.krdCa, authorityKey, krdId(), kdhId()).encoded();
    byte[] rbtKdh =
        c.buildKdhRebindToken(
                kdh.certificate(),
                kdh.key(),
                krdId(),
                Nonce.random(crypto.secureRandom()),
                newKdh.chain(),
                List.of())
            .encoded();
    byte[] kt = twoPass(Tr34Profile.TR34_2019, Nonce.random(crypto.secureRandom())).encoded();
    assertThatThrownBy(() -> c.decodeCaUnbindToken(ubtKdh))
        .isInstanceOf(MalformedTokenException.class);
    assertThatThrownBy(() -> c.decodeKdhUnbindToken(ubtCa))
        .isInstanceOf(MalformedTokenException.class);
    assertThatThrownBy(() -> c.decodeCaRebindToken(rbtKdh))
        .isInstanceOf(MalformedTokenException.class);
    assertThatThrownBy(() -> c.decodeKdhRebindToken(kt))
        .isInstanceOf(MalformedTokenException.class);
    assertThatThrownBy(() -> c.decodeKeyToken(ubtKdh)).isInstanceOf(MalformedTokenException.class);
    assertThatThrownBy(() -> c.decodeKdhCredential(rbtKdh))
        .isInstanceOf(MalformedTokenException.class);
  }

  @Test
  void unbindVerify_tokenWithoutNonce_refused() throws Exception {
    // SHALL (B.14): UBT-KDH carries the terminal's nonce; a KDH-signed id-data token without one is
    // refused
    Tr34TokenCodec c = codec(Tr34Profile.TR34_2019);
    byte[] noNonce =
        c.buildCaUnbindToken(kdh.certificate(), kdh.key(), krdId(), kdhId())
            .encoded(); // 2 ids, no attrs
    assertThatThrownBy(() -> c.decodeKdhUnbindToken(noNonce))
        .isInstanceOf(MalformedTokenException.class);
    KdhUnbindToken forged = new KdhUnbindToken(Bytes.copyOf(noNonce), kdhId());
    assertThatThrownBy(() -> c.verifyKdhUnbindToken(forged, kdh.certificate()))
        .isInstanceOf(KeyTransferException.class);
  }

  @Test
  void messageCodec_newTokenTypes_roundTripThroughFrames() throws Exception {
    Tr34TokenCodec c = codec(Tr34Profile.TR34_2019);
    MessageCodec frames = new MessageCodec(c);
    List<HandshakeMessage> all = new ArrayList<>();
    for (Signed s : signedTokens(Tr34Profile.TR34_2019)) {
      switch (s.name()) {
        case "KT-KDH 1-pass" -> all.add(c.decodeOnePassKeyToken(s.token()));
        case "UBT-KDH" -> all.add(c.decodeKdhUnbindToken(s.token()));
        case "UBT-CA" -> all.add(c.decodeCaUnbindToken(s.token()));
        case "RBT-KDH" -> all.add(c.decodeKdhRebindToken(s.token()));
        case "RBT-CA" -> all.add(c.decodeCaRebindToken(s.token()));
        default -> all.add(c.decodeKeyToken(s.token()));
      }
    }
    for (HandshakeMessage m : all) {
      assertThat(frames.decode(frames.encode(m))).as(m.type().name()).isEqualTo(m);
    }
  }
}
