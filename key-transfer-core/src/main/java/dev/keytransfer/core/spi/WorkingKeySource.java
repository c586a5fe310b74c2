package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyTransferException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The working keys (PIN, data, MAC keys...) a host delivers after S4, in the same session, as key
 * blocks wrapped under the master key the terminal just installed. Thread-safe.
 */
@FunctionalInterface
public interface WorkingKeySource {
  /** The working keys for the device holding {@code krdCertificate}; the caller destroys them. */
  List<DeliverableKey> workingKeysFor(X509Certificate krdCertificate) throws KeyTransferException;
}
