package dev.keytransfer.core.store;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.BindingStore;
import java.security.cert.X509Certificate;
import java.util.Optional;

/** A binding store in JVM memory. */
public final class InMemoryBindingStore implements BindingStore {
  private X509Certificate bound;

  @Override
  public synchronized Optional<X509Certificate> boundKdh() {
    return Optional.ofNullable(bound);
  }

  @Override
  public synchronized void bind(X509Certificate kdhCertificate) throws KeyTransferException {
    if (bound != null && !IssuerAndSerial.of(bound).identifies(kdhCertificate)) {
      throw new SignatureInvalidException(ErrorCode.SIGNER_NOT_BOUND, "terminal is bound to another KDH");
    }
    bound = kdhCertificate;
  }
}
