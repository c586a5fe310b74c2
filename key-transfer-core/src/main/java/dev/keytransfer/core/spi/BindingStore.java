package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyTransferException;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Remembers which KDH the terminal is bound to (TR-34 bind, S3). The terminal accepts key tokens
 * only from that host (SECURITY.md C11). Thread-safe; persistent in a real device.
 */
public interface BindingStore {
  Optional<X509Certificate> boundKdh();

  /** Binds to {@code kdhCertificate}, replacing nothing: fails if bound to another host. */
  void bind(X509Certificate kdhCertificate) throws KeyTransferException;
}
