package dev.keytransfer.crypto.tr34;

import static dev.keytransfer.crypto.tr34.DerReader.malformed;

import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.internal.Hex;
import dev.keytransfer.crypto.tr34.DerReader.Tlv;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Describes a TR-34 token without verifying or decrypting it (TR-34 Annex B): its type, signer,
 * recipients, signed attributes, algorithms, certificates and CRL entries. Prints public fields
 * only: never a key, never the encrypted key or content bytes.
 */
public final class Tr34TokenInspector {
  private Tr34TokenInspector() {}

  /** One line per fact, in reading order. */
  public static List<String> describe(byte[] token) throws MalformedTokenException {
    Tr34TokenCodec.checkSize(token);
    List<String> out = new ArrayList<>();
    try {
      if (isRandomToken(token)) {
        DerReader attr = new DerReader(token).sequence();
        attr.oid();
        DerReader set = attr.expect(DerReader.SET).contents();
        out.add("type: RT-KRD (TR-34 B.12), random number token");
        out.add("nonce: " + Hex.encode(set.octetString()));
        return out;
      }
      Tr34TokenCodec.ParsedSignedData p = Tr34TokenCodec.parseSignedData(token);
      out.add("type: " + typeOf(p));
      out.add("SignedData version: " + p.version + ", content type: " + name(p.eContentType)
          + (p.eContent == null ? ", no content" : ", content " + p.eContent.length + " bytes"));
      for (Tr34TokenCodec.ParsedSigner s : p.signers) {
        out.add("signer: " + s.sid());
        out.add("  digest: " + name(s.digestAlgorithm()) + ", signature: " + name(s.signatureAlgorithm())
            + ", " + s.signature().length + "-byte signature");
        if (s.signedAttributes() == null) {
          out.add("  no signed attributes (the signature covers the content)");
        } else {
          for (Map.Entry<String, Tlv> a : Tr34TokenCodec.parseAttributes(s.signedAttributes()).entrySet()) {
            out.add("  signed attribute " + attribute(a.getKey(), a.getValue()));
          }
        }
      }
      for (X509Certificate c : p.certificates) {
        out.add("certificate: " + c.getSubjectX500Principal().getName() + " (issuer " + c.getIssuerX500Principal().getName()
            + ", serial " + c.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT)
            + ", valid " + c.getNotBefore().toInstant() + " to " + c.getNotAfter().toInstant() + ")");
      }
      for (X509CRL crl : p.crls) {
        out.add("CRL: issuer " + crl.getIssuerX500Principal().getName() + ", thisUpdate " + crl.getThisUpdate().toInstant()
            + ", nextUpdate " + (crl.getNextUpdate() == null ? "none" : crl.getNextUpdate().toInstant()));
        if (crl.getRevokedCertificates() != null) {
          for (X509CRLEntry e : crl.getRevokedCertificates()) {
            out.add("  revoked serial " + e.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT)
                + " at " + e.getRevocationDate().toInstant());
          }
        }
      }
      if (Tr34Oids.ENVELOPED_DATA.equals(p.eContentType) && p.eContent != null) {
        describeEnvelope(p.eContent, out);
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

  private static String typeOf(Tr34TokenCodec.ParsedSignedData p) throws MalformedTokenException {
    if (Tr34Oids.ENVELOPED_DATA.equals(p.eContentType)) {
      boolean nonce = false;
      for (Tr34TokenCodec.ParsedSigner s : p.signers) {
        if (s.signedAttributes() != null
            && Tr34TokenCodec.parseAttributes(s.signedAttributes()).containsKey(Tr34Oids.RANDOM_NONCE)) {
          nonce = true;
        }
      }
      return nonce ? "KT-KDH two-pass key token (TR-34 B.9)" : "KT-KDH one-pass key token (TR-34 B.8)";
    }
    if (Tr34Oids.DATA.equals(p.eContentType) && p.signers.isEmpty()) {
      for (X509Certificate c : p.certificates) {
        boolean[] ku = c.getKeyUsage();
        if (c.getBasicConstraints() < 0 && ku != null) {
          if (ku.length > 2 && ku[2]) {
            return "CT-KRD credential token (TR-34 B.7)";
          }
          if (ku[0]) {
            return "CT-KDH credential token (TR-34 B.6)";
          }
        }
      }
      return "credential token (degenerate SignedData)";
    }
    if (Tr34Oids.SIGNED_DATA.equals(p.eContentType)) {
      return "rebind token (TR-34 B.10/B.11)";
    }
    return p.signers.isEmpty() ? "SignedData without signer" : "signed id-data token (unbind, TR-34 B.13/B.14)";
  }

  private static String attribute(String oid, Tlv values) throws MalformedTokenException {
    Tlv v = Tr34TokenCodec.single(values, -1);
    switch (oid) {
      case Tr34Oids.CONTENT_TYPE:
        return "contentType = " + name(DerReader.decodeOid(v));
      case Tr34Oids.RANDOM_NONCE:
        return "randomNonce = " + Hex.encode(v.value());
      case Tr34Oids.DATA:
        return "key block header (id-data) = " + new String(v.value(), StandardCharsets.US_ASCII);
      case Tr34Oids.MESSAGE_DIGEST:
        return "messageDigest = " + Hex.encode(v.value());
      case Tr34Oids.SIGNING_TIME:
        return "signingTime = " + Tr34TokenCodec.time(v);
      case Tr34Oids.CMS_ALGORITHM_PROTECTION:
        return "CMSAlgorithmProtection (" + oid + ")";
      default:
        return oid + " (" + v.valueLength() + " bytes)";
    }
  }

  private static void describeEnvelope(byte[] env, List<String> out) throws MalformedTokenException {
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
      out.add("  recipient: " + Tr34TokenCodec.issuerAndSerial(k.sequence()));
      DerReader alg = k.sequence();
      String oid = alg.oid();
      String params = "";
      if (alg.hasMore()) {
        DerReader pr = alg.sequence();
        boolean tagged = pr.hasMore() && (pr.peekTag() & 0xE0) == 0xA0;
        params = tagged ? ", parameters tagged (RFC 4055)" : ", parameters untagged (Annex B / AWS style)";
      }
      out.add("  key transport: " + name(oid) + params + ", encrypted key " + k.octetString().length + " bytes");
    }
    DerReader eci = r.sequence();
    eci.oid();
    DerReader alg = eci.sequence();
    String cea = alg.oid();
    byte[] iv = alg.octetString();
    boolean inside = alg.hasMore();
    Tlv content = inside ? alg.read() : (eci.hasMore() ? eci.read() : null);
    out.add("  content encryption: " + name(cea) + ", IV " + iv.length + " bytes, encrypted content "
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
