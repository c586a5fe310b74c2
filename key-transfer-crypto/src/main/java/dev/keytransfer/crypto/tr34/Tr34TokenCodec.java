package dev.keytransfer.crypto.tr34;

import static dev.keytransfer.crypto.internal.DerReader.malformed;
import static dev.keytransfer.crypto.internal.DerWriter.algorithm;
import static dev.keytransfer.crypto.internal.DerWriter.attribute;
import static dev.keytransfer.crypto.internal.DerWriter.concat;
import static dev.keytransfer.crypto.internal.DerWriter.contextConstructed;
import static dev.keytransfer.crypto.internal.DerWriter.contextPrimitive;
import static dev.keytransfer.crypto.internal.DerWriter.derSet;
import static dev.keytransfer.crypto.internal.DerWriter.integer;
import static dev.keytransfer.crypto.internal.DerWriter.nul;
import static dev.keytransfer.crypto.internal.DerWriter.octetString;
import static dev.keytransfer.crypto.internal.DerWriter.oid;
import static dev.keytransfer.crypto.internal.DerWriter.sequence;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.InternalErrorException;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.message.CaRebindToken;
import dev.keytransfer.core.message.CaUnbindToken;
import dev.keytransfer.core.message.KdhCredentialToken;
import dev.keytransfer.core.message.KdhEcdhKeyToken;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.KdhOnePassKeyToken;
import dev.keytransfer.core.message.KdhRebindToken;
import dev.keytransfer.core.message.KdhUnbindToken;
import dev.keytransfer.core.message.KrdCredentialToken;
import dev.keytransfer.core.message.KrdRandomToken;
import dev.keytransfer.core.message.Tr34Token;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.EcdhKeyRequest;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.SignerRole;
import dev.keytransfer.core.spi.TokenCodec;
import dev.keytransfer.core.spi.VerifiedEcdhKeyToken;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.core.spi.VerifiedRebind;
import dev.keytransfer.core.spi.VerifiedUnbind;
import dev.keytransfer.crypto.ecdh.EcdhKeyTokens;
import dev.keytransfer.crypto.internal.DerReader;
import dev.keytransfer.crypto.internal.DerReader.Tlv;
import dev.keytransfer.crypto.internal.DerWriter;
import dev.keytransfer.crypto.tr34.Tr34Cms.Envelope;
import dev.keytransfer.crypto.tr34.Tr34Cms.ParsedSignedData;
import dev.keytransfer.crypto.tr34.Tr34Cms.ParsedSigner;
import java.security.MessageDigest;
import java.security.cert.CRLException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The TR-34 token codec (TR-34 Annex B): builds and opens every TR-34 token, CT-KRD (B.7), CT-KDH
 * (B.6), RT-KRD (B.12), the two-pass and one-pass KT-KDH (B.9, B.8), UBT-KDH (B.14), UBT-CA (B.13),
 * RBT-KDH (B.11) and RBT-CA (B.10), on a byte-exact DER writer and a strict DER reader.
 *
 * <p>Emits the layout of its {@link Tr34Profile}: {@link Tr34Profile#TR34_2019} (the default, RFC
 * 5652 CMS, signed attributes in DER order) or {@link Tr34Profile#TR34_2012} (the AWS Payment
 * Cryptography and Annex B sample layout). Key tokens use RSA-OAEP SHA-256 key transport and
 * content encryption at least as strong as the transported key (K2); every signature is RSA PKCS#1
 * v1.5 over SHA-256, declared as rsaEncryption as in the samples.
 *
 * <p>Reads every layout whatever its profile: the key token in all three wire dialects
 * (docs/PROTOCOL.md pitfall 1), signatures verified over the signed attributes exactly as received
 * (pitfall 2), OAEP parameters with or without context tags (pitfall 3), nonces of 8 to 16 bytes
 * (pitfall 5), SignedData version 1 or 3, rsaEncryption or sha256WithRSAEncryption and extra
 * attributes such as signingTime and CMSAlgorithmProtection (pitfall 6), while the algorithms
 * themselves always come from policy: SHA-256, PKCS#1 v1.5 signature, OAEP SHA-256/MGF1-SHA-256
 * (docs/SECURITY.md P5). Signers and recipients are matched on issuer and serial. The malformed
 * Annex B samples are read only through the named {@link Tr34Tolerance}s the codec was built with
 * ({@link Tr34Tolerance#DEFAULTS} unless told). Thread-safe.
 */
public final class Tr34TokenCodec implements TokenCodec {
  /** Largest token accepted by the decoders (the transport limits frames first). */
  public static final int MAX_TOKEN_LENGTH = 256 * 1024;

  private final CryptoProvider crypto;
  private final Tr34Profile profile;
  private final Set<Tr34Tolerance> tolerances;

  /** KT-KDH-ECDH, the S4 answer of the ECDH mode (docs/ECDH.md). */
  private final EcdhKeyTokens ecdh;

  /** The CT-KDH encoded last, sent again while the chain and CRLs are the same. */
  private volatile KdhCredentialToken lastKdhCredential;

  public Tr34TokenCodec(CryptoProvider crypto) {
    this(crypto, Tr34Profile.TR34_2019);
  }

  public Tr34TokenCodec(CryptoProvider crypto, Tr34Profile profile) {
    this(crypto, profile, Tr34Tolerance.DEFAULTS);
  }

  /**
   * @param tolerances the departures from RFC 5652 the reader accepts ({@link
   *     Tr34Tolerance#DEFAULTS}, {@link Tr34Tolerance#NONE}, or a set of your own)
   */
  public Tr34TokenCodec(CryptoProvider crypto, Tr34Profile profile, Set<Tr34Tolerance> tolerances) {
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.profile = Objects.requireNonNull(profile, "profile");
    this.ecdh = new EcdhKeyTokens(crypto);
    Objects.requireNonNull(tolerances, "tolerances");
    this.tolerances =
        Collections.unmodifiableSet(
            tolerances.isEmpty()
                ? EnumSet.noneOf(Tr34Tolerance.class)
                : EnumSet.copyOf(tolerances));
  }

  public Tr34Profile profile() {
    return profile;
  }

  public Set<Tr34Tolerance> tolerances() {
    return tolerances;
  }

  // ---------------------------------------------------------------- credential tokens (B.6, B.7)

  @Override
  public KrdCredentialToken encodeKrdCredential(CertificateChain chain)
      throws KeyTransferException {
    return new KrdCredentialToken(
        Bytes.copyOf(degenerateSignedData(chain.certificates(), List.of())), chain);
  }

  @Override
  public KrdCredentialToken decodeKrdCredential(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = parseCredential(token);
    return new KrdCredentialToken(Bytes.copyOf(token), Tr34Cms.chainOf(p.certificates));
  }

  @Override
  public KdhCredentialToken encodeKdhCredential(CertificateChain chain, List<X509CRL> crls)
      throws KeyTransferException {
    // a host sends one CT-KDH until its chain or CRLs change: encoded once per change
    KdhCredentialToken last = lastKdhCredential;
    // (List.equals: the same objects, or equal encodings, in the same order)
    if (last != null
        && last.chain().certificates().equals(chain.certificates())
        && last.crls().equals(crls)) {
      return last;
    }
    KdhCredentialToken token =
        new KdhCredentialToken(
            Bytes.copyOf(degenerateSignedData(chain.certificates(), crls)), chain, crls);
    lastKdhCredential = token;
    return token;
  }

  @Override
  public KdhCredentialToken decodeKdhCredential(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = parseCredential(token);
    return new KdhCredentialToken(Bytes.copyOf(token), Tr34Cms.chainOf(p.certificates), p.crls);
  }

  /**
   * TR-34 B.3-B.7: SignedData version 1, no digest algorithms, id-data explicitly empty, no signer.
   */
  private static byte[] degenerateSignedData(List<X509Certificate> certs, List<X509CRL> crls)
      throws KeyTransferException {
    return contentInfo(
        signedDataFields(1, derSet(), Tr34Oids.DATA, new byte[0], certs, crls, derSet()));
  }

  private ParsedSignedData parseCredential(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = Tr34Cms.parseSignedData(token, tolerances);
    if (!Tr34Oids.DATA.equals(p.eContentType)) {
      throw malformed("credential token content type must be id-data");
    }
    if (p.certificates.isEmpty()) {
      throw malformed("credential token carries no certificate");
    }
    return p;
  }

  // ---------------------------------------------------------------- random token (B.12)

  @Override
  public KrdRandomToken encodeRandomToken(Nonce nonce) {
    return new KrdRandomToken(
        Bytes.copyOf(attribute(Tr34Oids.RANDOM_NONCE, octetString(nonce.bytes()))), nonce);
  }

  @Override
  public KrdRandomToken decodeRandomToken(byte[] token) throws MalformedTokenException {
    Tr34Cms.checkSize(token);
    try {
      DerReader top = new DerReader(token);
      DerReader attr = top.sequence();
      top.end();
      if (!Tr34Oids.RANDOM_NONCE.equals(attr.oid())) {
        throw malformed("random token must be a randomNonce attribute");
      }
      DerReader values = attr.expect(DerReader.SET).contents();
      attr.end();
      byte[] nonce = values.octetString();
      values.end();
      return new KrdRandomToken(Bytes.copyOf(token), Nonce.of(nonce));
    } catch (RuntimeException e) {
      throw malformed("random token is not well formed");
    }
  }

  // ---------------------------------------------------------------- key tokens (B.9, B.8): build

  @Override
  public Tr34Token buildKeyToken(KeyTokenRequest r) throws KeyTransferException {
    // TR-34 B.9 signs the terminal's nonce; B.8 a signingTime in its place
    boolean twoPass = r.freshness() instanceof KeyTokenRequest.TwoPass;
    byte[] freshness =
        twoPass
            ? attribute(
                Tr34Oids.RANDOM_NONCE,
                octetString(((KeyTokenRequest.TwoPass) r.freshness()).nonce().bytes()))
            : attribute(
                Tr34Oids.SIGNING_TIME,
                DerWriter.time(((KeyTokenRequest.OnePass) r.freshness()).signingTime()));
    Bytes der =
        Bytes.copyOf(
            keyToken(
                r.kdhCertificate(),
                r.kdhSigningKey(),
                r.krdCertificate(),
                freshness,
                r.header(),
                r.key(),
                r.crls()));
    IssuerAndSerial signer = IssuerAndSerial.of(r.kdhCertificate());
    return twoPass ? new KdhKeyToken(der, signer) : new KdhOnePassKeyToken(der, signer);
  }

  private byte[] keyToken(
      X509Certificate kdh,
      PrivateKeyHandle kdhKey,
      X509Certificate krd,
      byte[] freshness,
      KeyBlockHeader header,
      SecretKeyMaterial key,
      List<X509CRL> crls)
      throws KeyTransferException {
    header.checkKeyLength(key.length());
    Algorithms.ContentEncryption cea =
        Algorithms.ContentEncryption.atLeastAsStrongAs(header.algorithm(), key.length());
    byte[] keyBlock = null;
    byte[] cekBytes = new byte[cea.keyLength()];
    crypto.secureRandom().nextBytes(cekBytes);
    try (SecretKeyMaterial cek = SecretKeyMaterial.adopt(cekBytes)) {
      byte[] iv = new byte[cea.ivLength()];
      crypto.secureRandom().nextBytes(iv);
      keyBlock = keyBlock(kdh, key, header);
      byte[] encryptedContent = crypto.encrypt(cea, cek, iv, keyBlock);
      byte[] encryptedKey =
          crypto.encryptKey(krd.getPublicKey(), Algorithms.KeyTransport.RSA_OAEP_SHA256, cek);
      byte[] envelope = envelopedData(krd, encryptedKey, cea, iv, encryptedContent);
      // TR-34 B.9 / B.8: contentType, nonce or signingTime, header (type id-data), messageDigest
      byte[] signerInfo =
          signerInfo(
              kdh,
              kdhKey,
              envelope,
              attribute(Tr34Oids.CONTENT_TYPE, oid(Tr34Oids.ENVELOPED_DATA)),
              freshness,
              attribute(Tr34Oids.DATA, octetString(header.toBytes())),
              attribute(Tr34Oids.MESSAGE_DIGEST, octetString(crypto.sha256(envelope))));
      List<X509CRL> carried = profile == Tr34Profile.TR34_2012 ? List.of() : crls; // AWS: no CRL
      return contentInfo(
          signedDataFields(
              version(Tr34Oids.ENVELOPED_DATA),
              derSet(algorithm(Tr34Oids.SHA256, null)),
              Tr34Oids.ENVELOPED_DATA,
              envelope,
              List.of(),
              carried,
              derSet(signerInfo)));
    } finally {
      if (keyBlock != null) {
        Arrays.fill(keyBlock, (byte) 0);
      }
    }
  }

  /**
   * TR-34 Annex D KeyBlock: version 1, idKDH, clear key, header as an id-data attribute. Written
   * into one array so that the clear key lives only there and in one wiped copy.
   */
  private static byte[] keyBlock(
      X509Certificate kdh, SecretKeyMaterial key, KeyBlockHeader header) {
    byte[] before = concat(integer(1), issuerAndSerial(IssuerAndSerial.of(kdh)));
    byte[] after = attribute(Tr34Oids.DATA, octetString(header.toBytes()));
    byte[] k = key.copyBytes();
    try {
      byte[] keyHeader = DerWriter.header(DerReader.OCTET_STRING, k.length);
      int contentLength = before.length + keyHeader.length + k.length + after.length;
      byte[] outer = DerWriter.header(DerReader.SEQUENCE, contentLength);
      byte[] out = new byte[outer.length + contentLength];
      int at = 0;
      for (byte[] part : new byte[][] {outer, before, keyHeader, k, after}) {
        System.arraycopy(part, 0, out, at, part.length);
        at += part.length;
      }
      return out;
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  /**
   * EnvelopedData version 0 with one KeyTransRecipientInfo: TR34_2019 as RFC 5652 (SEQUENCE,
   * encryptedContent after the algorithm, RFC 4055 tagged OAEP parameters); TR34_2012 as AWS and
   * the 2012 samples (no SEQUENCE, encryptedContent inside the algorithm, untagged OAEP
   * parameters).
   */
  private byte[] envelopedData(
      X509Certificate krd,
      byte[] encryptedKey,
      Algorithms.ContentEncryption cea,
      byte[] iv,
      byte[] encryptedContent) {
    boolean tr2012 = profile == Tr34Profile.TR34_2012;
    byte[] oaepParams =
        tr2012
            ? sequence(
                algorithm(Tr34Oids.SHA256, nul()),
                algorithm(Tr34Oids.MGF1, algorithm(Tr34Oids.SHA256, null)),
                algorithm(Tr34Oids.P_SPECIFIED, octetString(new byte[0])))
            : sequence(
                contextConstructed(0, algorithm(Tr34Oids.SHA256, nul())),
                contextConstructed(1, algorithm(Tr34Oids.MGF1, algorithm(Tr34Oids.SHA256, nul()))));
    byte[] ktri =
        sequence(
            integer(0),
            issuerAndSerial(IssuerAndSerial.of(krd)),
            algorithm(Tr34Oids.RSAES_OAEP, oaepParams),
            octetString(encryptedKey));
    byte[] content = contextPrimitive(0, encryptedContent);
    byte[] eci =
        tr2012
            ? sequence(oid(Tr34Oids.DATA), sequence(oid(cea.oid()), octetString(iv), content))
            : sequence(oid(Tr34Oids.DATA), algorithm(cea.oid(), octetString(iv)), content);
    byte[] fields = concat(integer(0), derSet(ktri), eci);
    return tr2012 ? fields : sequence(fields);
  }

  // ---------------------------------------------------------------- key tokens: open

  @Override
  public KdhKeyToken decodeKeyToken(byte[] token) throws MalformedTokenException {
    return new KdhKeyToken(
        Bytes.copyOf(token), keyTokenSigner(Tr34Cms.parseSignedData(token, tolerances)).sid());
  }

  @Override
  public KdhOnePassKeyToken decodeOnePassKeyToken(byte[] token) throws MalformedTokenException {
    return new KdhOnePassKeyToken(
        Bytes.copyOf(token), keyTokenSigner(Tr34Cms.parseSignedData(token, tolerances)).sid());
  }

  private static ParsedSigner keyTokenSigner(ParsedSignedData p) throws MalformedTokenException {
    if (!Tr34Oids.ENVELOPED_DATA.equals(p.eContentType) || p.eContent == null) {
      throw malformed("key token content must be envelopedData");
    }
    return soleSigner(p, "key token");
  }

  @Override
  public VerifiedKeyToken verifyKeyToken(KdhKeyToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException {
    return verifyKey(token.encoded(), kdhCertificate);
  }

  @Override
  public VerifiedKeyToken verifyOnePassKeyToken(
      KdhOnePassKeyToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException {
    VerifiedKeyToken v = verifyKey(token.encoded(), kdhCertificate);
    if (v.signingTime().isEmpty()) {
      throw malformed("one-pass key token has no signingTime attribute"); // TR-34 B.8
    }
    if (v.nonce().isPresent()) {
      // a two-pass token (B.9) from a host that adds signingTime (BC does) was bound to one
      // session's
      // nonce: accepting it as one-pass would drop that binding (P1, P3)
      throw malformed(
          "one-pass key token carries a randomNonce: a two-pass token is not accepted as one-pass");
    }
    return v;
  }

  private VerifiedKeyToken verifyKey(byte[] encoded, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException {
    ParsedSignedData p = Tr34Cms.parseSignedData(encoded, tolerances);
    ParsedSigner s = keyTokenSigner(p);
    Map<String, Tlv> attrs = verifySigner(p, s, kdhCertificate, true);
    KeyBlockHeader header =
        KeyBlockHeader.parse(
            Tr34Cms.single(Tr34Cms.required(attrs, Tr34Oids.DATA), DerReader.OCTET_STRING).value());
    return new VerifiedKeyToken(
        Bytes.copyOf(encoded),
        s.sid(),
        nonce(attrs),
        signingTime(attrs),
        header,
        p.crls,
        Bytes.copyOf(p.eContent));
  }

  @Override
  public KeyBlock decryptKeyToken(
      VerifiedKeyToken token, PrivateKeyHandle krdKey, X509Certificate krdCertificate)
      throws KeyTokenException {
    return decrypt(
        token,
        krdKey,
        IssuerAndSerial.of(Objects.requireNonNull(krdCertificate, "krdCertificate")));
  }

  /**
   * Decrypts a verified key token that names exactly one recipient, without matching it against a
   * certificate: for tools that hold only the private key. A terminal uses the certificate form.
   */
  public KeyBlock decryptKeyTokenForSoleRecipient(VerifiedKeyToken token, PrivateKeyHandle krdKey)
      throws KeyTokenException {
    return decrypt(token, krdKey, null);
  }

  private KeyBlock decrypt(
      VerifiedKeyToken token, PrivateKeyHandle krdKey, IssuerAndSerial recipient)
      throws KeyTokenException {
    byte[] plaintext = null;
    try {
      Envelope env = Tr34Cms.parseEnvelope(token.envelope(), recipient);
      try (SecretKeyMaterial cek =
          crypto.decryptKey(krdKey, Algorithms.KeyTransport.RSA_OAEP_SHA256, env.encryptedKey())) {
        if (cek.length() != env.algorithm().keyLength()) {
          throw KeyTokenException.decryptionFailed();
        }
        plaintext = crypto.decrypt(env.algorithm(), cek, env.iv(), env.encryptedContent());
      }
      return Tr34Cms.parseKeyBlock(plaintext, env.algorithm());
    } catch (MalformedTokenException | RuntimeException e) {
      throw KeyTokenException.decryptionFailed();
    } finally {
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  // ---------------------------------------------------------------- unbind (B.14, B.13)

  @Override
  public KdhUnbindToken buildKdhUnbindToken(
      X509Certificate kdhCertificate,
      PrivateKeyHandle kdhSigningKey,
      IssuerAndSerial krdId,
      Nonce nonce,
      List<X509CRL> crls)
      throws KeyTransferException {
    // TR-34 B.14: id-data = IASN(KRD); contentType, randomNonce, messageDigest; the KDH CA's CRL
    byte[] content = issuerAndSerial(krdId);
    byte[] si =
        signerInfo(
            kdhCertificate,
            kdhSigningKey,
            content,
            attribute(Tr34Oids.CONTENT_TYPE, oid(Tr34Oids.DATA)),
            attribute(Tr34Oids.RANDOM_NONCE, octetString(nonce.bytes())),
            attribute(Tr34Oids.MESSAGE_DIGEST, octetString(crypto.sha256(content))));
    byte[] der =
        contentInfo(
            signedDataFields(
                version(Tr34Oids.DATA),
                derSet(algorithm(Tr34Oids.SHA256, null)),
                Tr34Oids.DATA,
                content,
                List.of(),
                crls,
                derSet(si)));
    return new KdhUnbindToken(Bytes.copyOf(der), IssuerAndSerial.of(kdhCertificate));
  }

  @Override
  public KdhUnbindToken decodeKdhUnbindToken(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = Tr34Cms.parseSignedData(token, tolerances);
    return new KdhUnbindToken(Bytes.copyOf(token), unbindShape(p, 1).sid());
  }

  @Override
  public VerifiedUnbind verifyKdhUnbindToken(KdhUnbindToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException {
    return verifyUnbind(token.encoded(), kdhCertificate, SignerRole.KDH);
  }

  @Override
  public CaUnbindToken buildCaUnbindToken(
      X509Certificate authorityCertificate,
      PrivateKeyHandle authoritySigningKey,
      IssuerAndSerial krdId,
      IssuerAndSerial kdhId)
      throws KeyTransferException {
    // TR-34 B.13: id-data = IASN(KRD) || IASN(KDH); no signed attributes, the signature covers the
    // content
    byte[] content = concat(issuerAndSerial(krdId), issuerAndSerial(kdhId));
    byte[] si = signerInfo(authorityCertificate, authoritySigningKey, content);
    byte[] der =
        contentInfo(
            signedDataFields(
                version(Tr34Oids.DATA),
                derSet(algorithm(Tr34Oids.SHA256, null)),
                Tr34Oids.DATA,
                content,
                List.of(),
                List.of(),
                derSet(si)));
    return new CaUnbindToken(Bytes.copyOf(der), IssuerAndSerial.of(authorityCertificate));
  }

  @Override
  public CaUnbindToken decodeCaUnbindToken(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = Tr34Cms.parseSignedData(token, tolerances);
    return new CaUnbindToken(Bytes.copyOf(token), unbindShape(p, 2).sid());
  }

  @Override
  public VerifiedUnbind verifyCaUnbindToken(
      CaUnbindToken token, X509Certificate authorityCertificate)
      throws SignatureInvalidException, MalformedTokenException {
    return verifyUnbind(token.encoded(), authorityCertificate, SignerRole.CA);
  }

  /**
   * UBT-KDH: one identifier, signed attributes with a nonce required, the signer is the KDH left;
   * UBT-CA: two identifiers (KRD, KDH), signed attributes optional.
   */
  private VerifiedUnbind verifyUnbind(byte[] encoded, X509Certificate certificate, SignerRole role)
      throws SignatureInvalidException, MalformedTokenException {
    boolean byKdh = role == SignerRole.KDH;
    ParsedSignedData p = Tr34Cms.parseSignedData(encoded, tolerances);
    ParsedSigner s = unbindShape(p, byKdh ? 1 : 2);
    Map<String, Tlv> attrs = verifySigner(p, s, certificate, byKdh);
    Optional<Nonce> nonce = nonce(attrs);
    if (byKdh && nonce.isEmpty()) {
      throw malformed("UBT-KDH has no randomNonce attribute"); // TR-34 B.14
    }
    List<IssuerAndSerial> ids = Tr34Cms.iasnList(p.eContent, byKdh ? 1 : 2);
    return new VerifiedUnbind(
        Bytes.copyOf(encoded),
        role,
        s.sid(),
        nonce,
        signingTime(attrs),
        ids.get(0),
        byKdh ? s.sid() : ids.get(1),
        p.crls);
  }

  /** An unbind token: id-data holding {@code ids} IssuerAndSerialNumber, one signer. */
  private static ParsedSigner unbindShape(ParsedSignedData p, int ids)
      throws MalformedTokenException {
    if (!Tr34Oids.DATA.equals(p.eContentType) || p.eContent == null) {
      throw malformed("unbind token content must be id-data");
    }
    Tr34Cms.iasnList(p.eContent, ids);
    return soleSigner(p, "unbind token");
  }

  // ---------------------------------------------------------------- rebind (B.11, B.10)

  @Override
  public KdhRebindToken buildKdhRebindToken(
      X509Certificate kdhCertificate,
      PrivateKeyHandle kdhSigningKey,
      IssuerAndSerial krdId,
      Nonce nonce,
      CertificateChain newKdh,
      List<X509CRL> crls)
      throws KeyTransferException {
    // TR-34 B.11: inner id-data = IASN(KRD) and the new KDH certificate; contentType, randomNonce,
    // messageDigest
    byte[] der =
        rebindToken(
            kdhCertificate,
            kdhSigningKey,
            issuerAndSerial(krdId),
            newKdh,
            attribute(Tr34Oids.RANDOM_NONCE, octetString(nonce.bytes())),
            crls);
    return new KdhRebindToken(Bytes.copyOf(der), IssuerAndSerial.of(kdhCertificate));
  }

  @Override
  public CaRebindToken buildCaRebindToken(
      X509Certificate authorityCertificate,
      PrivateKeyHandle authoritySigningKey,
      IssuerAndSerial krdId,
      IssuerAndSerial oldKdhId,
      CertificateChain newKdh,
      Instant signingTime,
      List<X509CRL> crls)
      throws KeyTransferException {
    // TR-34 B.10: inner id-data = IASN(KRD) || IASN(old KDH) and the new KDH certificate;
    // signingTime
    byte[] der =
        rebindToken(
            authorityCertificate,
            authoritySigningKey,
            concat(issuerAndSerial(krdId), issuerAndSerial(oldKdhId)),
            newKdh,
            attribute(Tr34Oids.SIGNING_TIME, DerWriter.time(signingTime)),
            crls);
    return new CaRebindToken(Bytes.copyOf(der), IssuerAndSerial.of(authorityCertificate));
  }

  /**
   * The outer SignedData (eContentType signedData) over an inner degenerate SignedData: complete in
   * TR34_2019, without its SEQUENCE in TR34_2012 as in the Annex B samples.
   */
  private byte[] rebindToken(
      X509Certificate signer,
      PrivateKeyHandle key,
      byte[] ids,
      CertificateChain newKdh,
      byte[] freshness,
      List<X509CRL> crls)
      throws KeyTransferException {
    byte[] innerFields =
        concat(
            signedDataFields(
                1, derSet(), Tr34Oids.DATA, ids, newKdh.certificates(), List.of(), derSet()));
    byte[] inner = profile == Tr34Profile.TR34_2012 ? innerFields : sequence(innerFields);
    byte[] si =
        signerInfo(
            signer,
            key,
            inner,
            attribute(Tr34Oids.CONTENT_TYPE, oid(Tr34Oids.SIGNED_DATA)),
            freshness,
            attribute(Tr34Oids.MESSAGE_DIGEST, octetString(crypto.sha256(inner))));
    return contentInfo(
        signedDataFields(
            version(Tr34Oids.SIGNED_DATA),
            derSet(algorithm(Tr34Oids.SHA256, null)),
            Tr34Oids.SIGNED_DATA,
            inner,
            List.of(),
            crls,
            derSet(si)));
  }

  @Override
  public KdhRebindToken decodeKdhRebindToken(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = Tr34Cms.parseSignedData(token, tolerances);
    return new KdhRebindToken(Bytes.copyOf(token), rebindShape(p, 1).signer().sid());
  }

  @Override
  public CaRebindToken decodeCaRebindToken(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = Tr34Cms.parseSignedData(token, tolerances);
    return new CaRebindToken(Bytes.copyOf(token), rebindShape(p, 2).signer().sid());
  }

  @Override
  public VerifiedRebind verifyKdhRebindToken(KdhRebindToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException {
    return verifyRebind(token.encoded(), kdhCertificate, SignerRole.KDH);
  }

  @Override
  public VerifiedRebind verifyCaRebindToken(
      CaRebindToken token, X509Certificate authorityCertificate)
      throws SignatureInvalidException, MalformedTokenException {
    return verifyRebind(token.encoded(), authorityCertificate, SignerRole.CA);
  }

  /**
   * RBT-KDH: one identifier and a nonce, the signer is the KDH left; RBT-CA: two identifiers (KRD,
   * old KDH) and a signingTime.
   */
  private VerifiedRebind verifyRebind(byte[] encoded, X509Certificate certificate, SignerRole role)
      throws SignatureInvalidException, MalformedTokenException {
    boolean byKdh = role == SignerRole.KDH;
    ParsedSignedData p = Tr34Cms.parseSignedData(encoded, tolerances);
    Rebind r = rebindShape(p, byKdh ? 1 : 2);
    Map<String, Tlv> attrs = verifySigner(p, r.signer(), certificate, true);
    Optional<Nonce> nonce = nonce(attrs);
    Optional<Instant> time = signingTime(attrs);
    if (byKdh ? nonce.isEmpty() : time.isEmpty()) {
      throw malformed(
          byKdh
              ? "RBT-KDH has no randomNonce attribute"
              : "RBT-CA has no signingTime attribute"); // B.11, B.10
    }
    return new VerifiedRebind(
        Bytes.copyOf(encoded),
        role,
        r.signer().sid(),
        nonce,
        time,
        r.ids().get(0),
        byKdh ? r.signer().sid() : r.ids().get(1),
        r.newKdh(),
        r.crls());
  }

  /** What a rebind token's structure says before its signature is checked. */
  private record Rebind(
      ParsedSigner signer,
      List<IssuerAndSerial> ids,
      CertificateChain newKdh,
      List<X509CRL> crls) {}

  /**
   * A rebind token: signedData holding a degenerate SignedData with {@code ids} identifiers and the
   * new KDH.
   */
  private Rebind rebindShape(ParsedSignedData p, int ids) throws MalformedTokenException {
    if (!Tr34Oids.SIGNED_DATA.equals(p.eContentType) || p.eContent == null) {
      throw malformed("rebind token content must be signedData");
    }
    ParsedSigner signer = soleSigner(p, "rebind token");
    ParsedSignedData inner = Tr34Cms.parseInnerSignedData(p.eContent, tolerances);
    if (!inner.signers.isEmpty() || !Tr34Oids.DATA.equals(inner.eContentType)) {
      throw malformed("rebind content must be a degenerate SignedData over id-data");
    }
    if (inner.certificates.isEmpty()) {
      throw malformed("rebind content carries no new KDH certificate");
    }
    List<X509CRL> crls = new ArrayList<>(p.crls);
    crls.addAll(inner.crls);
    return new Rebind(
        signer, Tr34Cms.iasnList(inner.eContent, ids), Tr34Cms.chainOf(inner.certificates), crls);
  }

  // ---------------------------------------------------------------- signing and verifying

  /**
   * A SignerInfo version 1 by {@code signer}: over {@code attributes} (DER order in TR34_2019, the
   * order given in TR34_2012), or, when none are given, over {@code content} itself (TR-34 B.13).
   */
  private byte[] signerInfo(
      X509Certificate signer, PrivateKeyHandle key, byte[] content, byte[]... attributes)
      throws KeyTransferException {
    byte[] signedAttrs = null;
    byte[] signature;
    if (attributes.length == 0) {
      signature = crypto.sign(key, Algorithms.Signature.RSA_PKCS1_SHA256, content);
    } else {
      byte[] set =
          profile == Tr34Profile.TR34_2012 ? DerWriter.setAsGiven(attributes) : derSet(attributes);
      signature = crypto.sign(key, Algorithms.Signature.RSA_PKCS1_SHA256, set);
      signedAttrs = set.clone();
      signedAttrs[0] = (byte) 0xA0; // [0] IMPLICIT SET OF Attribute
    }
    return sequence(
        integer(1),
        issuerAndSerial(IssuerAndSerial.of(signer)),
        algorithm(Tr34Oids.SHA256, null),
        signedAttrs == null ? new byte[0] : signedAttrs,
        algorithm(Tr34Oids.RSA_ENCRYPTION, nul()),
        octetString(signature));
  }

  private static ParsedSigner soleSigner(ParsedSignedData p, String what)
      throws MalformedTokenException {
    if (p.signers.size() != 1) {
      throw malformed(what + " must have exactly one signer, found " + p.signers.size());
    }
    return p.signers.get(0);
  }

  /**
   * The checks every signed token gets: the signer is {@code certificate} (issuer and serial), the
   * algorithms are the policy's, the signature holds over the signed attributes exactly as received
   * with the [0] tag read as SET (or over the content when there are none and that is allowed), and
   * contentType and messageDigest match the content. Returns the signed attributes.
   */
  private Map<String, Tlv> verifySigner(
      ParsedSignedData p, ParsedSigner s, X509Certificate certificate, boolean requireAttributes)
      throws SignatureInvalidException, MalformedTokenException {
    if (!s.sid().identifies(certificate)) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNER_NOT_BOUND, "token signer is not the expected certificate");
    }
    if (!Tr34Oids.SHA256.equals(s.digestAlgorithm())) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNATURE_INVALID,
          "digest algorithm " + s.digestAlgorithm() + " is not allowed");
    }
    if (!Tr34Oids.RSA_ENCRYPTION.equals(s.signatureAlgorithm())
        && !Tr34Oids.SHA256_WITH_RSA.equals(s.signatureAlgorithm())) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNATURE_INVALID,
          "signature algorithm " + s.signatureAlgorithm() + " is not allowed");
    }
    if (p.eContent == null) {
      throw malformed("signed token has no content");
    }
    if (s.signedAttributes() == null) {
      if (requireAttributes) {
        throw new SignatureInvalidException(
            ErrorCode.SIGNATURE_INVALID, "token has no signed attributes");
      }
      crypto.verify(
          certificate.getPublicKey(),
          Algorithms.Signature.RSA_PKCS1_SHA256,
          p.eContent,
          s.signature());
      return Map.of();
    }
    byte[] signedBytes = s.signedAttributes().encoded();
    signedBytes[0] = (byte) DerReader.SET;
    crypto.verify(
        certificate.getPublicKey(),
        Algorithms.Signature.RSA_PKCS1_SHA256,
        signedBytes,
        s.signature());

    Map<String, Tlv> attrs = Tr34Cms.parseAttributes(s.signedAttributes());
    Tlv ct = Tr34Cms.required(attrs, Tr34Oids.CONTENT_TYPE);
    if (!p.eContentType.equals(DerReader.decodeOid(Tr34Cms.single(ct, DerReader.OID)))) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNATURE_INVALID, "contentType attribute differs from the content type");
    }
    byte[] digest =
        Tr34Cms.single(Tr34Cms.required(attrs, Tr34Oids.MESSAGE_DIGEST), DerReader.OCTET_STRING)
            .value();
    if (!MessageDigest.isEqual(digest, crypto.sha256(p.eContent))) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNATURE_INVALID, "messageDigest does not match the content");
    }
    return attrs;
  }

  private static Optional<Nonce> nonce(Map<String, Tlv> attrs) throws MalformedTokenException {
    Tlv t = attrs.get(Tr34Oids.RANDOM_NONCE);
    return t == null
        ? Optional.empty()
        : Optional.of(Nonce.of(Tr34Cms.single(t, DerReader.OCTET_STRING).value()));
  }

  private static Optional<Instant> signingTime(Map<String, Tlv> attrs)
      throws MalformedTokenException {
    Tlv t = attrs.get(Tr34Oids.SIGNING_TIME);
    return t == null ? Optional.empty() : Optional.of(Tr34Cms.time(Tr34Cms.single(t, -1)));
  }

  // ---------------------------------------------------------------- writing SignedData

  /** RFC 5652: version 3 when the eContentType is not id-data; the TR34_2012 layout is always 1. */
  private int version(String eContentType) {
    return profile == Tr34Profile.TR34_2019 && !Tr34Oids.DATA.equals(eContentType) ? 3 : 1;
  }

  private static byte[] contentInfo(byte[][] signedDataFields) {
    // ContentInfo { contentType, [0] EXPLICIT SignedData }: the headers go in front of the
    // fields, so that the fields are copied once, into the token
    byte[][] parts = new byte[2 + signedDataFields.length][];
    parts[0] = oid(Tr34Oids.SIGNED_DATA);
    parts[1] = DerWriter.explicitHeader(0, DerReader.SEQUENCE, DerWriter.length(signedDataFields));
    System.arraycopy(signedDataFields, 0, parts, 2, signedDataFields.length);
    return sequence(parts);
  }

  /** The fields of a SignedData, in order, without its SEQUENCE. */
  private static byte[][] signedDataFields(
      int version,
      byte[] digestAlgorithms,
      String eContentType,
      byte[] eContent,
      List<X509Certificate> certs,
      List<X509CRL> crls,
      byte[] signerInfos)
      throws KeyTransferException {
    try {
      List<byte[]> parts = new ArrayList<>();
      parts.add(integer(version));
      parts.add(digestAlgorithms);
      // EncapsulatedContentInfo { eContentType, [0] EXPLICIT OCTET STRING }, in one copy
      parts.add(
          sequence(
              oid(eContentType),
              DerWriter.explicitHeader(0, DerReader.OCTET_STRING, eContent.length),
              eContent));
      if (!certs.isEmpty()) {
        byte[][] c = new byte[certs.size()][];
        for (int i = 0; i < c.length; i++) {
          c[i] = certs.get(i).getEncoded();
        }
        parts.add(DerWriter.implicitDerSet(0, c));
      }
      if (!crls.isEmpty()) {
        byte[][] c = new byte[crls.size()][];
        for (int i = 0; i < c.length; i++) {
          c[i] = crls.get(i).getEncoded();
        }
        parts.add(DerWriter.implicitDerSet(1, c));
      }
      parts.add(signerInfos);
      return parts.toArray(new byte[0][]);
    } catch (CertificateEncodingException | CRLException e) {
      throw new InternalErrorException("could not encode a certificate or CRL", e);
    }
  }

  // ---------------------------------------------------------------- ECDH mode (docs/ECDH.md)

  @Override
  public KdhEcdhKeyToken buildEcdhKeyToken(EcdhKeyRequest request) throws KeyTransferException {
    return ecdh.build(request);
  }

  @Override
  public KdhEcdhKeyToken decodeEcdhKeyToken(byte[] token) throws MalformedTokenException {
    return ecdh.decode(token);
  }

  @Override
  public VerifiedEcdhKeyToken verifyEcdhKeyToken(
      KdhEcdhKeyToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException {
    return ecdh.verify(token, kdhCertificate);
  }

  @Override
  public KeyBlock openEcdhKeyToken(
      VerifiedEcdhKeyToken token,
      PrivateKeyHandle krdKey,
      X509Certificate krdCertificate,
      X509Certificate kdhCertificate)
      throws KeyTransferException {
    return ecdh.open(token, krdKey, krdCertificate, kdhCertificate);
  }

  /** IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER }. */
  static byte[] issuerAndSerial(IssuerAndSerial id) {
    return sequence(id.issuer().getEncoded(), integer(id.serialNumber()));
  }

  @Override
  public String toString() {
    return "Tr34TokenCodec[" + profile + ", " + crypto.name() + ", tolerances " + tolerances + "]";
  }
}
