package dev.keytransfer.core.handshake;

import java.security.cert.X509Certificate;
import java.util.function.Supplier;

/**
 * Log arguments formatted only if a logger writes them: a certificate's subject name and serial
 * number (public, never secret). Formatting an X.500 name and a serial number in every session
 * costs a host more than its ledger lookups when the level is off.
 */
final class LogArgs {
  private LogArgs() {}

  /** The subject of {@code c} in RFC 2253 form, when written. */
  static Object subject(X509Certificate c) {
    return new Lazy(() -> c.getSubjectX500Principal().getName());
  }

  /** The serial number of {@code c} in hexadecimal, when written. */
  static Object serial(X509Certificate c) {
    return new Lazy(() -> c.getSerialNumber().toString(16));
  }

  private record Lazy(Supplier<String> text) {
    @Override
    public String toString() {
      return text.get();
    }
  }
}
