package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.handshake.HostOperation;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.security.KeyPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Found by attack: UBT-CA (TR-34 B.13) carries no nonce and no signing time, so a captured one can
 * be replayed by anyone who can reach the terminal. A fake host holding only KDH 1's public
 * certificate and CRLs relayed it and wiped the terminal's keys again and again. The terminal now
 * refuses UBT-CA unless built with {@code acceptReplayableCaUnbind()}.
 */
class CaUnbindReplayTest {
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static final Tr34TokenCodec codec = new Tr34TokenCodec(crypto);
  private static TestPki pki;
  private static TestPki.Leaf kdh1;

  @BeforeAll
  static void setUp() {
    pki = TestPki.create("Replay");
    kdh1 = pki.validLeaf(Role.KDH, "Replay KDH 1");
  }

  private static KeyTransferTerminal terminal(ReceivingTerminal device, boolean acceptCaUnbind) {
    KeyTransferTerminal.Builder b =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(pki.terminalPolicy())
            .stepTimeout(Wire.STEP);
    if (acceptCaUnbind) {
      b.acceptReplayableCaUnbind();
    }
    return b.build();
  }

  /** A host with KDH 1's certificate; {@code signingKey} null: the genuine key. */
  private static KeyTransferHost host(HostOperation op, SoftwareKeyHandle signingKey) {
    return KeyTransferHost.builder()
        .distributionTerminal(
            DistributionTerminal.of(
                kdh1.chain(),
                signingKey != null ? signingKey : kdh1.key(),
                pki::kdhPathCrls,
                RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                DevicePolicy.anyCertifiedDevice(),
                new InMemoryKeyLedger()))
        .cryptoProvider(crypto)
        .validationPolicy(pki.hostPolicy())
        .stepTimeout(Wire.STEP)
        .operations(krd -> op)
        .build();
  }

  private static HandshakeMessage caUnbind(ReceivingTerminal device) throws Exception {
    return codec.buildCaUnbindToken(
        pki.krdCa,
        SoftwareKeyHandle.of(new KeyPair(pki.krdCa.getPublicKey(), pki.caKey(pki.krdCa)), "KRD CA"),
        IssuerAndSerial.of(device.certificateChain().leaf()),
        IssuerAndSerial.of(kdh1.certificate()));
  }

  @Test
  void replayedCaUnbind_throughFakeHost_refusedEveryTime_keysKept() throws Exception {
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "Replay POS"));
    assertThat(
            Wire.run(terminal(device, false), host(HostOperation.deliverKey(), null), Wire.PASS)
                .terminalError())
        .isNull();
    HandshakeMessage captured = caUnbind(device);
    // the fake host has KDH 1's certificate and CRLs, but not its key
    SoftwareKeyHandle notKdh1sKey = SoftwareKeyHandle.of(TestPki.rsa(2048), "fake");
    for (int i = 0; i < 3; i++) {
      Wire.Outcome o =
          Wire.run(
              terminal(device, false),
              host(new HostOperation.RelayAuthorityToken(captured), notKdh1sKey),
              Wire.PASS);
      assertThat(o.terminalCode()).as("replay %d", i + 1).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
      assertThat(device.keyStore().size()).as("keys after replay %d", i + 1).isEqualTo(1);
      assertThat(device.bindingStore().boundKdh()).isPresent();
    }
  }

  @Test
  void caUnbind_whenTheTerminalAcceptsTheRisk_applied() throws Exception {
    ReceivingTerminal device = pki.terminal(pki.validLeaf(Role.KRD, "Replay POS 2"));
    assertThat(
            Wire.run(terminal(device, true), host(HostOperation.deliverKey(), null), Wire.PASS)
                .terminalError())
        .isNull();
    Wire.Outcome o =
        Wire.run(
            terminal(device, true),
            host(new HostOperation.RelayAuthorityToken(caUnbind(device)), null),
            Wire.PASS);
    assertThat(o.terminalError()).isNull();
    assertThat(device.keyStore().size()).isZero();
    assertThat(device.bindingStore().boundKdh()).isEmpty();
  }
}
