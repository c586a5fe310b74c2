package dev.keytransfer.crypto.tr34;

import static dev.keytransfer.crypto.internal.DerWriter.algorithm;
import static dev.keytransfer.crypto.internal.DerWriter.attribute;
import static dev.keytransfer.crypto.internal.DerWriter.contextConstructed;
import static dev.keytransfer.crypto.internal.DerWriter.contextPrimitive;
import static dev.keytransfer.crypto.internal.DerWriter.derSet;
import static dev.keytransfer.crypto.internal.DerWriter.integer;
import static dev.keytransfer.crypto.internal.DerWriter.nul;
import static dev.keytransfer.crypto.internal.DerWriter.octetString;
import static dev.keytransfer.crypto.internal.DerWriter.oid;
import static dev.keytransfer.crypto.internal.DerWriter.sequence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.internal.DerWriter;
import dev.keytransfer.crypto.testing.TestPki;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What real hosts emit (docs/PROTOCOL.md pitfalls 1, 2, 3, 5, 6), each built here on purpose around
 * one envelope and read by the terminal without weakening a check: the three EnvelopedData
 * dialects, any signed-attribute order (verified over the bytes received, never re-sorted),
 * untagged OAEP parameters, nonces of 8 to 16 bytes, SignedData version 1 or 3, rsaEncryption or
 * sha256WithRSAEncryption, extra attributes. The Annex B originals of each dialect are in {@link
 * Tr34AnnexBConformanceTest}.
 */
