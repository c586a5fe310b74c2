package dev.keytransfer.core.handshake;

import java.security.cert.X509Certificate;

/**
 * Chooses, per terminal, what the host answers its fresh nonce with (TR-34 B.8-B.14): a key, an
 * unbind, a rebind, or a relayed authority token. Called once per session, after the terminal's
 * certificate validated (S2) and its RT-KRD arrived (S4).
 */
@FunctionalInterface
public interface HostOperations {
  /**
   * The operation for the terminal whose validated certificate is {@code krd}; never null.
   *
   * @param krd the terminal's validated leaf certificate
   */
  HostOperation choose(X509Certificate krd);

  /** Every terminal gets a key in a two-pass key token (TR-34 B.9): the default. */
  static HostOperations deliverKeys() {
    return krd -> HostOperation.deliverKey();
  }
}
