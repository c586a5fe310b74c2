package dev.keytransfer.crypto.tr34;

import static dev.keytransfer.crypto.tr34.DerReader.malformed;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.message.KdhCredentialToken;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.KrdCredentialToken;
import dev.keytransfer.core.message.KrdRandomToken;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.TokenCodec;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.crypto.tr34.DerReader.Tlv;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;

/**
 * The TR-34 token codec (TR-34 Annex B) on Bouncy Castle's ASN.1 encoder and a strict DER reader.
 *
 * <p>Emits, in the {@link Tr34Profile#TR34_2019} profile: CT-KRD (B.7) and CT-KDH (B.6) as
 * degenerate SignedData with an explicitly empty id-data content; RT-KRD (B.12) as a bare
 * randomNonce attribute; the two-pass KT-KDH (B.9, corrigendum layout) as RFC 5652 SignedData
 * version 3 over an EnvelopedData, signed attributes contentType, randomNonce, key block header
 * (attribute type id-data) and messageDigest in DER order, RSA-OAEP SHA-256 key transport with
 * tagged parameters, and content encryption at least as strong as the transported key.
 *
 * <p>Reads the key token in all three wire layouts (PROTOCOL.md pitfall 1), verifies the signature
 * over the signed attributes exactly as received (pitfall 2), accepts OAEP parameters with or
 * without context tags (pitfall 3), SignedData version 1 or 3 and rsaEncryption or
 * sha256WithRSAEncryption (pitfall 6) while the algorithms themselves always come from policy:
 * SHA-256, PKCS#1 v1.5 signature, OAEP SHA-256/MGF1-SHA-256 (SECURITY.md P5). Signers and
 * recipients are matched on issuer and serial. Thread-safe.
 */
public final class Tr34TokenCodec implements TokenCodec {
  /** Largest token accepted by the decoders (the transport limits frames first). */
  public static final int MAX_TOKEN_LENGTH = 256 * 1024;

  private final CryptoProvider crypto;
  private final Tr34Profile profile;

  public Tr34TokenCodec(CryptoProvider crypto) {
    this(crypto, Tr34Profile.TR34_2019);
  }

  public Tr34TokenCodec(CryptoProvider crypto, Tr34Profile profile) {
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.profile = Objects.requireNonNull(profile, "profile");
  }

  public Tr34Profile profile() {
    return profile;
  }

  // ---------------------------------------------------------------- credential tokens (B.6, B.7)

  @Override
  public KrdCredentialToken encodeKrdCredential(CertificateChain chain) throws KeyTransferException {
    byte[] der = degenerateSignedData(chain.certificates(), List.of());
    return new KrdCredentialToken(der, chain);
  }

  @Override
  public KrdCredentialToken decodeKrdCredential(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = parseCredential(token);
    return new KrdCredentialToken(token, chainOf(p.certificates));
  }

  @Override
  public KdhCredentialToken encodeKdhCredential(CertificateChain chain, List<X509CRL> crls) throws KeyTransferException {
    byte[] der = degenerateSignedData(chain.certificates(), crls);
    return new KdhCredentialToken(der, chain, crls);
  }

  @Override
  public KdhCredentialToken decodeKdhCredential(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = parseCredential(token);
    return new KdhCredentialToken(token, chainOf(p.certificates), p.crls);
  }

  private byte[] degenerateSignedData(List<X509Certificate> certs, List<X509CRL> crls) throws KeyTransferException {
    try {
      return signedData(1, new DERSet(), Tr34Oids.DATA, new byte[0], certs, crls, new DERSet());
    } catch (IOException | CertificateException | CRLException e) {
      throw new KeyTransferException(ErrorCode.INTERNAL_ERROR, "could not encode credential token", e);
    }
  }

  private static ParsedSignedData parseCredential(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = parseSignedData(token);
    if (!Tr34Oids.DATA.equals(p.eContentType)) {
      throw malformed("credential token content type must be id-data");
    }
    if (p.certificates.isEmpty()) {
      throw malformed("credential token carries no certificate");
    }
    return p;
  }