class Tr34DialectsTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static final Tr34TokenCodec codec = new Tr34TokenCodec(crypto);
  private static final String KEY = "0123456789ABCDEFFEDCBA9876543210";
  private static final String HEADER = "A0256K0TB00E0000";
  private static TestPki.Leaf kdh;
  private static TestPki.Leaf krd;

  /** A 2019-corrigendum envelope (dialect c) of KEY for krd, taken from a token the codec built. */
  private static byte[] envelope;

  @BeforeAll
  static void setUp() throws Exception {
    TestPki pki = TestPki.create("Dialects");
    kdh = pki.validLeaf(Role.KDH, "Dialects KDH");
    krd = pki.validLeaf(Role.KRD, "Dialects KRD");
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(HexFormat.of().parseHex(KEY))) {
      byte[] token =
          codec
              .buildKeyToken(
                  KeyTokenRequest.twoPass(
                      kdh.certificate(),
                      kdh.key(),
                      krd.certificate(),
                      Nonce.random(crypto.secureRandom()),
                      KeyBlockHeader.parse(HEADER),
                      k,
                      List.of()))
              .encoded();
      envelope = Tr34Cms.parseSignedData(token, Tr34Tolerance.NONE).eContent;
    }
  }

  // ---------------------------------------------------------------- building tokens by hand

  private static byte[] contentType() {
    return attribute(Tr34Oids.CONTENT_TYPE, oid(Tr34Oids.ENVELOPED_DATA));
  }

  private static byte[] nonce(byte[] n) {
    return attribute(Tr34Oids.RANDOM_NONCE, octetString(n));
  }

  private static byte[] header() {
    return attribute(
        Tr34Oids.DATA, octetString(HEADER.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
  }

  private static byte[] digest(byte[] content) {
    return attribute(Tr34Oids.MESSAGE_DIGEST, octetString(crypto.sha256(content)));
  }

  /**
   * A two-pass key token over {@code content}, its attributes signed and sent in the order given.
   */
  private static byte[] token(
      int version, String signatureAlgorithm, byte[] content, byte[]... attributes)
      throws KeyTransferException {
    byte[] set = DerWriter.setAsGiven(attributes);
    return token(
        version,
        Tr34Oids.SHA256,
        signatureAlgorithm,
        content,
        set,
        crypto.sign(kdh.key(), Algorithms.Signature.RSA_PKCS1_SHA256, set));
  }

  private static byte[] token(
      int version,
      String digestAlgorithm,
      String signatureAlgorithm,
      byte[] content,
      byte[] set,
      byte[] signature) {
    byte[] attrs = set.clone();
    attrs[0] = (byte) 0xA0;
    byte[] signerInfo =
        sequence(
            integer(1),
            Tr34TokenCodec.issuerAndSerial(IssuerAndSerial.of(kdh.certificate())),
            algorithm(digestAlgorithm, null),
            attrs,
            algorithm(signatureAlgorithm, nul()),
            octetString(signature));
    return sequence(
        oid(Tr34Oids.SIGNED_DATA),
        contextConstructed(
            0,
            sequence(
                integer(version),
                derSet(algorithm(Tr34Oids.SHA256, null)),
                sequence(oid(Tr34Oids.ENVELOPED_DATA), contextConstructed(0, octetString(content))),
                derSet(signerInfo))));
  }

  private static byte[] standard(byte[] content) throws KeyTransferException {
    return token(
        1,
        Tr34Oids.RSA_ENCRYPTION,
        content,
        contentType(),
        nonce(new byte[16]),
        header(),
        digest(content));
  }

  private static VerifiedKeyToken verify(byte[] token) throws KeyTransferException {
    return codec.verifyKeyToken(codec.decodeKeyToken(token), kdh.certificate());
  }

  private static void assertOpensToKey(byte[] token) throws KeyTransferException {
    VerifiedKeyToken v = verify(token);
    try (KeyBlock b = codec.decryptKeyToken(v, krd.key(), krd.certificate())) {
      assertThat(HexFormat.of().withUpperCase().formatHex(b.key().copyBytes())).isEqualTo(KEY);
      assertThat(b.header()).isEqualTo(v.header());
    }
  }

  /**
   * The envelope rewritten into dialect a (2012 / AWS) or b (2019 first print), OAEP parameters as
   * {@code oaep}.
   */
  private static byte[] dialect(char d, byte[] oaep) throws MalformedTokenException {
    EnvelopeFields f = EnvelopeFields.of(envelope);
    String cea = f.algorithm();
    byte[] iv = f.iv();
    byte[] content = f.encryptedContent();
    byte[] recipients =
        derSet(
            sequence(
                integer(0),
                f.recipientId(),
                algorithm(Tr34Oids.RSAES_OAEP, oaep),
                octetString(f.encryptedKey())));
    byte[] inside =
        sequence(
            oid(Tr34Oids.DATA), sequence(oid(cea), octetString(iv), contextPrimitive(0, content)));
    byte[] after =
        sequence(oid(Tr34Oids.DATA), algorithm(cea, octetString(iv)), contextPrimitive(0, content));
    return switch (d) {
      case 'a' -> DerWriter.concat(integer(0), recipients, inside);
      case 'b' -> sequence(integer(0), recipients, inside);
      default -> sequence(integer(0), recipients, after);
    };
  }

  private static byte[] untaggedOaep(String hash) {
    return sequence(
        algorithm(hash, nul()),
        algorithm(Tr34Oids.MGF1, algorithm(hash, null)),
        algorithm(Tr34Oids.P_SPECIFIED, octetString(new byte[0])));
  }

  private static byte[] taggedOaep() {
    return sequence(
        contextConstructed(0, algorithm(Tr34Oids.SHA256, nul())),
        contextConstructed(1, algorithm(Tr34Oids.MGF1, algorithm(Tr34Oids.SHA256, nul()))));
  }

  // ---------------------------------------------------------------- pitfall 1: three dialects

  @ParameterizedTest(name = "dialect {0}")
  @ValueSource(chars = {'a', 'b', 'c'})
  void keyToken_eachEnvelopeDialect_verifiesAndDecrypts(char d) throws Exception {
    // a: 2012 / AWS (no SEQUENCE, [0] inside the algorithm); b: 2019 first print; c: corrigendum
    byte[] env = dialect(d, d == 'c' ? taggedOaep() : untaggedOaep(Tr34Oids.SHA256));
    assertOpensToKey(standard(env));
  }

  // ---------------------------------------------------------------- pitfall 3: OAEP parameters

  @ParameterizedTest(name = "dialect {0}")
  @ValueSource(chars = {'a', 'c'})
  void oaepParameters_taggedOrUntagged_bothReadAsSha256(char d) throws Exception {
    assertOpensToKey(standard(dialect(d, taggedOaep())));
    assertOpensToKey(standard(dialect(d, untaggedOaep(Tr34Oids.SHA256))));
  }

  @Test
  void oaepParameters_sha1_refusedWithTheUniformError() throws Exception {
    // P5: the algorithm comes from policy; SHA-1 OAEP is never accepted because a token says so
    VerifiedKeyToken v = verify(standard(dialect('a', untaggedOaep("1.3.14.3.2.26"))));
    assertThatThrownBy(() -> codec.decryptKeyToken(v, krd.key(), krd.certificate()))
        .isInstanceOf(KeyTokenException.class)
        .hasMessage(KeyTokenException.DECRYPTION_FAILED)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.KEY_TOKEN_INVALID);
  }

  // ---------------------------------------------------------------- pitfall 2: attribute order

  @Test
  void signedAttributes_everyOrder_verifiedOverTheBytesAsReceived() throws Exception {
    byte[][] attrs = {contentType(), nonce(new byte[16]), header(), digest(envelope)};
    int orders = 0;
    for (List<Integer> p : permutations(List.of(0, 1, 2, 3))) {
      byte[][] ordered = new byte[4][];
      for (int i = 0; i < 4; i++) {
        ordered[i] = attrs[p.get(i)];
      }
      assertOpensToKey(token(1, Tr34Oids.RSA_ENCRYPTION, envelope, ordered));
      orders++;
    }
    assertThat(orders).isEqualTo(24);
  }

  @Test
  void signedAttributes_signedSortedButSentUnsorted_refused() throws Exception {
    // a verifier that re-sorted the attributes would accept this; we hash what was received (B.9 is
    // the reverse case)
    byte[] sent =
        DerWriter.setAsGiven(contentType(), nonce(new byte[16]), header(), digest(envelope));
    byte[] sorted =
        DerWriter.derSet(contentType(), nonce(new byte[16]), header(), digest(envelope));
    assertThat(sent).isNotEqualTo(sorted);
    byte[] token =
        token(
            1,
            Tr34Oids.SHA256,
            Tr34Oids.RSA_ENCRYPTION,
            envelope,
            sent,
            crypto.sign(kdh.key(), Algorithms.Signature.RSA_PKCS1_SHA256, sorted));
    assertThatThrownBy(() -> verify(token))
        .isInstanceOf(SignatureInvalidException.class)
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.SIGNATURE_INVALID);
  }

  // ---------------------------------------------------------------- pitfall 5: nonce length

  @ParameterizedTest(name = "{0}-byte nonce")
  @ValueSource(ints = {8, 12, 16})
  void nonce_8to16Bytes_accepted(int length) throws Exception {
    byte[] n = new byte[length];
    crypto.secureRandom().nextBytes(n);
    VerifiedKeyToken v =
        verify(
            token(
                1,
                Tr34Oids.RSA_ENCRYPTION,
                envelope,
                contentType(),
                nonce(n),
                header(),
                digest(envelope)));
    assertThat(v.nonce()).contains(Nonce.of(n));
  }

  @ParameterizedTest(name = "{0}-byte nonce")
  @ValueSource(ints = {0, 7, 17, 32})
  void nonce_outside8to16Bytes_refused(int length) throws Exception {
    byte[] token =
        token(
            1,
            Tr34Oids.RSA_ENCRYPTION,
            envelope,
            contentType(),
            nonce(new byte[length]),
            header(),
            digest(envelope));
    assertThatThrownBy(() -> verify(token))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("nonce");
  }

  // ---------------------------------------------------------------- pitfall 6: version,
  // algorithms, extras

  @ParameterizedTest(name = "SignedData v{0}, {1}")
  @CsvSource({
    "1, 1.2.840.113549.1.1.1",
    "1, 1.2.840.113549.1.1.11",
    "3, 1.2.840.113549.1.1.1",
    "3, 1.2.840.113549.1.1.11"
  })
  void versionAndSignatureAlgorithm_bothForms_accepted(int version, String signatureAlgorithm)
      throws Exception {
    assertOpensToKey(
        token(
            version,
            signatureAlgorithm,
            envelope,
            contentType(),
            nonce(new byte[16]),
            header(),
            digest(envelope)));
  }

  @Test
  void versionOrAlgorithmsOutsidePolicy_refused() throws Exception {
    byte[][] attrs = {contentType(), nonce(new byte[16]), header(), digest(envelope)};
    assertThatThrownBy(() -> verify(token(2, Tr34Oids.RSA_ENCRYPTION, envelope, attrs)))
        .isInstanceOf(MalformedTokenException.class);
    // RSASSA-PSS declared: P5, the signature algorithm comes from policy
    assertThatThrownBy(() -> verify(token(1, "1.2.840.113549.1.1.10", envelope, attrs)))
        .isInstanceOf(SignatureInvalidException.class);
    byte[] set = DerWriter.setAsGiven(attrs);
    byte[] sig = crypto.sign(kdh.key(), Algorithms.Signature.RSA_PKCS1_SHA256, set);
    assertThatThrownBy(
            () ->
                verify(
                    token(
                        1, "1.3.14.3.2.26", Tr34Oids.RSA_ENCRYPTION, envelope, set, sig))) // SHA-1
        .isInstanceOf(SignatureInvalidException.class)
        .hasMessageContaining("digest algorithm");
  }

  @Test
  void extraAttributes_signingTimeAndCmsAlgorithmProtection_accepted() throws Exception {
    // what a BouncyCastle-based KDH adds (clover): signingTime, CMSAlgorithmProtection, in DER
    // order
    byte[] protection =
        attribute(
            Tr34Oids.CMS_ALGORITHM_PROTECTION,
            sequence(
                algorithm(Tr34Oids.SHA256, null),
                contextConstructed(1, oid(Tr34Oids.SHA256_WITH_RSA), nul())));
    byte[] time =
        attribute(Tr34Oids.SIGNING_TIME, DerWriter.time(Instant.parse("2026-11-24T22:17:50Z")));
    byte[] set =
        DerWriter.derSet(
            contentType(), nonce(new byte[16]), header(), digest(envelope), time, protection);
    byte[] token =
        token(
            3,
            Tr34Oids.SHA256,
            Tr34Oids.SHA256_WITH_RSA,
            envelope,
            set,
            crypto.sign(kdh.key(), Algorithms.Signature.RSA_PKCS1_SHA256, set));
    assertOpensToKey(token);
    assertThat(verify(token).signingTime()).contains(Instant.parse("2026-11-24T22:17:50Z"));
    // SHALL (P1, P3): with its nonce, it stays a two-pass token even though it has a signingTime
    assertThatThrownBy(
            () ->
                codec.verifyOnePassKeyToken(codec.decodeOnePassKeyToken(token), kdh.certificate()))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("randomNonce");
  }

  // ---------------------------------------------------------------- what stays strict

  @Test
  void attributes_duplicateMissingOrWrong_refused() throws Exception {
    assertThatThrownBy(
            () ->
                verify(
                    token(
                        1,
                        Tr34Oids.RSA_ENCRYPTION,
                        envelope,
                        contentType(),
                        nonce(new byte[8]),
                        nonce(new byte[8]),
                        header(),
                        digest(envelope))))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(
            () ->
                verify(
                    token(
                        1,
                        Tr34Oids.RSA_ENCRYPTION,
                        envelope,
                        contentType(),
                        nonce(new byte[8]),
                        header())))
        .isInstanceOf(MalformedTokenException.class)
        .hasMessageContaining(Tr34Oids.MESSAGE_DIGEST);
    assertThatThrownBy(
            () ->
                verify(
                    token(
                        1,
                        Tr34Oids.RSA_ENCRYPTION,
                        envelope,
                        attribute(Tr34Oids.CONTENT_TYPE, oid(Tr34Oids.DATA)),
                        nonce(new byte[8]),
                        header(),
                        digest(envelope))))
        .isInstanceOf(SignatureInvalidException.class)
        .hasMessageContaining("contentType");
    assertThatThrownBy(
            () ->
                verify(
                    token(
                        1,
                        Tr34Oids.RSA_ENCRYPTION,
                        envelope,
                        contentType(),
                        nonce(new byte[8]),
                        header(),
                        digest(dialect('a', untaggedOaep(Tr34Oids.SHA256))))))
        .isInstanceOf(SignatureInvalidException.class)
        .hasMessageContaining("messageDigest");
  }

  private static List<List<Integer>> permutations(List<Integer> items) {
    if (items.isEmpty()) {
      return List.of(List.of());
    }
    List<List<Integer>> out = new ArrayList<>();
    for (Integer first : items) {
      List<Integer> rest = new ArrayList<>(items);
      rest.remove(first);
      for (List<Integer> p : permutations(rest)) {
        List<Integer> l = new ArrayList<>();
        l.add(first);
        l.addAll(p);
        out.add(l);
      }
    }
    return out;
  }
}
