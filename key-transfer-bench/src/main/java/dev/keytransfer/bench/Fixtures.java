package dev.keytransfer.bench;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.DeliveryLimit;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryBindingStore;
import dev.keytransfer.core.store.InMemoryTerminalKeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one run measures on, created once per provider: one CA ({@link DefaultCertificateAuthority}:
 * root, KDH CA, KRD CA, RSA-2048), one host credential (RSA-2048 key in the provider, carrying the
 * CRLs of its chain as {@link Enrollment#enrollHost} does), a pool of enrolled terminals (RSA-2048
 * in the provider), and the host: a {@link KeyTransferHost} on the provider with an in-memory
 * ledger ({@link ResettableLedger}), no delivery limit, and a {@link BenchKeySource} that knows
 * every pool terminal's key and KCV. Enrollment is not timed.
 */
public final class Fixtures {
  /** Terminals enrolled by default: enough for two threads of every side and some to spare. */
  public static final int DEFAULT_TERMINALS = 4;

  private final CryptoProvider crypto;
  private final DefaultCertificateAuthority ca;
  private final BenchKeySource keys;
  private final ResettableLedger ledger = new ResettableLedger();
  private final DistributionTerminal kdh;
  private final KeyTransferHost host;
  private final ValidationPolicy hostPolicy;
  private final ValidationPolicy terminalPolicy;
  private final List<ReceivingTerminal> terminals = new ArrayList<>();

  private Fixtures(CryptoProvider crypto, int terminalCount) throws KeyTransferException {
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.ca = DefaultCertificateAuthority.create("Bench", Clock.systemUTC());
    this.keys = new BenchKeySource(crypto);
    this.kdh =
        Enrollment.enrollHost(
            ca, crypto, "Bench Key Host", keys, DevicePolicy.anyCertifiedDevice(), ledger);
    this.hostPolicy = Enrollment.hostPolicy(ca);
    this.terminalPolicy = Enrollment.terminalPolicy(ca);
    this.host =
        KeyTransferHost.builder()
            .distributionTerminal(kdh)
            .cryptoProvider(crypto)
            .validationPolicy(hostPolicy)
            .deliveryLimit(DeliveryLimit.unlimitedForTesting())
            .build();
    for (int i = 0; i < terminalCount; i++) {
      addTerminal();
    }
  }

  /** S1 for a CA, the host and {@code terminals} terminals on {@code crypto}. */
  public static Fixtures create(CryptoProvider crypto, int terminals) throws KeyTransferException {
    if (terminals < 1) {
      throw new IllegalArgumentException("at least one terminal");
    }
    return new Fixtures(crypto, terminals);
  }

  /** Enrolls one more terminal (its key known to the key source) and returns its index. */
  public synchronized int addTerminal() throws KeyTransferException {
    ReceivingTerminal t =
        Enrollment.enrollTerminal(
            ca, crypto, String.format("Bench POS %04d", terminals.size() + 1));
    keys.register(t.certificateChain().leaf());
    terminals.add(t);
    return terminals.size() - 1;
  }

  public CryptoProvider crypto() {
    return crypto;
  }

  public DefaultCertificateAuthority ca() {
    return ca;
  }

  public DistributionTerminal kdh() {
    return kdh;
  }

  public KeyTransferHost host() {
    return host;
  }

  public ResettableLedger ledger() {
    return ledger;
  }

  public BenchKeySource keySource() {
    return keys;
  }

  public ValidationPolicy terminalPolicy() {
    return terminalPolicy;
  }

  public synchronized int terminalCount() {
    return terminals.size();
  }

  /** Pool terminal {@code i} with its enrolled stores. */
  public synchronized ReceivingTerminal terminal(int i) {
    return terminals.get(i);
  }

  /**
   * Pool terminal {@code i}'s credential (chain and key) with new, empty in-memory stores: a device
   * that is not bound yet, for a worker that must not share stores with another.
   */
  public ReceivingTerminal freshTerminal(int i) {
    ReceivingTerminal t = terminal(i);
    return ReceivingTerminal.of(
        t.certificateChain(),
        t.keyTransportKey(),
        new InMemoryTerminalKeyStore(),
        new InMemoryBindingStore());
  }

  /** The KCV pool terminal {@code i} confirms after every session. */
  public KeyCheckValue kcvOf(int i) {
    return keys.kcvOf(terminal(i).certificateChain().leaf());
  }
}