  /**
   * The leaf is the one end-entity certificate; failing that, the one certificate that issued none
   * of the others (a CA presented as a leaf, which the validator then refuses, C7). The rest are
   * offered as issuers.
   */
  private static CertificateChain chainOf(List<X509Certificate> certs) throws MalformedTokenException {
    List<X509Certificate> leaves = new ArrayList<>();
    for (X509Certificate c : certs) {
      if (c.getBasicConstraints() < 0) {
        leaves.add(c);
      }
    }
    if (leaves.isEmpty()) {
      leaves = issuedNoOther(certs);
    }
    if (leaves.size() != 1) {
      throw malformed("credential token must carry one leaf certificate and its issuers, found " + leaves.size() + " leaves");
    }
    List<X509Certificate> all = new ArrayList<>(leaves);
    for (X509Certificate c : certs) {
      if (c != leaves.get(0)) {
        all.add(c);
      }
    }
    return new CertificateChain(all);
  }

  private static List<X509Certificate> issuedNoOther(List<X509Certificate> certs) {
    List<X509Certificate> leaves = new ArrayList<>();
    for (X509Certificate c : certs) {
      boolean issuedAnother = false;
      for (X509Certificate o : certs) {
        if (o != c && o.getIssuerX500Principal().equals(c.getSubjectX500Principal())
            && !o.getSubjectX500Principal().equals(o.getIssuerX500Principal())) {
          issuedAnother = true;
        }
      }
      if (!issuedAnother) {
        leaves.add(c);
      }
    }
    return leaves;
  }

  // ---------------------------------------------------------------- random token (B.12)

  @Override
  public KrdRandomToken encodeRandomToken(Nonce nonce) throws KeyTransferException {
    try {
      byte[] der = attribute(Tr34Oids.RANDOM_NONCE, new DEROctetString(nonce.bytes())).getEncoded(ASN1Encoding.DER);
      return new KrdRandomToken(der, nonce);
    } catch (IOException e) {
      throw new KeyTransferException(ErrorCode.INTERNAL_ERROR, "could not encode random token", e);
    }
  }

