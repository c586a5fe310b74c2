package dev.keytransfer.crypto.pki;

import java.io.IOException;
import java.security.PublicKey;
import java.security.interfaces.DSAKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Key and signature-algorithm policy that Java's PKIX does not enforce (docs/SECURITY.md C8): RSA
 * keys of at least a minimum size, EC keys on a curve of at least 256 bits, no DSA or other key
 * types, and signatures with SHA-256 or a stronger hash. Allow-lists, so anything unknown fails
 * closed.
 */
final class AlgorithmPolicy {
  private AlgorithmPolicy() {}

  /**
   * Signature algorithms accepted, by OID, with a name for messages. RSASSA-PSS is judged by its
   * parameters.
   */
  private static final Map<String, String> STRONG_SIGNATURES =
      Map.ofEntries(
          Map.entry(
              PKCSObjectIdentifiers.sha256WithRSAEncryption.getId(), "sha256WithRSAEncryption"),
          Map.entry(
              PKCSObjectIdentifiers.sha384WithRSAEncryption.getId(), "sha384WithRSAEncryption"),
          Map.entry(
              PKCSObjectIdentifiers.sha512WithRSAEncryption.getId(), "sha512WithRSAEncryption"),
          Map.entry(
              NISTObjectIdentifiers.id_rsassa_pkcs1_v1_5_with_sha3_256.getId(), "RSA-SHA3-256"),
          Map.entry(
              NISTObjectIdentifiers.id_rsassa_pkcs1_v1_5_with_sha3_384.getId(), "RSA-SHA3-384"),
          Map.entry(
              NISTObjectIdentifiers.id_rsassa_pkcs1_v1_5_with_sha3_512.getId(), "RSA-SHA3-512"),
          Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA256.getId(), "ecdsa-with-SHA256"),
          Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA384.getId(), "ecdsa-with-SHA384"),
          Map.entry(X9ObjectIdentifiers.ecdsa_with_SHA512.getId(), "ecdsa-with-SHA512"),
          Map.entry(NISTObjectIdentifiers.id_ecdsa_with_sha3_256.getId(), "ecdsa-with-SHA3-256"),
          Map.entry(NISTObjectIdentifiers.id_ecdsa_with_sha3_384.getId(), "ecdsa-with-SHA3-384"),
          Map.entry(NISTObjectIdentifiers.id_ecdsa_with_sha3_512.getId(), "ecdsa-with-SHA3-512"));

  /** Hash algorithms accepted inside RSASSA-PSS parameters (hash and MGF1 hash). */
  private static final Map<ASN1ObjectIdentifier, String> STRONG_HASHES =
      Map.of(
          NISTObjectIdentifiers.id_sha256, "SHA-256",
          NISTObjectIdentifiers.id_sha384, "SHA-384",
          NISTObjectIdentifiers.id_sha512, "SHA-512",
          NISTObjectIdentifiers.id_sha3_256, "SHA3-256",
          NISTObjectIdentifiers.id_sha3_384, "SHA3-384",
          NISTObjectIdentifiers.id_sha3_512, "SHA3-512");

  /**
   * Why the signature algorithm {@code oid} (with DER {@code params}, may be null) is too weak, or
   * null when it is acceptable: the hash must be SHA-256 or stronger.
   */
  static String signatureWeakness(String oid, byte[] params) {
    if (oid == null) {
      return "no signature algorithm";
    }
    if (STRONG_SIGNATURES.containsKey(oid)) {
      return null;
    }
    if (PKCSObjectIdentifiers.id_RSASSA_PSS.getId().equals(oid)) {
      return pssWeakness(params);
    }
    return "signature algorithm " + oid + " is not SHA-256 or stronger";
  }

  /** As {@link #signatureWeakness(String, byte[])} for a BC AlgorithmIdentifier. */
  static String signatureWeakness(AlgorithmIdentifier algorithm) {
    byte[] params = null;
    if (algorithm.getParameters() != null) {
      try {
        params = algorithm.getParameters().toASN1Primitive().getEncoded();
      } catch (IOException e) {
        return "unreadable signature parameters";
      }
    }
    return signatureWeakness(algorithm.getAlgorithm().getId(), params);
  }

  private static String pssWeakness(byte[] params) {
    if (params == null) {
      return "RSASSA-PSS with default parameters (SHA-1)";
    }
    RSASSAPSSparams pss;
    try {
      pss = RSASSAPSSparams.getInstance(ASN1Primitive.fromByteArray(params));
    } catch (IOException | RuntimeException e) {
      return "unreadable RSASSA-PSS parameters";
    }
    if (!STRONG_HASHES.containsKey(pss.getHashAlgorithm().getAlgorithm())) {
      return "RSASSA-PSS with hash " + pss.getHashAlgorithm().getAlgorithm().getId();
    }
    AlgorithmIdentifier mgf = pss.getMaskGenAlgorithm();
    if (!PKCSObjectIdentifiers.id_mgf1.equals(mgf.getAlgorithm())) {
      return "RSASSA-PSS with mask generation " + mgf.getAlgorithm().getId();
    }
    try {
      AlgorithmIdentifier mgfHash = AlgorithmIdentifier.getInstance(mgf.getParameters());
      if (mgfHash == null || !STRONG_HASHES.containsKey(mgfHash.getAlgorithm())) {
        return "RSASSA-PSS with a weak MGF1 hash";
      }
    } catch (RuntimeException e) {
      return "unreadable RSASSA-PSS MGF1 parameters";
    }
    return null;
  }

  /**
   * Why {@code key} is too weak, or null when acceptable: RSA of at least {@code minRsaBits}, EC on
   * a field of at least 256 bits; every other key type (DSA, EdDSA, unknown) is refused.
   */
  static String keyWeakness(PublicKey key, int minRsaBits) {
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
