package dev.keytransfer.crypto.tr34;

import static dev.keytransfer.crypto.internal.DerReader.malformed;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.internal.DerReader;
import dev.keytransfer.crypto.internal.DerReader.Tlv;
import dev.keytransfer.crypto.internal.DerWriter;
import dev.keytransfer.crypto.tr34.Tr34Cms.ParsedSignedData;
import dev.keytransfer.crypto.tr34.Tr34Cms.ParsedSigner;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Describes a TR-34 token without verifying or decrypting it (TR-34 Annex B): its type, signer,
 * recipients, signed attributes, algorithms, content identifiers, certificates and CRL entries, and
 * which {@link Tr34Tolerance} it needs. Reads with every tolerance on, so that it can say what a
 * stricter codec would refuse. Prints public fields only: never a key, never the encrypted key or
 * content bytes.
 */
public final class Tr34TokenInspector {
  private static final Set<Tr34Tolerance> ALL = EnumSet.allOf(Tr34Tolerance.class);

  private Tr34TokenInspector() {}

  /** The token's type, from its structure alone (nothing is verified). */
  public static Tr34TokenType classify(byte[] token) throws MalformedTokenException {
    Tr34Cms.checkSize(token);
    if (isRandomToken(token)) {
      return Tr34TokenType.RT_KRD;
    }
    try {
      return typeOf(Tr34Cms.parseSignedData(token, ALL));
    } catch (RuntimeException e) {
      throw malformed("token is not well formed");
    }
  }

  /** One line per fact, in reading order. */
  public static List<String> describe(byte[] token) throws MalformedTokenException {
    Tr34Cms.checkSize(token);
    List<String> out = new ArrayList<>();
    try {
      if (isRandomToken(token)) {
        DerReader attr = new DerReader(token).sequence();
        attr.oid();
        DerReader set = attr.expect(DerReader.SET).contents();
        out.add("type: " + Tr34TokenType.RT_KRD);
        out.add("nonce: " + HexFormat.of().withUpperCase().formatHex(set.octetString()));
        return out;
      }
      ParsedSignedData p = Tr34Cms.parseSignedData(token, ALL);
      Tr34TokenType type = typeOf(p);
      out.add("type: " + type);
      out.add(
          "SignedData version: "
              + p.version
              + ", content type: "
              + name(p.eContentType)
              + (p.eContent == null
                  ? ", no content"
                  : ", content " + p.eContent.length + " bytes"));
      for (ParsedSigner s : p.signers) {
        out.add("signer: " + s.sid());
        out.add(
            "  digest: "
                + name(s.digestAlgorithm())
                + ", signature: "
                + name(s.signatureAlgorithm())
                + ", "
                + s.signature().length
                + "-byte signature");
        if (s.signedAttributes() == null) {
          out.add("  no signed attributes (the signature covers the content)");
        } else {
          for (Map.Entry<String, Tlv> a :
              Tr34Cms.parseAttributes(s.signedAttributes()).entrySet()) {
            out.add("  signed attribute " + attribute(a.getKey(), a.getValue()));
          }
          out.add(
              "  signed attributes in "
                  + (inDerOrder(s.signedAttributes())
                      ? "DER order"
                      : "transmission order (not DER)"));
        }
      }
      describeCertificates(p, out, "");
      Set<Tr34Tolerance> used = EnumSet.noneOf(Tr34Tolerance.class);
      used.addAll(p.tolerancesUsed);
      switch (type) {
        case KT_KDH_TWO_PASS, KT_KDH_ONE_PASS -> describeEnvelope(p.eContent, out);
        case UBT_KDH -> out.add("content: KRD " + Tr34Cms.iasnList(p.eContent, 1).get(0));
        case UBT_CA -> {
          List<IssuerAndSerial> ids = Tr34Cms.iasnList(p.eContent, 2);
          out.add("content: KRD " + ids.get(0) + ", KDH " + ids.get(1));
        }
        case RBT_KDH, RBT_CA -> used.addAll(describeRebind(p.eContent, type, out));
        default -> {}
      }
      if (!used.isEmpty()) {
        out.add("read through tolerance: " + used + " (refused by a codec without it)");
      }
      return out;
    } catch (RuntimeException e) {
      throw malformed("token is not well formed");
    }
  }

  private static boolean isRandomToken(byte[] token) {
    try {
      DerReader top = new DerReader(token);
      DerReader attr = top.sequence();
      top.end();
      return Tr34Oids.RANDOM_NONCE.equals(attr.oid());
    } catch (MalformedTokenException | RuntimeException e) {
      return false;
    }
  }

