package dev.keytransfer.core.handshake;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryBindingStore;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.InMemoryTerminalKeyStore;
import dev.keytransfer.core.store.RandomKeySource;
import java.time.Clock;
import java.util.List;

/**
 * A terminal's and a host's machine on the fakes, wired to each other with the message in flight:
 * the machines as the front doors build them, without a transport or any cryptography.
 */
final class FakeSession {
  /** The stores that outlive a session: the terminal's key store and binding, the host's ledger. */
  static final class Devices {
    final InMemoryTerminalKeyStore keyStore = new InMemoryTerminalKeyStore();
    final InMemoryBindingStore binding = new InMemoryBindingStore();
    final InMemoryKeyLedger ledger = new InMemoryKeyLedger();
  }

  final Devices devices;
  final FakeTokenCodec codec;
  final FakeCryptoProvider crypto = new FakeCryptoProvider();
  final FakeCertificateValidator terminalValidator = new FakeCertificateValidator();
  final FakeCertificateValidator hostValidator = new FakeCertificateValidator();
  final ReceivingTerminal terminal;
  final KrdHandshake krd;
  final KdhHandshake kdh;
  HandshakeMessage pending;

  /** A host that delivers two-pass keys to a terminal that expects no working keys. */
  FakeSession() {
    this(new Devices(), new FakeTokenCodec(), HostOperations.deliverKeys(), false, false);
  }

  /**
   * @param codec the codec both sides use (it remembers what each token says)
   * @param operations what the host answers the nonce with
   * @param workingKeys the terminal asks for working keys and the host has one
   * @param acceptCaUnbind the terminal's policy admits UBT-CA (C13)
   */
  FakeSession(
      Devices devices,
      FakeTokenCodec codec,
      HostOperations operations,
      boolean workingKeys,
      boolean acceptCaUnbind) {
    this(devices, codec, operations, workingKeys, acceptCaUnbind, false);
  }

  /** With {@code ecdh}, both sides have P-256 certificates: S4 runs in the ECDH mode. */
  FakeSession(
      Devices devices,
      FakeTokenCodec codec,
      HostOperations operations,
      boolean workingKeys,
      boolean acceptCaUnbind,
      boolean ecdh) {
    CertificateChain krdChain = ecdh ? FakePki.KRD_EC : FakePki.KRD_1;
    CertificateChain kdhChain = ecdh ? FakePki.KDH_EC : FakePki.KDH_1;
    this.devices = devices;
    this.codec = codec;
    terminal =
        ReceivingTerminal.of(
            krdChain, FakePki.key(krdChain.leaf()), devices.keyStore, devices.binding);
    krd =
        Handshakes.terminal(
            terminal,
            crypto,
            codec,
            terminalValidator,
            Clock.systemUTC(),
            new KrdHandshake.Options(
                workingKeys ? new FakeKeyBlockWrapper() : null,
                null,
                KrdHandshake.Options.DEFAULT_ONE_PASS_WINDOW,
                acceptCaUnbind));
    DistributionTerminal host =
        DistributionTerminal.of(
            kdhChain,
            FakePki.key(kdhChain.leaf()),
            List::of,
            RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
            DevicePolicy.anyCertifiedDevice(),
            devices.ledger);
    kdh =
        Handshakes.host(
            host,
            crypto,
            codec,
            hostValidator,
            Clock.systemUTC(),
            workingKeys
                ? new KdhHandshake.Options(
                    krd -> List.of(pinKey()), new FakeKeyBlockWrapper(), operations)
                : new KdhHandshake.Options(null, null, operations));
  }

  private static DeliverableKey pinKey() throws KeyTransferException {
    return new DeliverableKey(
        KeyBlockHeader.parse("B0000P0TE00N0000"),
        SecretKeyMaterial.copyOf(
            new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
  }

  void start() throws KeyTransferException {
    pending = krd.start();
  }

  /** Feeds the message in flight to the host; its reply is in flight next. */
  void toHost() throws KeyTransferException {
    pending = kdh.onMessage(pending).orElse(null);
  }

  /** Feeds the message in flight to the terminal; its reply is in flight next. */
  void toTerminal() throws KeyTransferException {
    pending = krd.onMessage(pending).orElse(null);
  }

  /** Runs the session to its end. */
  FakeSession run() throws KeyTransferException {
    start();
    while (pending != null) {
      toHost();
      if (pending != null) {
        toTerminal();
      }
    }
    return this;
  }

  /** Another host certificate, for a rebind. */
  static CertificateChain newKdh() {
    return FakePki.KDH_2;
  }
}
