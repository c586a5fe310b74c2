package dev.keytransfer.crypto.pki;

import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.crypto.internal.DerReader;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.DSAKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Key and signature-algorithm policy that Java's PKIX does not enforce (docs/SECURITY.md C8): RSA
 * keys of at least a minimum size and within the usual parameters (at most 8192 bits, an odd public
 * exponent below 2^32), EC keys on P-256, P-384 or P-521, no DSA or other key types, and signatures
 * with SHA-256 or a stronger hash. Allow-lists, so anything unknown fails closed. OIDs are dotted
 * strings; RSASSA-PSS parameters are read with the project's DER reader.
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
   * Largest RSA modulus accepted, in bits. A bigger key is no stronger in practice, only slower to
   * verify; a peer could send one to make each signature check cost more (docs/SECURITY.md, "Input
   * limits").
   */
  public static final int MAX_RSA_BITS = 8192;

  /**
   * Longest RSA public exponent accepted, in bits: odd, at least 3 and below 2^32. Real keys use
   * 65537 (17 bits); the cost of a signature check grows with the exponent's length, so a 2046-bit
   * exponent makes one some seventy times slower (2.5 ms instead of 36 us for RSA-2048 on one
   * current core).
   */
  public static final int MAX_RSA_EXPONENT_BITS = 32;

  /** The curves EC keys may be on: NIST P-256, P-384, P-521 (FIPS 186-4). */
  private static final Map<String, ECParameterSpec> CURVES = namedCurves();

  /**
   * Why {@code key} is not acceptable, or null when it is (C8): RSA of at least {@code minRsaBits}
   * and at most {@link #MAX_RSA_BITS} bits with an odd modulus and an odd public exponent of 3 to
   * {@link #MAX_RSA_EXPONENT_BITS} bits; EC on P-256, P-384 or P-521 (explicit or other curves are
   * refused); every other key type (DSA, EdDSA, unknown) is refused. Cheap: it checks parameters
   * only, so callers run it before any signature check with the key.
   */
  public static String keyWeakness(PublicKey key, int minRsaBits) {
    if (key instanceof RSAPublicKey rsa) {
      BigInteger n = rsa.getModulus();
      BigInteger e = rsa.getPublicExponent();
      int bits = n.bitLength();
      if (bits < minRsaBits) {
        return "RSA key of " + bits + " bits, policy minimum is " + minRsaBits;
      }
      if (bits > MAX_RSA_BITS) {
        return "RSA key of " + bits + " bits, more than the " + MAX_RSA_BITS + " accepted";
      }
      if (!n.testBit(0)) {
        return "RSA modulus is even";
      }
      if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0) {
        return "RSA public exponent must be odd and at least 3";
      }
      if (e.bitLength() > MAX_RSA_EXPONENT_BITS) {
        return "RSA public exponent of "
            + e.bitLength()
            + " bits, more than the "
            + MAX_RSA_EXPONENT_BITS
            + " accepted";
      }
      return null;
    }
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      if (bits < 256) {
        return "EC key on a " + bits + "-bit curve, policy minimum is 256";
      }
      for (ECParameterSpec named : CURVES.values()) {
        if (sameCurve(ec.getParams(), named)) {
          return null;
        }
      }
      return "EC key on a curve other than " + String.join(", ", CURVES.keySet());
    }
    if (key instanceof DSAKey) {
      return "DSA keys are not allowed";
    }
    return "key algorithm " + (key == null ? "none" : key.getAlgorithm()) + " is not allowed";
  }

  private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
    return a.getCurve().equals(b.getCurve())
        && a.getGenerator().equals(b.getGenerator())
        && a.getOrder().equals(b.getOrder())
        && a.getCofactor() == b.getCofactor();
  }

  /**
   * The platform's parameters of each allowed curve, looked up by algorithm (Android has them too);
   * a curve the platform lacks is left out, so its keys are refused.
   */
  private static Map<String, ECParameterSpec> namedCurves() {
    Map<String, ECParameterSpec> out = new LinkedHashMap<>();
    for (String[] c :
        new String[][] {{"P-256", "secp256r1"}, {"P-384", "secp384r1"}, {"P-521", "secp521r1"}}) {
      try {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec(c[1]));
        out.put(c[0], p.getParameterSpec(ECParameterSpec.class));
      } catch (GeneralSecurityException e) {
        // not on this platform: EC keys on that curve are refused
      }
    }
    return Collections.unmodifiableMap(out);
  }
}