  private static Tr34TokenType typeOf(ParsedSignedData p) throws MalformedTokenException {
    if (Tr34Oids.ENVELOPED_DATA.equals(p.eContentType)) {
      for (ParsedSigner s : p.signers) {
        if (s.signedAttributes() != null
            && Tr34Cms.parseAttributes(s.signedAttributes()).containsKey(Tr34Oids.RANDOM_NONCE)) {
          return Tr34TokenType.KT_KDH_TWO_PASS;
        }
      }
      return Tr34TokenType.KT_KDH_ONE_PASS;
    }
    if (Tr34Oids.DATA.equals(p.eContentType) && p.signers.isEmpty()) {
      for (X509Certificate c : p.certificates) {
        boolean[] ku = c.getKeyUsage();
        if (c.getBasicConstraints() < 0 && ku != null) {
          // keyEncipherment (RSA), or keyAgreement without digitalSignature (an EC KRD key,
          // docs/SECURITY.md C6)
          if ((ku.length > 2 && ku[2]) || (ku.length > 4 && ku[4] && !ku[0])) {
            return Tr34TokenType.CT_KRD;
          }
          if (ku[0]) {
            return Tr34TokenType.CT_KDH;
          }
        }
      }
      return Tr34TokenType.CREDENTIAL;
    }
    if (Tr34Oids.DATA.equals(p.eContentType)) {
      return identifiers(p.eContent) == 2 ? Tr34TokenType.UBT_CA : Tr34TokenType.UBT_KDH;
    }
    if (Tr34Oids.SIGNED_DATA.equals(p.eContentType)) {
      ParsedSignedData inner = Tr34Cms.parseInnerSignedData(p.eContent, ALL);
      return identifiers(inner.eContent) == 2 ? Tr34TokenType.RBT_CA : Tr34TokenType.RBT_KDH;
    }
    throw malformed("not a TR-34 token: content type " + p.eContentType);
  }

  /** How many IssuerAndSerialNumber an unbind or rebind content holds (1 or 2). */
  private static int identifiers(byte[] content) throws MalformedTokenException {
    try {
      return Tr34Cms.iasnList(content, 2).size();
    } catch (MalformedTokenException e) {
      return Tr34Cms.iasnList(content, 1).size();
    }
  }

  private static Set<Tr34Tolerance> describeRebind(
      byte[] content, Tr34TokenType type, List<String> out) throws MalformedTokenException {
    ParsedSignedData inner = Tr34Cms.parseInnerSignedData(content, ALL);
    out.add(
        "content: degenerate SignedData version "
            + inner.version
            + ((content[0] & 0xFF) == DerReader.SEQUENCE
                ? ""
                : ", without its SEQUENCE (Annex B / TR-34-2012 layout)"));
    List<IssuerAndSerial> ids =
        Tr34Cms.iasnList(inner.eContent, type == Tr34TokenType.RBT_CA ? 2 : 1);
    out.add("  KRD " + ids.get(0) + (ids.size() > 1 ? ", old KDH " + ids.get(1) : ""));
    describeCertificates(inner, out, "  new KDH ");
    return inner.tolerancesUsed;
  }

  private static void describeCertificates(ParsedSignedData p, List<String> out, String prefix) {
    for (X509Certificate c : p.certificates) {
      out.add(
          prefix
              + "certificate: "
              + c.getSubjectX500Principal().getName()
              + " (issuer "
              + c.getIssuerX500Principal().getName()
              + ", serial "
              + hex(c.getSerialNumber())
              + ", valid "
              + c.getNotBefore().toInstant()
              + " to "
              + c.getNotAfter().toInstant()
              + ")");
    }
    for (X509CRL crl : p.crls) {
      out.add(
          prefix
              + "CRL: issuer "
              + crl.getIssuerX500Principal().getName()
              + ", thisUpdate "
              + crl.getThisUpdate().toInstant()
              + ", nextUpdate "
              + (crl.getNextUpdate() == null ? "none" : crl.getNextUpdate().toInstant()));
      if (crl.getRevokedCertificates() != null) {
        for (X509CRLEntry e : crl.getRevokedCertificates()) {
          out.add(
              prefix
                  + "  revoked serial "
                  + hex(e.getSerialNumber())
                  + " at "
                  + e.getRevocationDate().toInstant());
        }
      }
    }
  }

  private static String hex(java.math.BigInteger serial) {
    return serial.toString(16).toUpperCase(Locale.ROOT);
  }

