package dev.keytransfer.core.store;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.spi.BindingStore;
import dev.keytransfer.core.spi.CrlMark;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/** A binding store in JVM memory (a device persists the same state in its secure storage). */
public final class InMemoryBindingStore implements BindingStore {
  private X509Certificate bound;
  private final Map<IssuerAndSerial, Instant> lastSigningTimes = new HashMap<>();
  private final Map<X500Principal, CrlMark> newestCrls = new HashMap<>();

  @Override
  public synchronized Optional<X509Certificate> boundKdh() {
    return Optional.ofNullable(bound);
  }

  @Override
  public synchronized void bind(X509Certificate kdhCertificate) {
    bound = Objects.requireNonNull(kdhCertificate, "kdhCertificate");
  }

  @Override
  public synchronized void unbind() {
    bound = null;
  }

  @Override
  public synchronized Optional<Instant> lastSigningTime(IssuerAndSerial signer) {
    return Optional.ofNullable(lastSigningTimes.get(signer));
  }

  @Override
  public synchronized void recordSigningTime(IssuerAndSerial signer, Instant signingTime) {
    lastSigningTimes.put(
        Objects.requireNonNull(signer, "signer"), Objects.requireNonNull(signingTime, "time"));
  }

  @Override
  public synchronized Optional<CrlMark> newestCrl(X500Principal issuer) {
    return Optional.ofNullable(newestCrls.get(issuer));
  }

  @Override
  public synchronized void recordNewestCrl(X500Principal issuer, CrlMark mark) {
    newestCrls.put(Objects.requireNonNull(issuer, "issuer"), Objects.requireNonNull(mark, "mark"));
  }
}
