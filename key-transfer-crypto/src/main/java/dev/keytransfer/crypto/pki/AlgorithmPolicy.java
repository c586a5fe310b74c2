package dev.keytransfer.crypto.pki;

import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.internal.DerReader;
import java.security.PublicKey;
import java.security.interfaces.DSAKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Map;

/**
 * Key and signature-algorithm policy that Java's PKIX does not enforce (docs/SECURITY.md C8): RSA
 * keys of at least a minimum size, EC keys on a curve of at least 256 bits, no DSA or other key
 * types, and signatures with SHA-256 or a stronger hash. Allow-lists, so anything unknown fails
 * closed. OIDs are dotted strings; RSASSA-PSS parameters are read with the project's DER reader.
 */
public final class AlgorithmPolicy {
  private AlgorithmPolicy() {}

  private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
  private static final String MGF1 = "1.2.840.113549.1.1.8";

  /** Signature algorithms accepted, by OID, with a name for messages. */
  private static final Map<String, String> STRONG_SIGNATURES =
      Map.ofEntries(
          Map.entry("1.2.840.113549.1.1.11", "sha256WithRSAEncryption"),
          Map.entry("1.2.840.113549.1.1.12", "sha384WithRSAEncryption"),
          Map.entry("1.2.840.113549.1.1.13", "sha512WithRSAEncryption"),
          Map.entry("2.16.840.1.101.3.4.3.14", "RSA-SHA3-256"),
          Map.entry("2.16.840.1.101.3.4.3.15", "RSA-SHA3-384"),
          Map.entry("2.16.840.1.101.3.4.3.16", "RSA-SHA3-512"),
          Map.entry("1.2.840.10045.4.3.2", "ecdsa-with-SHA256"),
          Map.entry("1.2.840.10045.4.3.3", "ecdsa-with-SHA384"),
          Map.entry("1.2.840.10045.4.3.4", "ecdsa-with-SHA512"),
          Map.entry("2.16.840.1.101.3.4.3.10", "ecdsa-with-SHA3-256"),
          Map.entry("2.16.840.1.101.3.4.3.11", "ecdsa-with-SHA3-384"),
          Map.entry("2.16.840.1.101.3.4.3.12", "ecdsa-with-SHA3-512"));

  /** Hash algorithms accepted inside RSASSA-PSS parameters (hash and MGF1 hash). */
  private static final Map<String, String> STRONG_HASHES =
      Map.of(
          "2.16.840.1.101.3.4.2.1", "SHA-256",
          "2.16.840.1.101.3.4.2.2", "SHA-384",
          "2.16.840.1.101.3.4.2.3", "SHA-512",
          "2.16.840.1.101.3.4.2.8", "SHA3-256",
          "2.16.840.1.101.3.4.2.9", "SHA3-384",
          "2.16.840.1.101.3.4.2.10", "SHA3-512");

  /**
   * Why the signature algorithm {@code oid} (with DER {@code params}, may be null) is too weak, or
   * null when it is acceptable: the hash must be SHA-256 or stronger.
   */
  public static String signatureWeakness(String oid, byte[] params) {
    if (oid == null) {
      return "no signature algorithm";
    }
    if (STRONG_SIGNATURES.containsKey(oid)) {
      return null;
    }
    if (RSASSA_PSS.equals(oid)) {
      return pssWeakness(params);
    }
    return "signature algorithm " + oid + " is not SHA-256 or stronger";
  }

  /**
   * RSASSA-PSS-params (RFC 4055): {@code SEQUENCE { hashAlgorithm [0] DEFAULT sha1,
   * maskGenAlgorithm [1] DEFAULT mgf1SHA1, saltLength [2], trailerField [3] }}; both hashes must be
   * strong, so an absent (SHA-1) default is weak.
   */
  private static String pssWeakness(byte[] params) {
    if (params == null) {
      return "RSASSA-PSS with default parameters (SHA-1)";
    }
    try {
      DerReader pss = new DerReader(params).sequence();
      DerReader.Tlv hash = pss.optional(0xA0);
      if (hash == null) {
        return "RSASSA-PSS with hash SHA-1 (the default)";
      }
      String hashOid = hash.contents().sequence().oid();
      if (!STRONG_HASHES.containsKey(hashOid)) {
        return "RSASSA-PSS with hash " + hashOid;
      }
      DerReader.Tlv mgf = pss.optional(0xA1);
      if (mgf == null) {
        return "RSASSA-PSS with a weak MGF1 hash";
      }
      DerReader mgfAlgorithm = mgf.contents().sequence();
      String mgfOid = mgfAlgorithm.oid();
      if (!MGF1.equals(mgfOid)) {
        return "RSASSA-PSS with mask generation " + mgfOid;
      }
      String mgfHash = mgfAlgorithm.sequence().oid();
      if (!STRONG_HASHES.containsKey(mgfHash)) {
        return "RSASSA-PSS with a weak MGF1 hash";
      }
      return null;
    } catch (MalformedTokenException | RuntimeException e) {
      return "unreadable RSASSA-PSS parameters";
    }
  }

  /**
   * Why {@code key} is too weak, or null when acceptable: RSA of at least {@code minRsaBits}, EC on
   * a field of at least 256 bits; every other key type (DSA, EdDSA, unknown) is refused.
   */
  public static String keyWeakness(PublicKey key, int minRsaBits) {
    if (key instanceof RSAPublicKey) {
      int bits = ((RSAPublicKey) key).getModulus().bitLength();
      return bits < minRsaBits
          ? "RSA key of " + bits + " bits, policy minimum is " + minRsaBits
          : null;
    }
    if (key instanceof ECPublicKey) {
      int bits = ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
      return bits < 256 ? "EC key on a " + bits + "-bit curve, policy minimum is 256" : null;
    }
    if (key instanceof DSAKey) {
      return "DSA keys are not allowed";
    }
    return "key algorithm " + (key == null ? "none" : key.getAlgorithm()) + " is not allowed";
  }
}
