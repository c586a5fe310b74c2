package dev.keytransfer.core.spi;

import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.ErrorCode;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/** Which validated terminals the host serves (docs/SECURITY.md C10). */
@FunctionalInterface
public interface DevicePolicy {
  /**
   * Accepts or refuses a terminal whose certificate has already been validated for role KRD.
   *
   * @throws CertificateValidationException {@code DEVICE_NOT_AUTHORIZED}
   */
  void authorize(X509Certificate krdCertificate) throws CertificateValidationException;

  /** Every terminal holding a valid certificate from the configured KRD CA. */
  static DevicePolicy anyCertifiedDevice() {
    return cert -> {};
  }

  /** Only terminals whose certificate subject is in {@code subjects} (an inventory). */
  static DevicePolicy allowList(Set<X500Principal> subjects) {
    Set<X500Principal> copy = Set.copyOf(subjects);
    return cert -> {
      if (!copy.contains(cert.getSubjectX500Principal())) {
        throw new CertificateValidationException(
            ErrorCode.DEVICE_NOT_AUTHORIZED, "terminal is not in the device inventory");
      }
    };
  }
}
