package dev.keytransfer.crypto.tr34;

import static dev.keytransfer.crypto.internal.DerReader.malformed;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.crypto.DerLimits;
import dev.keytransfer.crypto.internal.DerReader;
import dev.keytransfer.crypto.internal.DerReader.Tlv;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * The reading half of the TR-34 codec (TR-34 Annex B): SignedData and its signers and attributes,
 * the EnvelopedData in its three layouts, the Annex D key block, lists of IssuerAndSerialNumber.
 * Parses only; verifies nothing. Every failure is a {@link MalformedTokenException}
 * (docs/SECURITY.md R5).
 */
final class Tr34Cms {
  private Tr34Cms() {}

  /**
   * The leaf is the one end-entity certificate; failing that, the one certificate that issued none
   * of the others (a CA presented as a leaf, which the validator then refuses, C7). The rest are
   * offered as issuers.
   */
  static CertificateChain chainOf(List<X509Certificate> certs) throws MalformedTokenException {
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
      throw malformed(
          "token must carry one leaf certificate and its issuers, found "
              + leaves.size()
              + " leaves");
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
        if (o != c
            && o.getIssuerX500Principal().equals(c.getSubjectX500Principal())
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

  /** The parts of an EnvelopedData in any of the three layouts (docs/PROTOCOL.md pitfall 1). */
  record Envelope(
      byte[] encryptedKey,
      Algorithms.ContentEncryption algorithm,
      byte[] iv,
      byte[] encryptedContent) {}

  /** {@code recipient} null: the sole recipient. */
  static Envelope parseEnvelope(byte[] env, IssuerAndSerial recipient)
      throws MalformedTokenException {
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
    Tlv inside =
        alg.hasMore() ? alg.read() : null; // 2012 / 2019 first print: [0] inside the algorithm
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
   * untagged as in the Annex B samples and AWS (docs/PROTOCOL.md pitfall 3). Absent fields mean
   * SHA-1 and are refused.
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

  /**
   * KeyBlock ::= SEQUENCE { version 1, idKDH IASN, clearKey OCTET STRING, header id-data attribute
   * }.
   */
  static KeyBlock parseKeyBlock(byte[] plaintext) throws MalformedTokenException {
    return parseKeyBlock(plaintext, null);
  }

  /** As {@link #parseKeyBlock(byte[])}, recording the content encryption it travelled under. */
  static KeyBlock parseKeyBlock(byte[] plaintext, Algorithms.ContentEncryption cea)
      throws MalformedTokenException {
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
      return new KeyBlock(version, kdh, SecretKeyMaterial.copyOf(clear), header, cea);
    } finally {
      Arrays.fill(clear, (byte) 0);
    }
  }

  /**
   * The IssuerAndSerialNumber elements of an unbind or rebind content, concatenated without a
   * SEQUENCE around them (TR-34 B.10, B.11, B.13, B.14): exactly {@code count} of them.
   */
  static List<IssuerAndSerial> iasnList(byte[] content, int count) throws MalformedTokenException {
    if (content == null) {
      throw malformed("token has no content");
    }
    try {
      DerReader r = new DerReader(content);
      List<IssuerAndSerial> out = new ArrayList<>();
      while (r.hasMore()) {
        out.add(issuerAndSerial(r.sequence()));
      }
      if (out.size() != count) {
        throw malformed(
            "content must hold " + count + " IssuerAndSerialNumber, found " + out.size());
      }
      return out;
    } catch (RuntimeException e) {
      throw malformed("content is not a list of IssuerAndSerialNumber");
    }
  }

  record ParsedSigner(
      IssuerAndSerial sid,
      String digestAlgorithm,
      Tlv signedAttributes,
      String signatureAlgorithm,
      byte[] signature) {}

  static final class ParsedSignedData {
    int version;
    String eContentType;
    byte[] eContent;
    final List<X509Certificate> certificates = new ArrayList<>();
    final List<X509CRL> crls = new ArrayList<>();
    final List<ParsedSigner> signers = new ArrayList<>();

    /** The tolerances this token needed to be read. */
    final Set<Tr34Tolerance> tolerancesUsed = EnumSet.noneOf(Tr34Tolerance.class);
  }

  /**
   * Most certificates, and most CRLs, one SignedData may carry: a path is at most 10 certificates
   * ({@code ValidationPolicy.maxChainLength}) plus the anchor, with one CRL per CA. More are
   * refused before any is handed to the JDK's parser (docs/SECURITY.md R5, "Input limits").
   */
  static final int MAX_CERTIFICATES = 16;

  static final int MAX_CRLS = 16;

  /**
   * Size and shape before anything is parsed: one DER element of at most {@link
   * Tr34TokenCodec#MAX_TOKEN_LENGTH} bytes, definite lengths, nested no deeper than {@link
   * DerLimits#MAX_DEPTH} (certificates and CRLs inside included), docs/SECURITY.md R5.
   */
  static void checkSize(byte[] token) throws MalformedTokenException {
    DerLimits.check(token, Tr34TokenCodec.MAX_TOKEN_LENGTH, "token");
  }

  /** A ContentInfo(signedData), parsed as far as its structure goes; nothing is verified. */
  static ParsedSignedData parseSignedData(byte[] token, Set<Tr34Tolerance> tolerances)
      throws MalformedTokenException {
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
      return parseSignedDataFields(sd, tolerances);
    } catch (RuntimeException e) {
      throw malformed("SignedData is not well formed");
    }
  }

  /**
   * The content of a rebind token (TR-34 B.10, B.11): a SignedData, or with {@link
   * Tr34Tolerance#REBIND_CONTENT_WITHOUT_SEQUENCE} its fields without the SEQUENCE as in the
   * samples.
   */
  static ParsedSignedData parseInnerSignedData(byte[] content, Set<Tr34Tolerance> tolerances)
      throws MalformedTokenException {
    if (content == null || content.length == 0) {
      throw malformed("rebind token has no content");
    }
    // walked with the token already, unless it was not DER at all; its certificates reach the JDK
    DerLimits.checkElements(content, Tr34TokenCodec.MAX_TOKEN_LENGTH, "rebind content");
    try {
      if ((content[0] & 0xFF) == DerReader.SEQUENCE) {
        DerReader top = new DerReader(content);
        DerReader sd = top.sequence();
        top.end();
        return parseSignedDataFields(sd, tolerances);
      }
      if ((content[0] & 0xFF) != DerReader.INTEGER) {
        throw malformed("rebind content is not a SignedData");
      }
      if (!tolerances.contains(Tr34Tolerance.REBIND_CONTENT_WITHOUT_SEQUENCE)) {
        throw malformed(
            "rebind content is a SignedData without its SEQUENCE (Annex B B.10/B.11 layout);"
                + " not read without Tr34Tolerance.REBIND_CONTENT_WITHOUT_SEQUENCE");
      }
      ParsedSignedData p = parseSignedDataFields(new DerReader(content), tolerances);
      p.tolerancesUsed.add(Tr34Tolerance.REBIND_CONTENT_WITHOUT_SEQUENCE);
      return p;
    } catch (RuntimeException e) {
      throw malformed("rebind content is not well formed");
    }
  }

  /**
   * The fields of a SignedData: version, digestAlgorithms, encapContentInfo, [0], [1], signerInfos.
   */
  private static ParsedSignedData parseSignedDataFields(DerReader sd, Set<Tr34Tolerance> tolerances)
      throws MalformedTokenException {
    try {
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
            if (p.certificates.size() == MAX_CERTIFICATES) {
              throw malformed("SignedData carries more than " + MAX_CERTIFICATES + " certificates");
            }
            Tlv c = certs.expect(DerReader.SEQUENCE);
            p.certificates.add(X509Objects.certificate(c.encoded()));
          }
        } else if (t.tag() == 0xA1
            && !sawCrls
            && (!sawSigners || tolerances.contains(Tr34Tolerance.CRLS_AFTER_SIGNER_INFOS))) {
          sawCrls = true;
          if (sawSigners) {
            p.tolerancesUsed.add(Tr34Tolerance.CRLS_AFTER_SIGNER_INFOS); // Annex B B.6
          }
          DerReader crls = t.contents();
          while (crls.hasMore()) {
            if (p.crls.size() == MAX_CRLS) {
              throw malformed("SignedData carries more than " + MAX_CRLS + " CRLs");
            }
            Tlv c = crls.expect(DerReader.SEQUENCE);
            p.crls.add(X509Objects.crl(c.encoded()));
          }
        } else if (t.tag() == DerReader.SET && !sawSigners) {
          sawSigners = true;
          DerReader signers = t.contents();
          while (signers.hasMore()) {
            p.signers.add(parseSigner(signers.sequence()));
          }
        } else if (t.tag() == 0xA1 && sawSigners && !sawCrls) {
          throw malformed(
              "crls after signerInfos (Annex B B.6 layout); not read without"
                  + " Tr34Tolerance.CRLS_AFTER_SIGNER_INFOS");
        } else {
          throw malformed(String.format("unexpected element %02X in SignedData", t.tag()));
        }
      }
      if (!sawSigners) {
        throw malformed("SignedData has no signerInfos");
      }
      return p;
    } catch (CertificateException | CRLException e) {
      throw malformed("SignedData carries an unreadable certificate or CRL: " + e.getMessage());
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

  static Tlv required(Map<String, Tlv> attrs, String type) throws MalformedTokenException {
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
        LocalDateTime l =
            LocalDateTime.parse(s.substring(0, 12), DateTimeFormatter.ofPattern("yyMMddHHmmss"));
        if (l.getYear() >= 2050) {
          l = l.minusYears(100);
        }
        return l.toInstant(ZoneOffset.UTC);
      }
      if (t.tag() == DerReader.GENERALIZED_TIME && s.length() == 15 && s.endsWith("Z")) {
        return LocalDateTime.parse(
                s.substring(0, 14), DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
            .toInstant(ZoneOffset.UTC);
      }
    } catch (RuntimeException e) {
      // fall through
    }
    throw malformed("signingTime is not a DER time");
  }
}
