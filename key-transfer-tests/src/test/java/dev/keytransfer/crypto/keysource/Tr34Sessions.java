package dev.keytransfer.crypto.keysource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.Handshakes;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.time.Clock;
import java.util.Optional;

/**
 * Runs S2-S4 between the two state machines in one thread, the host serving keys from a given
 * source.
 */
final class Tr34Sessions {
  private Tr34Sessions() {}

  /** The terminal after a completed session; its key store holds what the host delivered. */
  static ReceivingTerminal run(TestPki pki, TestPki.Leaf kdh, TestPki.Leaf krd, KeySource source)
      throws KeyTransferException {
    BcCryptoProvider crypto = new BcCryptoProvider();
    ReceivingTerminal device = pki.terminal(krd);
    KrdHandshake t =
        Handshakes.terminal(
            device,
            crypto,
            new Tr34TokenCodec(crypto),
            new PkixCertificateValidator(pki.terminalPolicy()),
            Clock.systemUTC(),
            KrdHandshake.Options.defaults());
    KdhHandshake h =
        Handshakes.host(
            pki.host(kdh, pki::kdhPathCrls, source, new InMemoryKeyLedger()),
            crypto,
            new Tr34TokenCodec(crypto),
            new PkixCertificateValidator(pki.hostPolicy()),
            Clock.systemUTC(),
            KdhHandshake.Options.defaults());
    Optional<HandshakeMessage> m = Optional.of(t.start());
    while (m.isPresent()) {
      Optional<HandshakeMessage> reply = h.onMessage(m.get());
      m = reply.isPresent() ? t.onMessage(reply.get()) : Optional.empty();
    }
    assertThat(t.state()).isEqualTo(KrdHandshake.State.COMPLETED);
    return device;
  }
}
