package dev.keytransfer.crypto.testing;

import dev.keytransfer.Enrollment;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.handshake.Handshakes;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.spi.CertificateAuthority;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryBindingStore;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.InMemoryTerminalKeyStore;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.time.Clock;

/**
 * S1-S4 at machine level between a terminal and a host that may use different crypto providers:
 * keys generated inside each provider, certificates issued by the CA from CSRs signed there (S1),
 * then the two state machines fed each other's messages until both stop (S2-S4), with no transport.
 */
public final class ProviderHandshake {
  private ProviderHandshake() {}

  /** One side: its provider, the key generated in it, and the chain the CA issued from its CSR. */
  public record Party(CryptoProvider crypto, PrivateKeyHandle key, CertificateChain chain) {}

  /** What both machines ended with. */
  public record Outcome(
      KrdHandshake krd,
      KdhHandshake kdh,
      InMemoryTerminalKeyStore keyStore,
      InMemoryKeyLedger ledger) {}

  /**
   * S1: a key for {@code role} generated in {@code crypto} and certified from a CSR signed there.
   */
  public static Party enroll(
      CertificateAuthority ca, CryptoProvider crypto, Role role, String commonName)
      throws KeyTransferException {
    PrivateKeyHandle key =
        crypto.generateRsaKeyPair(
            Enrollment.DEFAULT_RSA_BITS,
            commonName,
            role == Role.KDH ? KeyPurpose.SIGNING : KeyPurpose.KEY_TRANSPORT);
    return new Party(crypto, key, Enrollment.certify(ca, crypto, key, commonName, role));
  }

  /** S2-S4: runs the terminal's and the host's machines against each other. */
  public static Outcome run(CertificateAuthority ca, Party terminal, Party host)
      throws KeyTransferException {
    InMemoryTerminalKeyStore keyStore = new InMemoryTerminalKeyStore();
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    ReceivingTerminal rt =
        ReceivingTerminal.of(
            terminal.chain(), terminal.key(), keyStore, new InMemoryBindingStore());
    DistributionTerminal dt =
        DistributionTerminal.of(
            host.chain(),
            host.key(),
            () -> Enrollment.kdhPathCrls(ca),
            RandomKeySource.tdesMasterKeys(host.crypto().secureRandom()),
            DevicePolicy.anyCertifiedDevice(),
            ledger);
    KrdHandshake krd =
        Handshakes.terminal(
            rt,
            terminal.crypto(),
            new Tr34TokenCodec(terminal.crypto()),
            new PkixCertificateValidator(Enrollment.terminalPolicy(ca)),
            Clock.systemUTC(),
            KrdHandshake.Options.defaults());
    KdhHandshake kdh =
        Handshakes.host(
            dt,
            host.crypto(),
            new Tr34TokenCodec(host.crypto()),
            new PkixCertificateValidator(Enrollment.hostPolicy(ca)),
            Clock.systemUTC(),
            KdhHandshake.Options.defaults());
    HandshakeMessage toHost = krd.start();
    while (toHost != null) {
      HandshakeMessage toTerminal = kdh.onMessage(toHost).orElse(null);
      toHost = toTerminal == null ? null : krd.onMessage(toTerminal).orElse(null);
    }
    return new Outcome(krd, kdh, keyStore, ledger);
  }
}
