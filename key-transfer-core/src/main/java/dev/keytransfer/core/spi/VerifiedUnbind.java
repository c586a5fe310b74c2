package dev.keytransfer.core.spi;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.Nonce;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An unbind token whose signature has been verified (TR-34 B.14 UBT-KDH, B.13 UBT-CA): its content
 * and signed attributes can now be trusted as the signer's statement. What the codec checked: the
 * signer identifier names the certificate it was verified with (issuer and serial), exactly one
 * signer, SHA-256 and an RSA PKCS#1 v1.5 signature (P5), the signature over the signed attributes
 * as received (or over the content when there are none, as in B.13), contentType and messageDigest,
 * the structure, and for UBT-KDH that a randomNonce is present.
 *
 * <p>What the caller (the terminal's state machine) must still check before it drops anything:
 *
 * <ul>
 *   <li>the signer: for {@link SignerRole#KDH}, the certificate is the KDH this terminal is bound
 *       to (C11); for {@link SignerRole#CA}, it is the configured higher-level authority, validated
 *       for that role;
 *   <li>{@link #nonce()} equals the nonce this terminal sent in its RT-KRD in this session, single
 *       use (P1, P3); for a UBT-CA without a nonce, freshness is the caller's policy (P2, P3);
 *   <li>{@link #krdId()} names this terminal's own certificate;
 *   <li>{@link #kdhId()} names the KDH this terminal is bound to;
 *   <li>{@link #crls()} (unverified) validate, and the signer's certificate is not revoked (C3).
 * </ul>
 *
 * @param bytes the token as received
 * @param signerRole whether the bound KDH or the higher-level authority signed it
 * @param signer the signer's identity, equal to the certificate it was verified with
 * @param nonce the randomNonce signed attribute (always present for UBT-KDH)
 * @param signingTime the signingTime signed attribute, if the signer added one
 * @param krdId the terminal the token is addressed to
 * @param kdhId the KDH whose binding is dropped: the signer for UBT-KDH, the second identifier of
 *     the content for UBT-CA
 * @param crls the CRLs the token carries, unverified
 */
public record VerifiedUnbind(
    Bytes bytes,
    SignerRole signerRole,
    IssuerAndSerial signer,
    Optional<Nonce> nonce,
    Optional<Instant> signingTime,
    IssuerAndSerial krdId,
    IssuerAndSerial kdhId,
    List<X509CRL> crls) {
  public VerifiedUnbind {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(signerRole, "signerRole");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(signingTime, "signingTime");
    Objects.requireNonNull(krdId, "krdId");
    Objects.requireNonNull(kdhId, "kdhId");
    crls = List.copyOf(crls);
  }

  /** The token as received (a fresh copy). */
  public byte[] encoded() {
    return bytes.toByteArray();
  }

  @Override
  public String toString() {
    return "VerifiedUnbind["
        + signerRole
        + " "
        + signer
        + ", krd "
        + krdId
        + ", kdh "
        + kdhId
        + ", "
        + nonce.map(Nonce::toString).orElse("no nonce")
        + "]";
  }
}
