package dev.keytransfer.core;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A leaf certificate followed by the CA certificates that issued it, leaf first, without the trust
 * anchor (which each side configures for itself). Immutable.
 */
public record CertificateChain(List<X509Certificate> certificates) {
  public CertificateChain {
    certificates = List.copyOf(certificates);
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least its leaf");
    }
  }

  public static CertificateChain of(X509Certificate leaf, X509Certificate... issuers) {
    X509Certificate[] all = new X509Certificate[issuers.length + 1];
    all[0] = leaf;
    System.arraycopy(issuers, 0, all, 1, issuers.length);
    return new CertificateChain(List.of(all));
  }

  public X509Certificate leaf() {
    return certificates.get(0);
  }

  /** The certificates above the leaf. */
  public List<X509Certificate> issuers() {
    return certificates.subList(1, certificates.size());
  }

  @Override
  public String toString() {
    return "CertificateChain["
        + leaf().getSubjectX500Principal().getName()
        + ", "
        + certificates.size()
        + " certificates]";
  }
}
