package dev.keytransfer.core.spi;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * S1: the certification authority. One root above a KDH sub-CA and a KRD sub-CA (TR-34 B.2.1).
 * Issues a certificate from a PKCS#10 request (the private key never leaves where it was
 * generated), with the key usage of the role; revokes; publishes signed CRLs. Thread-safe.
 */
public interface CertificateAuthority {
  /** The root certificate: the trust anchor both sides configure. */
  X509Certificate rootCertificate();

  /** The sub-CA that issues certificates of {@code role}. */
  X509Certificate issuingCertificate(Role role);

  /**
   * Issues a certificate for {@code role} from a DER PKCS#10 request, after checking its
   * proof-of-possession signature and key policy.
   *
   * @return the new leaf followed by its issuing sub-CA
   * @throws KeyTransferException {@code CA_REQUEST_REFUSED}
   */
  CertificateChain issue(byte[] certificationRequest, Role role) throws KeyTransferException;

  /** Revokes a certificate this CA issued and publishes a new CRL at once. */
  void revoke(X509Certificate certificate) throws KeyTransferException;

  /** The current CRL of the CA that issues {@code role} certificates. */
  X509CRL crl(Role role);

  /** The current CRLs of all three CAs: root, KDH CA, KRD CA. */
  List<X509CRL> crls();
}
