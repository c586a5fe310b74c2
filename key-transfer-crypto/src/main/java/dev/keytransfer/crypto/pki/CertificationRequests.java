package dev.keytransfer.crypto.pki;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.crypto.internal.DerWriter;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * PKCS#10 certification requests (RFC 2986) for S1: a KDH or KRD asks the CA of TR-34 B.2.1 for its
 * certificate. The request is built with the project's own DER writer (no ASN.1 library, so a
 * terminal can enroll with the JDK alone) and signed inside the {@link CryptoProvider} that holds
 * the key, so the private key never leaves it (a software keystore, an HSM token); the signature is
 * the proof of possession the CA checks. Stateless; thread-safe.
 */
public final class CertificationRequests {
  private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
  private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
  private static final String ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3";
  private static final String ECDSA_WITH_SHA512 = "1.2.840.10045.4.3.4";
  private static final int BIT_STRING = 0x03;

  private CertificationRequests() {}

  /**
   * Creates a DER PKCS#10 request for the public key of {@code key}, subject {@code subject},
   * signed by {@code provider}: with sha256WithRSAEncryption for an RSA key, with ECDSA and the
   * hash of the key's curve for an EC key (ecdsa-with-SHA256 on P-256, -SHA384 on P-384, -SHA512 on
   * P-521, no parameters, RFC 5758 3.2; docs/ECDH.md): {@code SEQUENCE { certificationRequestInfo
   * SEQUENCE { version 0, subject, subjectPKInfo, attributes [0] {} }, signatureAlgorithm,
   * signature BIT STRING }}.
   *
   * @return the DER encoding of the request
   * @throws KeyTransferException what {@code provider.sign} throws ({@code CRYPTO_FAILURE} if the
   *     handle is not the provider's, or an EC key is on a curve other than P-256, P-384, P-521)
   */
  public static byte[] create(CryptoProvider provider, PrivateKeyHandle key, X500Principal subject)
      throws KeyTransferException {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(subject, "subject");
    byte[] info =
        DerWriter.sequence(
            DerWriter.integer(0),
            subject.getEncoded(),
            key.publicKey().getEncoded(),
            DerWriter.contextConstructed(0));
    byte[] algorithm;
    Algorithms.Signature signatureAlgorithm;
    if (key.publicKey() instanceof java.security.interfaces.ECPublicKey) {
      Algorithms.Curve curve = Algorithms.Curve.of(key.publicKey());
      if (curve == null) {
        throw new KeyTransferException(
            ErrorCode.CRYPTO_FAILURE, "the EC key is not on P-256, P-384 or P-521");
      }
      signatureAlgorithm = curve.signature();
      algorithm = DerWriter.algorithm(ecdsaOid(signatureAlgorithm), null);
    } else {
      signatureAlgorithm = Algorithms.Signature.RSA_PKCS1_SHA256;
      algorithm = DerWriter.algorithm(SHA256_WITH_RSA, DerWriter.nul());
    }
    byte[] signature = provider.sign(key, signatureAlgorithm, info);
    return DerWriter.sequence(
        info, algorithm, DerWriter.tlv(BIT_STRING, DerWriter.concat(new byte[] {0}, signature)));
  }

  /** The OID of an ECDSA signature algorithm (RFC 5758 3.2). */
  private static String ecdsaOid(Algorithms.Signature signature) {
    return switch (signature) {
      case ECDSA_SHA256 -> ECDSA_WITH_SHA256;
      case ECDSA_SHA384 -> ECDSA_WITH_SHA384;
      case ECDSA_SHA512 -> ECDSA_WITH_SHA512;
      case RSA_PKCS1_SHA256 -> throw new IllegalArgumentException("not ECDSA: " + signature);
    };
  }
}
