package dev.keytransfer.core.spi;

import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * Remembers which KDH the terminal is bound to (TR-34 bind, S3) and the freshness state of
 * time-stamped tokens. The terminal accepts key tokens only from the bound host (docs/SECURITY.md
 * C11), and a one-pass key token or CA rebind only with a signing time strictly later than the last
 * one accepted from the same signer (P2). Thread-safe; persistent in a real device.
 */
public interface BindingStore {
  Optional<X509Certificate> boundKdh();

  /** Binds to {@code kdhCertificate}; fails if bound to another host (rebind is explicit). */
  void bind(X509Certificate kdhCertificate) throws KeyTransferException;

  /** Forgets the binding after a valid unbind (TR-34 B.13, B.14). */
  void unbind() throws KeyTransferException;

  /** Replaces the binding with {@code newKdh} after a valid rebind (TR-34 B.10, B.11). */
  void rebind(X509Certificate newKdh) throws KeyTransferException;

  /** The signing time of the last one-pass key token or CA rebind accepted from {@code signer}. */
  Optional<Instant> lastSigningTime(IssuerAndSerial signer);

  /**
   * Records an accepted signing time; it must be strictly later than the last one (P2).
   *
   * @throws KeyTransferException {@code NONCE_MISMATCH} if it is not
   */
  void recordSigningTime(IssuerAndSerial signer, Instant signingTime) throws KeyTransferException;
}
