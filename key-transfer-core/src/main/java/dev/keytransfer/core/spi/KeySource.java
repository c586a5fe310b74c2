package dev.keytransfer.core.spi;

import dev.keytransfer.core.KeyTransferException;
import java.security.cert.X509Certificate;

/**
 * Decides which key a device gets (docs/DESIGN.md, "Core interfaces"): a fresh random terminal
 * master key, a DUKPT initial key, or (in tests only) a fixed key. Thread-safe.
 */
public interface KeySource {
  /** The key for the device holding {@code krdCertificate}; the caller destroys it. */
  DeliverableKey keyFor(X509Certificate krdCertificate) throws KeyTransferException;
}
