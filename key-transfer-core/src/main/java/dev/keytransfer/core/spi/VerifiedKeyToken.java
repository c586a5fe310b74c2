package dev.keytransfer.core.spi;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.Nonce;
import java.security.cert.X509CRL;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A key token whose signature has been verified under the KDH's certificate (TR-34 B.9 / B.8): its
 * signed attributes can now be trusted. Only a verified token is ever decrypted (docs/SECURITY.md
 * P6).
 *
 * <p>What the codec checked: the signer identifier names the certificate it was verified with,
 * exactly one signer, SHA-256 and RSA PKCS#1 v1.5 (P5), the signature over the signed attributes as
 * received, contentType, messageDigest, the header attribute's syntax, and for a one-pass token
 * that signingTime is present. What the caller checks: that certificate is the bound KDH (C11); the
 * CRLs validate (C3); two-pass: {@link #nonce()} equals this session's nonce, single use (P1, P3);
 * one-pass: {@link #signingTime()} is strictly later than the last one accepted (P2); after
 * decryption, idKDH and the header ({@code KeyBlockChecks}).
 *
 * @param bytes the token as received
 * @param signer the signer's identity, equal to the certificate it was verified with
 * @param nonce the randomNonce attribute (two-pass), if present
 * @param signingTime the signingTime attribute (one-pass), if present
 * @param header the key block header signed attribute
 * @param crls CRLs the token carries (unverified: validate them before use)
 * @param envelopeBytes the EnvelopedData bytes the signature covers, for {@link
 *     TokenCodec#decryptKeyToken}
 */
public record VerifiedKeyToken(
    Bytes bytes,
    IssuerAndSerial signer,
    Optional<Nonce> nonce,
    Optional<Instant> signingTime,
    KeyBlockHeader header,
    List<X509CRL> crls,
    Bytes envelopeBytes) {
  public VerifiedKeyToken {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(signingTime, "signingTime");
    Objects.requireNonNull(header, "header");
    crls = List.copyOf(crls);
    Objects.requireNonNull(envelopeBytes, "envelopeBytes");
  }

  /** The token as received (a fresh copy). */
  public byte[] encoded() {
    return bytes.toByteArray();
  }

  /** The envelope to decrypt (a fresh copy). */
  public byte[] envelope() {
    return envelopeBytes.toByteArray();
  }

  @Override
  public String toString() {
    return "VerifiedKeyToken[signer "
        + signer
        + ", "
        + header
        + ", "
        + nonce.map(Nonce::toString).orElse("no nonce")
        + "]";
  }
}