  /**
   * True if the attributes are encoded in DER order (X.690 11.6), as a re-sorting verifier would
   * expect.
   */
  static boolean inDerOrder(Tlv set) throws MalformedTokenException {
    DerReader r = set.contents();
    List<byte[]> elements = new ArrayList<>();
    while (r.hasMore()) {
      elements.add(r.read().encoded());
    }
    byte[] asReceived = DerWriter.setAsGiven(elements.toArray(new byte[0][]));
    return java.util.Arrays.equals(asReceived, DerWriter.derSet(elements.toArray(new byte[0][])));
  }

  private static String attribute(String oid, Tlv values) throws MalformedTokenException {
    Tlv v = Tr34Cms.single(values, -1);
    switch (oid) {
      case Tr34Oids.CONTENT_TYPE:
        return "contentType = " + name(DerReader.decodeOid(v));
      case Tr34Oids.RANDOM_NONCE:
        return "randomNonce = " + HexFormat.of().withUpperCase().formatHex(v.value());
      case Tr34Oids.DATA:
        return "key block header (id-data) = " + new String(v.value(), StandardCharsets.US_ASCII);
      case Tr34Oids.MESSAGE_DIGEST:
        return "messageDigest = " + HexFormat.of().withUpperCase().formatHex(v.value());
      case Tr34Oids.SIGNING_TIME:
        return "signingTime = " + Tr34Cms.time(v);
      case Tr34Oids.CMS_ALGORITHM_PROTECTION:
        return "CMSAlgorithmProtection (" + oid + ")";
      default:
        return oid + " (" + v.valueLength() + " bytes)";
    }
  }

  private static void describeEnvelope(byte[] env, List<String> out)
      throws MalformedTokenException {
    DerReader r;
    String layout;
    if ((env[0] & 0xFF) == DerReader.SEQUENCE) {
      DerReader outer = new DerReader(env);
      r = outer.sequence();
      layout = "EnvelopedData with its SEQUENCE";
    } else {
      r = new DerReader(env);
      layout = "EnvelopedData fields without their SEQUENCE (TR-34-2012 / AWS layout)";
    }
    out.add("envelope: " + layout + ", version " + r.smallInteger());
    r.optional(0xA0);
    DerReader recipients = r.expect(DerReader.SET).contents();
    while (recipients.hasMore()) {
      Tlv ri = recipients.read();
      if (ri.tag() != DerReader.SEQUENCE) {
        out.add("  recipient of another kind (tag " + String.format("%02X", ri.tag()) + ")");
        continue;
      }
      DerReader k = ri.contents();
      k.smallInteger();
      out.add("  recipient: " + Tr34Cms.issuerAndSerial(k.sequence()));
      DerReader alg = k.sequence();
      String oid = alg.oid();
      String params = "";
      if (alg.hasMore()) {
        DerReader pr = alg.sequence();
        boolean tagged = pr.hasMore() && (pr.peekTag() & 0xE0) == 0xA0;
        params =
            tagged
                ? ", parameters tagged (RFC 4055)"
                : ", parameters untagged (Annex B / AWS style)";
      }
      out.add(
          "  key transport: "
              + name(oid)
              + params
              + ", encrypted key "
              + k.octetString().length
              + " bytes");
    }
    DerReader eci = r.sequence();
    eci.oid();
    DerReader alg = eci.sequence();
    String cea = alg.oid();
    byte[] iv = alg.octetString();
    boolean inside = alg.hasMore();
    Tlv content = inside ? alg.read() : (eci.hasMore() ? eci.read() : null);
    out.add(
        "  content encryption: "
            + name(cea)
            + ", IV "
            + iv.length
            + " bytes, encrypted content "
            + (content == null ? "absent" : content.valueLength() + " bytes")
            + (inside ? " (inside the algorithm SEQUENCE: 2012 / 2019 first print)" : ""));
  }

  private static String name(String oid) {
    return switch (oid) {
      case Tr34Oids.DATA -> "id-data";
      case Tr34Oids.SIGNED_DATA -> "signedData";
      case Tr34Oids.ENVELOPED_DATA -> "envelopedData";
      case Tr34Oids.SHA256 -> "sha256";
      case Tr34Oids.RSA_ENCRYPTION -> "rsaEncryption";
      case Tr34Oids.SHA256_WITH_RSA -> "sha256WithRSAEncryption";
      case Tr34Oids.RSAES_OAEP -> "RSAES-OAEP";
      case "1.2.840.113549.3.7" -> "des-ede3-cbc";
      case "2.16.840.1.101.3.4.1.2" -> "aes128-CBC";
      case "2.16.840.1.101.3.4.1.42" -> "aes256-CBC";
      default -> oid;
    };
  }
}
