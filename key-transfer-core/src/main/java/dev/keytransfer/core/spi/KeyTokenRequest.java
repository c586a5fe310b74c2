package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SecretKeyMaterial;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the host puts into a KT-KDH key token: two-pass (TR-34 B.9), fresh by the terminal's nonce,
 * or one-pass (B.8), fresh by a signing time. Holds a reference to the key; the caller keeps
 * ownership of it.
 *
 * @param kdhCertificate the signer's certificate (its IssuerAndSerialNumber becomes sid and idKDH)
 * @param kdhSigningKey the signer's private key handle
 * @param krdCertificate the recipient's certificate (validated, role KRD)
 * @param freshness the nonce of the terminal's RT-KRD in this session, or the signing time
 * @param header the key block header
 * @param key the key to transport
 * @param crls the CRLs to carry (TR-34: the KDH CA's CRL)
 */
public record KeyTokenRequest(
    X509Certificate kdhCertificate,
    PrivateKeyHandle kdhSigningKey,
    X509Certificate krdCertificate,
    Freshness freshness,
    KeyBlockHeader header,
    SecretKeyMaterial key,
    List<X509CRL> crls) {
  public KeyTokenRequest {
    Objects.requireNonNull(kdhCertificate, "kdhCertificate");
    Objects.requireNonNull(kdhSigningKey, "kdhSigningKey");
    Objects.requireNonNull(krdCertificate, "krdCertificate");
    Objects.requireNonNull(freshness, "freshness");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(key, "key");
    crls = List.copyOf(crls);
  }

  /** What makes the token fresh for the terminal (docs/SECURITY.md P1, P2). */
  public sealed interface Freshness permits TwoPass, OnePass {}

  /** Two-pass (B.9): the nonce of the terminal's RT-KRD in this session, as a signed attribute. */
  public record TwoPass(Nonce nonce) implements Freshness {
    public TwoPass {
      Objects.requireNonNull(nonce, "nonce");
    }
  }

  /**
   * One-pass (B.8): the signingTime attribute; the terminal accepts only a time later than the last
   * one it accepted from this host (docs/SECURITY.md P2), so a host must never reuse or go back in
   * time.
   */
  public record OnePass(Instant signingTime) implements Freshness {
    public OnePass {
      Objects.requireNonNull(signingTime, "signingTime");
    }
  }

  /** A two-pass request (B.9). */
  public static KeyTokenRequest twoPass(
      X509Certificate kdhCertificate,
      PrivateKeyHandle kdhSigningKey,
      X509Certificate krdCertificate,
      Nonce nonce,
      KeyBlockHeader header,
      SecretKeyMaterial key,
      List<X509CRL> crls) {
    return new KeyTokenRequest(
        kdhCertificate, kdhSigningKey, krdCertificate, new TwoPass(nonce), header, key, crls);
  }

  /** A one-pass request (B.8). */
  public static KeyTokenRequest onePass(
      X509Certificate kdhCertificate,
      PrivateKeyHandle kdhSigningKey,
      X509Certificate krdCertificate,
      Instant signingTime,
      KeyBlockHeader header,
      SecretKeyMaterial key,
      List<X509CRL> crls) {
    return new KeyTokenRequest(
        kdhCertificate, kdhSigningKey, krdCertificate, new OnePass(signingTime), header, key, crls);
  }
}
