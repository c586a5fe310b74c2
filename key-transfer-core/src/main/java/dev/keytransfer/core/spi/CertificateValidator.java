package dev.keytransfer.core.spi;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.Role;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * Validates a peer's certificate chain for a role (S2: the host validates the KRD; S3: the terminal
 * validates the KDH): chain to the anchor, dates, revocation failing closed, role, key and
 * signature policy (docs/SECURITY.md C1-C9). Thread-safe.
 */
public interface CertificateValidator {
  /**
   * Validates {@code presented} (leaf first) for {@code role} now, with the policy's local CRLs and
   * {@code crls} (those the peer sent).
   *
   * @return the validated path, leaf first, without the trust anchor
   * @throws CertificateValidationException with the code of the first failure
   */
  CertificateChain validate(CertificateChain presented, Role role, Collection<X509CRL> crls)
      throws CertificateValidationException;

  /**
   * The trust anchors chains end at; with the validated path, the keys under which CRLs about that
   * path must verify before the terminal remembers them (C14). Empty if unknown.
   */
  default List<X509Certificate> trustAnchors() {
    return List.of();
  }
}
