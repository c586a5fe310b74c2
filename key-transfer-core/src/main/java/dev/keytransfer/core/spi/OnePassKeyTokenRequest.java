package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.SecretKeyMaterial;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the host puts into a one-pass key token (TR-34 B.8): as {@link KeyTokenRequest}, with the
 * signing time in the place of the terminal's nonce. Holds a reference to the key; the caller keeps
 * ownership of it.
 *
 * @param kdhCertificate the signer's certificate (its IssuerAndSerialNumber becomes sid and idKDH)
 * @param kdhSigningKey the signer's private key handle
 * @param krdCertificate the recipient's certificate (validated, role KRD)
 * @param signingTime the signingTime attribute; the terminal accepts only a time later than the
 *     last one it accepted (docs/SECURITY.md P2), so a host must never reuse or go back in time
 * @param header the key block header
 * @param key the key to transport
 * @param crls the CRLs to carry (TR-34: the KDH CA's CRL)
 */
public record OnePassKeyTokenRequest(
    X509Certificate kdhCertificate,
    PrivateKeyHandle kdhSigningKey,
    X509Certificate krdCertificate,
    Instant signingTime,
    KeyBlockHeader header,
    SecretKeyMaterial key,
    List<X509CRL> crls) {
  public OnePassKeyTokenRequest {
    Objects.requireNonNull(kdhCertificate, "kdhCertificate");
    Objects.requireNonNull(kdhSigningKey, "kdhSigningKey");
    Objects.requireNonNull(krdCertificate, "krdCertificate");
    Objects.requireNonNull(signingTime, "signingTime");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(key, "key");
    crls = List.copyOf(crls);
  }
}
