package dev.keytransfer.core.spi;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.Nonce;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A rebind token whose signature has been verified (TR-34 B.11 RBT-KDH, B.10 RBT-CA): its content
 * (an inner degenerate SignedData) and signed attributes can now be trusted as the signer's
 * statement. What the codec checked: the signer identifier names the certificate it was verified
 * with (issuer and serial), exactly one signer, SHA-256 and an RSA PKCS#1 v1.5 signature (P5), the
 * signature over the signed attributes as received, contentType and messageDigest (over the content
 * octets as received, also in the Annex B layout without the inner SEQUENCE), the structure of the
 * inner SignedData (no signer, id-data content, exactly one end-entity certificate), and that the
 * freshness attribute of the variant is present: randomNonce for RBT-KDH, signingTime for RBT-CA.
 *
 * <p>What the caller (the terminal's state machine) must still check before it rebinds:
 *
 * <ul>
 *   <li>the signer: for {@link SignerRole#KDH}, the certificate is the KDH this terminal is bound
 *       to (C11); for {@link SignerRole#CA}, it is the configured higher-level authority, validated
 *       for that role;
 *   <li>RBT-KDH: {@link #nonce()} equals the nonce this terminal sent in this session, single use
 *       (P1, P3); RBT-CA: {@link #signingTime()} is strictly later than the last one accepted (P2);
 *   <li>{@link #krdId()} names this terminal's own certificate, and {@link #oldKdhId()} the KDH it
 *       is bound to;
 *   <li>{@link #newKdh()} validates for the KDH role (chain, dates, revocation, C1-C9) before it is
 *       bound;
 *   <li>{@link #crls()} (unverified) validate, and the signer's certificate is not revoked (C3).
 * </ul>
 *
 * @param bytes the token as received
 * @param signerRole whether the bound KDH or the higher-level authority signed it
 * @param signer the signer's identity, equal to the certificate it was verified with
 * @param nonce the randomNonce signed attribute (always present for RBT-KDH)
 * @param signingTime the signingTime signed attribute (always present for RBT-CA)
 * @param krdId the terminal the token is addressed to
 * @param oldKdhId the KDH the terminal leaves: the signer for RBT-KDH, the second identifier of the
 *     inner content for RBT-CA
 * @param newKdh the new KDH's certificate, leaf first, with any CA certificates the token carries
 * @param crls the CRLs the token carries (outer and inner SignedData), unverified
 */
public record VerifiedRebind(
    Bytes bytes,
    SignerRole signerRole,
    IssuerAndSerial signer,
    Optional<Nonce> nonce,
    Optional<Instant> signingTime,
    IssuerAndSerial krdId,
    IssuerAndSerial oldKdhId,
    CertificateChain newKdh,
    List<X509CRL> crls) {
  public VerifiedRebind {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(signerRole, "signerRole");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(signingTime, "signingTime");
    Objects.requireNonNull(krdId, "krdId");
    Objects.requireNonNull(oldKdhId, "oldKdhId");
    Objects.requireNonNull(newKdh, "newKdh");
    crls = List.copyOf(crls);
  }

  /** The new KDH's certificate (the leaf of {@link #newKdh()}). */
  public X509Certificate newKdhCertificate() {
    return newKdh.leaf();
  }

  /** The new KDH's identity. */
  public IssuerAndSerial newKdhId() {
    return IssuerAndSerial.of(newKdh.leaf());
  }

  /** The token as received (a fresh copy). */
  public byte[] encoded() {
    return bytes.toByteArray();
  }

  @Override
  public String toString() {
    return "VerifiedRebind["
        + signerRole
        + " "
        + signer
        + ", krd "
        + krdId
        + ", "
        + oldKdhId
        + " -> "
        + newKdhId()
        + ", "
        + nonce
            .map(Nonce::toString)
            .orElse(signingTime.map(Instant::toString).orElse("no freshness"))
        + "]";
  }
}
