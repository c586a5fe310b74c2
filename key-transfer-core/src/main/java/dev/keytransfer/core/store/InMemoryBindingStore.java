package dev.keytransfer.core.store;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.NonceMismatchException;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.spi.BindingStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A binding store in JVM memory (a device persists the same state in its secure storage). */
public final class InMemoryBindingStore implements BindingStore {
  private X509Certificate bound;
  private final Map<IssuerAndSerial, Instant> lastSigningTimes = new HashMap<>();

  @Override
  public synchronized Optional<X509Certificate> boundKdh() {
    return Optional.ofNullable(bound);
  }

  @Override
  public synchronized void bind(X509Certificate kdhCertificate) throws KeyTransferException {
    if (bound != null && !IssuerAndSerial.of(bound).identifies(kdhCertificate)) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNER_NOT_BOUND, "terminal is bound to another KDH");
    }
    bound = kdhCertificate;
  }

  @Override
  public synchronized void unbind() {
    bound = null;
  }

  @Override
  public synchronized void rebind(X509Certificate newKdh) {
    bound = java.util.Objects.requireNonNull(newKdh, "newKdh");
  }

  @Override
  public synchronized Optional<Instant> lastSigningTime(IssuerAndSerial signer) {
    return Optional.ofNullable(lastSigningTimes.get(signer));
  }

  @Override
  public synchronized void recordSigningTime(IssuerAndSerial signer, Instant signingTime)
      throws KeyTransferException {
    Instant last = lastSigningTimes.get(signer);
    if (last != null && !signingTime.isAfter(last)) {
      throw new NonceMismatchException(
          ErrorCode.NONCE_MISMATCH, "signing time is not later than the last one accepted");
    }
    lastSigningTimes.put(signer, signingTime);
  }
}
