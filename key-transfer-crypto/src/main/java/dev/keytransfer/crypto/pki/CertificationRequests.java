package dev.keytransfer.crypto.pki;

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
  private static final int BIT_STRING = 0x03;

  private CertificationRequests() {}

  /**
   * Creates a DER PKCS#10 request for the public key of {@code key}, subject {@code subject},
   * signed with sha256WithRSAEncryption by {@code provider}: {@code SEQUENCE {
   * certificationRequestInfo SEQUENCE { version 0, subject, subjectPKInfo, attributes [0] {} },
   * signatureAlgorithm, signature BIT STRING }}.
   *
   * @return the DER encoding of the request
   * @throws KeyTransferException what {@code provider.sign} throws ({@code CRYPTO_FAILURE} if the
   *     handle is not the provider's)
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
    byte[] signature = provider.sign(key, Algorithms.Signature.RSA_PKCS1_SHA256, info);
    return DerWriter.sequence(
        info,
        DerWriter.algorithm(SHA256_WITH_RSA, DerWriter.nul()),
        DerWriter.tlv(BIT_STRING, DerWriter.concat(new byte[] {0}, signature)));
  }
}
