package dev.keytransfer.crypto.keysource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;

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
    KrdHandshake t = pki.terminalMachine(device, crypto);
    TestPki.exchange(
        t,
        pki.hostMachine(
            kdh, source, new InMemoryKeyLedger(), crypto, KdhHandshake.Options.defaults()),
        m -> false);
    assertThat(t.state()).isEqualTo(KrdHandshake.State.COMPLETED);
    return device;
  }
}
