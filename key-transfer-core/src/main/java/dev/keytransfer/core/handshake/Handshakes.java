package dev.keytransfer.core.handshake;

import dev.keytransfer.core.spi.CertificateValidator;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.spi.TokenCodec;
import java.time.Clock;

/**
 * Where the front doors ({@code KeyTransferTerminal}, {@code KeyTransferHost}) get one state
 * machine per session; the machines have no public constructor. Applications use the front doors.
 */
public final class Handshakes {
  private Handshakes() {}

  /** A terminal's (KRD's) machine for one session (TR-34 clause 5.4). */
  public static KrdHandshake terminal(
      ReceivingTerminal terminal,
      CryptoProvider crypto,
      TokenCodec codec,
      CertificateValidator validator,
      Clock clock,
      KrdHandshake.Options options) {
    return new KrdHandshake(terminal, crypto, codec, validator, clock, options);
  }

  /** A host's (KDH's) machine for one session (TR-34 clause 5.4). */
  public static KdhHandshake host(
      DistributionTerminal host,
      CryptoProvider crypto,
      TokenCodec codec,
      CertificateValidator validator,
      Clock clock,
      KdhHandshake.Options options) {
    return new KdhHandshake(host, crypto, codec, validator, clock, options);
  }
}
