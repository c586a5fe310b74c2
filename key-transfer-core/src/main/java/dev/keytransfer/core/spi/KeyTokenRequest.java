package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.SecretKeyMaterial;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What the host puts into a two-pass key token (TR-34 B.9). Holds a reference to the key; the
 * caller keeps ownership of it.
 *
 * @param kdhCertificate the signer's certificate (its IssuerAndSerialNumber becomes sid and idKDH)
 * @param kdhSigningKey the signer's private key handle
 * @param krdCertificate the recipient's certificate (validated, role KRD)
 * @param nonce the KRD's nonce from its RT-KRD in this session
 * @param header the key block header
 * @param key the key to transport
 * @param crls the CRLs to carry (TR-34: the KDH CA's CRL)
 */
public record KeyTokenRequest(
    X509Certificate kdhCertificate,
    PrivateKeyHandle kdhSigningKey,
    X509Certificate krdCertificate,
    Nonce nonce,
    KeyBlockHeader header,
    SecretKeyMaterial key,
    List<X509CRL> crls) {
  public KeyTokenRequest {
    Objects.requireNonNull(kdhCertificate, "kdhCertificate");
    Objects.requireNonNull(kdhSigningKey, "kdhSigningKey");
    Objects.requireNonNull(krdCertificate, "krdCertificate");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(key, "key");
    crls = List.copyOf(crls);
  }
}