  @Override
  public KrdRandomToken decodeRandomToken(byte[] token) throws MalformedTokenException {
    checkSize(token);
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
      return new KrdRandomToken(token, Nonce.of(nonce));
    } catch (RuntimeException e) {
      throw malformed("random token is not well formed");
    }
  }

  // ---------------------------------------------------------------- key token (B.9): build

  @Override
  public KdhKeyToken buildKeyToken(KeyTokenRequest r) throws KeyTransferException {
    KeyBlockHeader header = r.header();
    header.checkKeyLength(r.key().length());
    Algorithms.ContentEncryption cea = Algorithms.ContentEncryption.atLeastAsStrongAs(header.algorithm(), r.key().length());
    byte[] keyBlock = null;
    byte[] cekBytes = new byte[cea.keyLength()];
    crypto.secureRandom().nextBytes(cekBytes);
    try (SecretKeyMaterial cek = SecretKeyMaterial.adopt(cekBytes)) {
      byte[] iv = new byte[cea.ivLength()];
      crypto.secureRandom().nextBytes(iv);
      keyBlock = keyBlock(r.kdhCertificate(), r.key(), header);
      byte[] encryptedContent = crypto.encrypt(cea, cek, iv, keyBlock);
      byte[] encryptedKey = crypto.encryptKey(r.krdCertificate().getPublicKey(), Algorithms.KeyTransport.RSA_OAEP_SHA256, cek);
      byte[] envelope = envelopedData(r.krdCertificate(), encryptedKey, cea, iv, encryptedContent);

      ASN1EncodableVector attrs = new ASN1EncodableVector();
      attrs.add(attribute(Tr34Oids.CONTENT_TYPE, new ASN1ObjectIdentifier(Tr34Oids.ENVELOPED_DATA)));
      attrs.add(attribute(Tr34Oids.RANDOM_NONCE, new DEROctetString(r.nonce().bytes())));
      attrs.add(attribute(Tr34Oids.DATA, new DEROctetString(header.toBytes())));
      attrs.add(attribute(Tr34Oids.MESSAGE_DIGEST, new DEROctetString(crypto.sha256(envelope))));
      DERSet signedAttrs = new DERSet(attrs); // DER order (PROTOCOL.md pitfall 2)
      byte[] signature = crypto.sign(r.kdhSigningKey(), Algorithms.Signature.RSA_PKCS1_SHA256,
          signedAttrs.getEncoded(ASN1Encoding.DER));

      DERSequence signerInfo = new DERSequence(new ASN1Encodable[] {
        new ASN1Integer(1),
        issuerAndSerial(r.kdhCertificate()),
        algorithmIdentifier(Tr34Oids.SHA256, null),
        new DERTaggedObject(false, 0, signedAttrs),
        algorithmIdentifier(Tr34Oids.RSA_ENCRYPTION, DERNull.INSTANCE),
        new DEROctetString(signature)
      });
      byte[] der = signedData(3, new DERSet(algorithmIdentifier(Tr34Oids.SHA256, null)), Tr34Oids.ENVELOPED_DATA,
          envelope, List.of(), r.crls(), new DERSet(signerInfo));
      return new KdhKeyToken(der, IssuerAndSerial.of(r.kdhCertificate()));
    } catch (IOException | CertificateException | CRLException e) {
      throw new KeyTransferException(ErrorCode.INTERNAL_ERROR, "could not encode key token", e);
    } finally {
      if (keyBlock != null) {
        Arrays.fill(keyBlock, (byte) 0);
      }
    }
  }

  /** TR-34 Annex D KeyBlock: version 1, idKDH, clear key, header as an id-data attribute. */
  private static byte[] keyBlock(X509Certificate kdh, SecretKeyMaterial key, KeyBlockHeader header) throws IOException {
    byte[] k = key.copyBytes();
    try {
      DERSequence kb = new DERSequence(new ASN1Encodable[] {
        new ASN1Integer(1), issuerAndSerial(kdh), new DEROctetString(k), attribute(Tr34Oids.DATA, new DEROctetString(header.toBytes()))
      });
      return kb.getEncoded(ASN1Encoding.DER);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  private static byte[] envelopedData(
      X509Certificate krd, byte[] encryptedKey, Algorithms.ContentEncryption cea, byte[] iv, byte[] encryptedContent)
      throws IOException {
    DERSequence oaepParams = new DERSequence(new ASN1Encodable[] {
      new DERTaggedObject(true, 0, algorithmIdentifier(Tr34Oids.SHA256, DERNull.INSTANCE)),
      new DERTaggedObject(true, 1, algorithmIdentifier(Tr34Oids.MGF1, algorithmIdentifier(Tr34Oids.SHA256, DERNull.INSTANCE)))
    });
    DERSequence ktri = new DERSequence(new ASN1Encodable[] {
      new ASN1Integer(0), issuerAndSerial(krd), algorithmIdentifier(Tr34Oids.RSAES_OAEP, oaepParams), new DEROctetString(encryptedKey)
    });
    DERSequence eci = new DERSequence(new ASN1Encodable[] {
      new ASN1ObjectIdentifier(Tr34Oids.DATA),
      algorithmIdentifier(cea.oid(), new DEROctetString(iv)),
      new DERTaggedObject(false, 0, new DEROctetString(encryptedContent))
    });
    return new DERSequence(new ASN1Encodable[] {new ASN1Integer(0), new DERSet(ktri), eci}).getEncoded(ASN1Encoding.DER);
  }

  private static byte[] signedData(int version, DERSet digestAlgorithms, String eContentType, byte[] eContent,
      List<X509Certificate> certs, List<X509CRL> crls, DERSet signerInfos)
      throws IOException, CertificateException, CRLException {
    ASN1EncodableVector sd = new ASN1EncodableVector();
    sd.add(new ASN1Integer(version));
    sd.add(digestAlgorithms);
    sd.add(new DERSequence(new ASN1Encodable[] {
      new ASN1ObjectIdentifier(eContentType), new DERTaggedObject(true, 0, new DEROctetString(eContent))
    }));
    if (!certs.isEmpty()) {
      ASN1EncodableVector v = new ASN1EncodableVector();
      for (X509Certificate c : certs) {
        v.add(ASN1Primitive.fromByteArray(c.getEncoded()));
      }
      sd.add(new DERTaggedObject(false, 0, new DERSet(v)));
    }
    if (!crls.isEmpty()) {
      ASN1EncodableVector v = new ASN1EncodableVector();
      for (X509CRL c : crls) {
        v.add(ASN1Primitive.fromByteArray(c.getEncoded()));
      }
      sd.add(new DERTaggedObject(false, 1, new DERSet(v)));
    }
    sd.add(signerInfos);
    return new DERSequence(new ASN1Encodable[] {
      new ASN1ObjectIdentifier(Tr34Oids.SIGNED_DATA), new DERTaggedObject(true, 0, new DERSequence(sd))
    }).getEncoded(ASN1Encoding.DER);
  }

  private static DERSequence attribute(String oid, ASN1Encodable value) {
    return new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(oid), new DERSet(value)});
  }

  private static DERSequence algorithmIdentifier(String oid, ASN1Encodable params) {
    return params == null
        ? new DERSequence(new ASN1ObjectIdentifier(oid))
        : new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(oid), params});
  }

  private static DERSequence issuerAndSerial(X509Certificate c) throws IOException {
    return new DERSequence(new ASN1Encodable[] {
      ASN1Primitive.fromByteArray(c.getIssuerX500Principal().getEncoded()), new ASN1Integer(c.getSerialNumber())
    });
  }

  // ---------------------------------------------------------------- key token: open

  @Override
  public KdhKeyToken decodeKeyToken(byte[] token) throws MalformedTokenException {
    ParsedSignedData p = parseSignedData(token);
    return new KdhKeyToken(token, keyTokenSigner(p).sid);
  }

  private static ParsedSigner keyTokenSigner(ParsedSignedData p) throws MalformedTokenException {
    if (!Tr34Oids.ENVELOPED_DATA.equals(p.eContentType) || p.eContent == null) {
      throw malformed("key token content must be envelopedData");
    }
    if (p.signers.size() != 1) {
      throw malformed("key token must have exactly one signer, found " + p.signers.size());
    }
    return p.signers.get(0);
  }

  @Override
  public VerifiedKeyToken verifyKeyToken(KdhKeyToken token, X509Certificate kdhCertificate)
      throws SignatureInvalidException, MalformedTokenException {
    byte[] encoded = token.encoded();
    ParsedSignedData p = parseSignedData(encoded);
    ParsedSigner s = keyTokenSigner(p);
    if (!s.sid.identifies(kdhCertificate)) {
      throw new SignatureInvalidException(ErrorCode.SIGNER_NOT_BOUND, "key token signer is not the expected KDH");
    }
    if (!Tr34Oids.SHA256.equals(s.digestAlgorithm)) {
      throw new SignatureInvalidException(ErrorCode.SIGNATURE_INVALID, "digest algorithm " + s.digestAlgorithm + " is not allowed");
    }
    if (!Tr34Oids.RSA_ENCRYPTION.equals(s.signatureAlgorithm) && !Tr34Oids.SHA256_WITH_RSA.equals(s.signatureAlgorithm)) {
      throw new SignatureInvalidException(ErrorCode.SIGNATURE_INVALID, "signature algorithm " + s.signatureAlgorithm + " is not allowed");
    }
    if (s.signedAttributes == null) {
      throw new SignatureInvalidException(ErrorCode.SIGNATURE_INVALID, "key token has no signed attributes");
    }
    // the signature covers the attributes exactly as received, with the [0] tag read as SET
    byte[] signedBytes = s.signedAttributes.encoded();
    signedBytes[0] = (byte) DerReader.SET;
    crypto.verify(kdhCertificate.getPublicKey(), Algorithms.Signature.RSA_PKCS1_SHA256, signedBytes, s.signature);

    Map<String, Tlv> attrs = parseAttributes(s.signedAttributes);
    Tlv ct = required(attrs, Tr34Oids.CONTENT_TYPE);
    if (!Tr34Oids.ENVELOPED_DATA.equals(DerReader.decodeOid(single(ct, DerReader.OID)))) {
      throw new SignatureInvalidException(ErrorCode.SIGNATURE_INVALID, "contentType attribute is not envelopedData");
    }
    byte[] digest = single(required(attrs, Tr34Oids.MESSAGE_DIGEST), DerReader.OCTET_STRING).value();
    byte[] envelope = p.eContent;
    if (!MessageDigest.isEqual(digest, crypto.sha256(envelope))) {
      throw new SignatureInvalidException(ErrorCode.SIGNATURE_INVALID, "messageDigest does not match the content");
    }
    KeyBlockHeader header = KeyBlockHeader.parse(single(required(attrs, Tr34Oids.DATA), DerReader.OCTET_STRING).value());
    Optional<Nonce> nonce = Optional.empty();
    if (attrs.containsKey(Tr34Oids.RANDOM_NONCE)) {
      nonce = Optional.of(Nonce.of(single(attrs.get(Tr34Oids.RANDOM_NONCE), DerReader.OCTET_STRING).value()));
    }
    Optional<Instant> signingTime = Optional.empty();
    if (attrs.containsKey(Tr34Oids.SIGNING_TIME)) {
      signingTime = Optional.of(time(single(attrs.get(Tr34Oids.SIGNING_TIME), -1)));
    }
    return new VerifiedKeyToken(encoded, s.sid, nonce, signingTime, header, p.crls, envelope);
  }

  @Override
  public KeyBlock decryptKeyToken(VerifiedKeyToken token, PrivateKeyHandle krdKey, X509Certificate krdCertificate)
      throws KeyTokenException {
    return decrypt(token, krdKey, IssuerAndSerial.of(Objects.requireNonNull(krdCertificate, "krdCertificate")));
  }

  /**
   * Decrypts a verified key token that names exactly one recipient, without matching it against a
   * certificate: for tools that hold only the private key. A terminal uses the certificate form.
   */
  public KeyBlock decryptKeyTokenForSoleRecipient(VerifiedKeyToken token, PrivateKeyHandle krdKey)
      throws KeyTokenException {
    return decrypt(token, krdKey, null);
  }

  private KeyBlock decrypt(VerifiedKeyToken token, PrivateKeyHandle krdKey, IssuerAndSerial recipient)
      throws KeyTokenException {
    byte[] plaintext = null;
    try {
      Envelope env = parseEnvelope(token.envelope(), recipient);
      try (SecretKeyMaterial cek = crypto.decryptKey(krdKey, Algorithms.KeyTransport.RSA_OAEP_SHA256, env.encryptedKey)) {
        if (cek.length() != env.algorithm.keyLength()) {
          throw KeyTokenException.decryptionFailed();
        }
        plaintext = crypto.decrypt(env.algorithm, cek, env.iv, env.encryptedContent);
      }
      return parseKeyBlock(plaintext);
    } catch (MalformedTokenException | RuntimeException e) {
      throw KeyTokenException.decryptionFailed();
    } finally {
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  /** The parts of an EnvelopedData in any of the three layouts (PROTOCOL.md pitfall 1). */
  private record Envelope(byte[] encryptedKey, Algorithms.ContentEncryption algorithm, byte[] iv, byte[] encryptedContent) {}

  /** {@code recipient} null: the sole recipient. */
  private static Envelope parseEnvelope(byte[] env, IssuerAndSerial recipient) throws MalformedTokenException {
    DerReader r;
    if (env.length > 0 && (env[0] & 0xFF) == DerReader.SEQUENCE) {
      DerReader outer = new DerReader(env);
      r = outer.sequence(); // 2019 first print and corrigendum
      outer.end();
    } else {
      r = new DerReader(env); // TR-34-2012 / AWS: the fields without their SEQUENCE
    }
    r.smallInteger();
    r.optional(0xA0); // originatorInfo
    DerReader recipients = r.expect(DerReader.SET).contents();
    DerReader eci = r.sequence();
    r.optional(0xA1);
    r.end();

    byte[] encryptedKey = null;
    int count = 0;
    while (recipients.hasMore()) {
      Tlv ri = recipients.read();
      if (ri.tag() != DerReader.SEQUENCE) {
        continue; // not a KeyTransRecipientInfo
      }
      DerReader k = ri.contents();
      k.smallInteger();
      IssuerAndSerial rid = issuerAndSerial(k.sequence());
      DerReader alg = k.sequence();
      if (!Tr34Oids.RSAES_OAEP.equals(alg.oid())) {
        throw malformed("key transport must be RSAES-OAEP");
      }
      checkOaepParameters(alg.sequence());
      alg.end();
      byte[] ek = k.octetString();
      k.end();
      count++;
      if (recipient == null ? count == 1 : rid.equals(recipient)) {
        encryptedKey = ek;
      }
    }
    if (recipient == null && count != 1) {
      throw malformed("token has " + count + " recipients; name the terminal certificate");
    }
    if (encryptedKey == null) {
      throw malformed("no recipient info for this terminal");
    }

    if (!Tr34Oids.DATA.equals(eci.oid())) {
      throw malformed("encrypted content type must be id-data");
    }
    DerReader alg = eci.sequence();
    Algorithms.ContentEncryption cea = Algorithms.ContentEncryption.fromOid(alg.oid());
    if (cea == null) {
      throw malformed("content encryption algorithm not allowed");
    }
    byte[] iv = alg.octetString();
    Tlv inside = alg.hasMore() ? alg.read() : null; // 2012 / 2019 first print: [0] inside the algorithm
    alg.end();
    Tlv after = eci.hasMore() ? eci.read() : null; // corrigendum: [0] after the algorithm
    eci.end();
    if ((inside == null) == (after == null)) {
      throw malformed("encrypted content must appear exactly once");
    }
    byte[] content = implicitOctets(inside != null ? inside : after);
    if (iv.length != cea.ivLength()) {
      throw malformed("IV length does not fit the content encryption algorithm");
    }
    return new Envelope(encryptedKey, cea, iv, content);
  }

  /** [0] IMPLICIT OCTET STRING, primitive or constructed from primitive segments. */
  private static byte[] implicitOctets(Tlv t) throws MalformedTokenException {
    if (t.tag() == 0x80) {
      return t.value();
    }
    if (t.tag() == 0xA0) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      DerReader r = t.contents();
      while (r.hasMore()) {
        out.writeBytes(r.octetString());
      }
      return out.toByteArray();
    }
    throw malformed("encryptedContent must be [0]");
  }

  /**
   * RSAES-OAEP-params must say SHA-256, MGF1 with SHA-256 and an empty label; tagged (RFC 4055) or
   * untagged as in the Annex B samples and AWS (PROTOCOL.md pitfall 3). Absent fields mean SHA-1
   * and are refused.
   */
  private static void checkOaepParameters(DerReader p) throws MalformedTokenException {
    String hash = null;
    String mgfHash = null;
    boolean labelOk = true;
    int position = 0;
    while (p.hasMore()) {
      Tlv e = p.read();
      int slot;
      DerReader body;
      if (e.tag() == 0xA0 || e.tag() == 0xA1 || e.tag() == 0xA2) {
        slot = e.tag() - 0xA0;
        body = e.contents().sequence();
      } else if (e.tag() == DerReader.SEQUENCE) {
        slot = position; // untagged: position decides
        body = e.contents();
      } else {
        throw malformed("bad OAEP parameters");
      }
      position = slot + 1;
      String oid = body.oid();
      switch (slot) {
        case 0 -> hash = oid;
        case 1 -> {
          if (!Tr34Oids.MGF1.equals(oid)) {
            throw malformed("OAEP mask generation must be MGF1");
          }
          mgfHash = body.sequence().oid();
        }
        case 2 -> {
          labelOk = Tr34Oids.P_SPECIFIED.equals(oid) && body.octetString().length == 0;
        }
        default -> throw malformed("bad OAEP parameters");
      }
    }
    if (!Tr34Oids.SHA256.equals(hash) || !Tr34Oids.SHA256.equals(mgfHash) || !labelOk) {
      throw malformed("OAEP parameters must be SHA-256, MGF1-SHA-256, empty label");
    }
  }

  /** KeyBlock ::= SEQUENCE { version 1, idKDH IASN, clearKey OCTET STRING, header id-data attribute }. */
  private static KeyBlock parseKeyBlock(byte[] plaintext) throws MalformedTokenException {
    DerReader top = new DerReader(plaintext);
    DerReader kb = top.sequence();
    top.end();
    int version = kb.smallInteger();
    if (version != 1) {
      throw malformed("key block version must be 1");
    }
    IssuerAndSerial kdh = issuerAndSerial(kb.sequence());
    byte[] clear = kb.octetString();
    try {
      KeyBlockHeader header;
      if (kb.peekTag() == DerReader.OCTET_STRING) {
        header = KeyBlockHeader.parse(kb.octetString());
      } else {
        DerReader h = kb.sequence();
        if (!Tr34Oids.DATA.equals(h.oid())) {
          throw malformed("key block header attribute must be id-data");
        }
        DerReader set = h.expect(DerReader.SET).contents();
        h.end();
        header = KeyBlockHeader.parse(set.octetString());
        set.end();
      }
      kb.end();
      if (clear.length == 0) {
        throw malformed("key block holds no key");
      }
      return new KeyBlock(version, kdh, SecretKeyMaterial.copyOf(clear), header);
    } finally {
      Arrays.fill(clear, (byte) 0);
    }
  }

  // ---------------------------------------------------------------- SignedData parsing

  record ParsedSigner(
      IssuerAndSerial sid, String digestAlgorithm, Tlv signedAttributes, String signatureAlgorithm, byte[] signature) {}

  static final class ParsedSignedData {
    int version;
    String eContentType;
    byte[] eContent;
    final List<X509Certificate> certificates = new ArrayList<>();
    final List<X509CRL> crls = new ArrayList<>();
    final List<ParsedSigner> signers = new ArrayList<>();
  }

  static void checkSize(byte[] token) throws MalformedTokenException {
    if (token == null || token.length == 0 || token.length > MAX_TOKEN_LENGTH) {
      throw malformed("token is empty or larger than " + MAX_TOKEN_LENGTH + " bytes");
    }
  }

  static ParsedSignedData parseSignedData(byte[] token) throws MalformedTokenException {
    checkSize(token);
    try {
      DerReader top = new DerReader(token);
      DerReader ci = top.sequence();
      top.end();
      if (!Tr34Oids.SIGNED_DATA.equals(ci.oid())) {
        throw malformed("token is not a SignedData ContentInfo");
      }
      DerReader explicit = ci.expect(0xA0).contents();
      ci.end();
      DerReader sd = explicit.sequence();
      explicit.end();
      int version = sd.smallInteger();
      if (version != 1 && version != 3) {
        throw malformed("SignedData version must be 1 or 3");
      }
      sd.expect(DerReader.SET);
      ParsedSignedData p = new ParsedSignedData();
      p.version = version;
      DerReader eci = sd.sequence();
      p.eContentType = eci.oid();
      Tlv wrapped = eci.optional(0xA0);
      eci.end();
      if (wrapped != null) {
        DerReader w = wrapped.contents();
        p.eContent = w.octetString();
        w.end();
      }
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      boolean sawCerts = false;
      boolean sawCrls = false;
      boolean sawSigners = false;
      // certificates [0] and crls [1] come before signerInfos; each appears at most once
      while (sd.hasMore()) {
        Tlv t = sd.read();
        if (t.tag() == 0xA0 && !sawCerts && !sawCrls && !sawSigners) {
          sawCerts = true;
          DerReader certs = t.contents();
          while (certs.hasMore()) {
            Tlv c = certs.expect(DerReader.SEQUENCE);
            p.certificates.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(c.encoded())));
          }
        } else if (t.tag() == 0xA1 && !sawCrls && !sawSigners) {
          sawCrls = true;
          DerReader crls = t.contents();
          while (crls.hasMore()) {
            Tlv c = crls.expect(DerReader.SEQUENCE);
            p.crls.add((X509CRL) cf.generateCRL(new ByteArrayInputStream(c.encoded())));
          }
        } else if (t.tag() == DerReader.SET && !sawSigners) {
          sawSigners = true;
          DerReader signers = t.contents();
          while (signers.hasMore()) {
            p.signers.add(parseSigner(signers.sequence()));
          }
        } else {
          throw malformed(String.format("unexpected element %02X in SignedData", t.tag()));
        }
      }
      if (!sawSigners) {
        throw malformed("SignedData has no signerInfos");
      }
      return p;
    } catch (CertificateException | CRLException | RuntimeException e) {
      throw malformed("SignedData carries an unreadable certificate or CRL");
    }
  }

  private static ParsedSigner parseSigner(DerReader si) throws MalformedTokenException {
    si.smallInteger();
    if (si.peekTag() != DerReader.SEQUENCE) {
      throw malformed("signer must be identified by issuer and serial number");
    }
    IssuerAndSerial sid = issuerAndSerial(si.sequence());
    String digest = si.sequence().oid();
    Tlv signedAttrs = si.optional(0xA0);
    String sigAlg = si.sequence().oid();
    byte[] signature = si.octetString();
    si.optional(0xA1);
    si.end();
    return new ParsedSigner(sid, digest, signedAttrs, sigAlg, signature);
  }

  static IssuerAndSerial issuerAndSerial(DerReader r) throws MalformedTokenException {
    Tlv name = r.expect(DerReader.SEQUENCE);
    BigInteger serial = r.integer();
    r.end();
    try {
      return new IssuerAndSerial(new X500Principal(name.encoded()), serial);
    } catch (IllegalArgumentException e) {
      throw malformed("issuer name is not well formed");
    }
  }

  /** Attribute type to its SET of values; a type may appear only once. */
  static Map<String, Tlv> parseAttributes(Tlv set) throws MalformedTokenException {
    Map<String, Tlv> out = new java.util.LinkedHashMap<>(); // in the order received
    DerReader r = set.contents();
    while (r.hasMore()) {
      DerReader a = r.sequence();
      String type = a.oid();
      Tlv values = a.expect(DerReader.SET);
      a.end();
      if (out.put(type, values) != null) {
        throw malformed("signed attribute " + type + " appears twice");
      }
    }
    return out;
  }

  private static Tlv required(Map<String, Tlv> attrs, String type) throws MalformedTokenException {
    Tlv t = attrs.get(type);
    if (t == null) {
      throw malformed("signed attribute " + type + " is missing");
    }
    return t;
  }

  /** The one value of an attribute's SET; {@code tag} -1 accepts any. */
  static Tlv single(Tlv values, int tag) throws MalformedTokenException {
    DerReader r = values.contents();
    Tlv v = r.read();
    r.end();
    if (tag >= 0 && v.tag() != tag) {
      throw malformed("attribute value has the wrong type");
    }
    return v;
  }

  static Instant time(Tlv t) throws MalformedTokenException {
    String s = new String(t.value(), java.nio.charset.StandardCharsets.US_ASCII);
    try {
      if (t.tag() == DerReader.UTC_TIME && s.length() == 13 && s.endsWith("Z")) {
        LocalDateTime l = LocalDateTime.parse(s.substring(0, 12), DateTimeFormatter.ofPattern("yyMMddHHmmss"));
        if (l.getYear() >= 2050) {
          l = l.minusYears(100);
        }
        return l.toInstant(ZoneOffset.UTC);
      }
      if (t.tag() == DerReader.GENERALIZED_TIME && s.length() == 15 && s.endsWith("Z")) {
        return LocalDateTime.parse(s.substring(0, 14), DateTimeFormatter.ofPattern("yyyyMMddHHmmss")).toInstant(ZoneOffset.UTC);
      }
    } catch (RuntimeException e) {
      // fall through
    }
    throw malformed("signingTime is not a DER time");
  }

  @Override
  public String toString() {
    return "Tr34TokenCodec[" + profile + ", " + crypto.name() + "]";
  }
}
