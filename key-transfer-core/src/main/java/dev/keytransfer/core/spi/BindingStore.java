package dev.keytransfer.core.spi;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * Plain storage for the terminal's binding state: which KDH it is bound to (TR-34 bind, S3) and the
 * last signing time accepted per signer, and the newest CRL accepted per issuer. It makes no
 * decision: the rules that use this state (obey only the bound KDH, C11; bind only after the host
 * proved its key; a signing time strictly later than the last one, P2; no CRL older than one
 * already accepted, C14) live in {@code KrdHandshake}, so a device's own store cannot switch a
 * check off. Thread-safe; persistent in a real device.
 */
public interface BindingStore {
  /** The KDH the terminal is bound to, if any. */
  Optional<X509Certificate> boundKdh();

  /**
   * Stores {@code kdhCertificate} as the bound KDH, replacing any previous one.
   *
   * @throws KeyTransferException {@code STORAGE_FAILURE}, leaving the store unchanged
   */
  void bind(X509Certificate kdhCertificate) throws KeyTransferException;

  /** Forgets the binding. */
  void unbind() throws KeyTransferException;

  /** The signing time of the last one-pass key token or CA rebind accepted from {@code signer}. */
  Optional<Instant> lastSigningTime(IssuerAndSerial signer);

  /** Stores {@code signingTime} as the last one accepted from {@code signer}. */
  void recordSigningTime(IssuerAndSerial signer, Instant signingTime) throws KeyTransferException;

  /** The newest CRL accepted from {@code issuer}, if any. */
  Optional<CrlMark> newestCrl(X500Principal issuer);

  /** Stores {@code mark} as the newest CRL accepted from {@code issuer}. */
  void recordNewestCrl(X500Principal issuer, CrlMark mark) throws KeyTransferException;
}
