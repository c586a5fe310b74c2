package dev.keytransfer.core.handshake;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.spi.CertificateValidator;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Accepts a chain whose leaf was issued by the CA of the role asked for and is not listed as
 * revoked: the role pinning and revocation outcomes the machines react to (docs/SECURITY.md C3,
 * C6), without PKIX.
 */
final class FakeCertificateValidator implements CertificateValidator {
  private final Set<X509Certificate> revoked = new HashSet<>();
  int validations;

  /** From now on {@code certificate} is refused as revoked. */
  void revoke(X509Certificate certificate) {
    revoked.add(certificate);
  }

  @Override
  public CertificateChain validate(CertificateChain presented, Role role, Collection<X509CRL> crls)
      throws CertificateValidationException {
    validations++;
    X509Certificate leaf = presented.leaf();
    if (!leaf.getIssuerX500Principal().equals(FakePki.caFor(role).getSubjectX500Principal())) {
      throw new CertificateValidationException(
          ErrorCode.CERTIFICATE_WRONG_ROLE, "not issued by the " + role + " CA");
    }
    if (revoked.contains(leaf)) {
      throw new CertificateValidationException(ErrorCode.CERTIFICATE_REVOKED, "revoked");
    }
    return presented;
  }
}
