package dev.keytransfer.core.spi;

import java.security.PublicKey;

/**
 * A reference to a private key that lives inside a {@link CryptoProvider} (software keystore, HSM
 * token, secure element). Never exposes the private key; operators are created from it by the
 * provider that issued it; never key bytes.
 */
public interface PrivateKeyHandle {
  /** The matching public key. */
  PublicKey publicKey();

  /** A label for logs (not secret). */
  String label();
}
