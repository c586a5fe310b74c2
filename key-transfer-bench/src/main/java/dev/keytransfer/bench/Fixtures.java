package dev.keytransfer.bench;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.DeliveryLimit;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryBindingStore;
import dev.keytransfer.core.store.InMemoryTerminalKeyStore;
import dev.keytransfer.crypto.pki.CertificationRequests;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one run measures on, created once per provider and {@link Mode}: one CA ({@link
 * DefaultCertificateAuthority}: root, KDH CA, KRD CA, RSA-2048), one host credential (the mode's
 * key type, RSA-2048 or P-256, key in the provider, carrying the CRLs of its chain as {@link
 * Enrollment#enrollHost} does), a pool of enrolled terminals (the mode's key type, in the
 * provider), and the host (in the ECDH mode with its default settings, docs/ECDH.md): a {@link
 * KeyTransferHost} on the provider with an in-memory ledger ({@link ResettableLedger}), no delivery
 * limit, and a {@link BenchKeySource} that knows every pool terminal's key and KCV. Enrollment is
 * not timed.
 */
public final class Fixtures {
  /** Terminals enrolled by default: enough for two threads of every side and some to spare. */
  public static final int DEFAULT_TERMINALS = 4;

  private final CryptoProvider crypto;
  private final Mode mode;
  private final DefaultCertificateAuthority ca;
  private final BenchKeySource keys;
  private final ResettableLedger ledger = new ResettableLedger();
  private final DistributionTerminal kdh;
  private final KeyTransferHost host;
  private final ValidationPolicy hostPolicy;
  private final ValidationPolicy terminalPolicy;
  private final List<ReceivingTerminal> terminals = new ArrayList<>();
  private final Map<Integer, List<CertificateChain>> fleets = new HashMap<>();

  /**
   * Certificates per {@link #fleet}: more than the platform's X.509 factory keeps parsed (750), so
   * a host cycling through them parses and verifies every terminal certificate it is sent, as a
   * host serving a fleet does; a repeated certificate would come back from that cache already
   * parsed, with its signature already verified by the same object.
   */
  public static final int FLEET_SIZE = 1024;

  private Fixtures(CryptoProvider crypto, Mode mode, int terminalCount)
      throws KeyTransferException {
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.ca = DefaultCertificateAuthority.create("Bench", Clock.systemUTC());
    this.keys = new BenchKeySource(crypto);
    this.kdh =
        Enrollment.enrollHost(
            ca,
            crypto,
            "Bench Key Host",
            mode.keyType(),
            keys,
            DevicePolicy.anyCertifiedDevice(),
            ledger);
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

  /** S1 for a CA, the host and {@code terminals} terminals on {@code crypto}, in the RSA mode. */
  public static Fixtures create(CryptoProvider crypto, int terminals) throws KeyTransferException {
    return create(crypto, Mode.RSA, terminals);
  }

  /** S1 for a CA, the host and {@code terminals} terminals on {@code crypto}, in {@code mode}. */
  public static Fixtures create(CryptoProvider crypto, Mode mode, int terminals)
      throws KeyTransferException {
    if (terminals < 1) {
      throw new IllegalArgumentException("at least one terminal");
    }
    return new Fixtures(crypto, mode, terminals);
  }

  /** Enrolls one more terminal (its key known to the key source) and returns its index. */
  public synchronized int addTerminal() throws KeyTransferException {
    ReceivingTerminal t =
        Enrollment.enrollTerminal(
            ca, crypto, String.format("Bench POS %04d", terminals.size() + 1), mode.keyType());
    keys.register(t.certificateChain().leaf());
    terminals.add(t);
    return terminals.size() - 1;
  }

  /**
   * {@link #FLEET_SIZE} certificates for pool terminal {@code i}'s key, each with a serial number
   * of its own (so each is a device of its own to the host's ledger) and registered with the key
   * source; issued by the CA from one certification request on the first call, then the same list.
   * Issuance is not timed.
   */
  public synchronized List<CertificateChain> fleet(int i) throws KeyTransferException {
    List<CertificateChain> fleet = fleets.get(i);
    if (fleet == null) {
      ReceivingTerminal t = terminal(i);
      byte[] request =
          CertificationRequests.create(
              crypto, t.keyTransportKey(), t.certificateChain().leaf().getSubjectX500Principal());
      fleet = new ArrayList<>(FLEET_SIZE);
      for (int k = 0; k < FLEET_SIZE; k++) {
        CertificateChain chain = ca.issue(request, Role.KRD);
        keys.register(chain.leaf());
        fleet.add(chain);
      }
      fleet = List.copyOf(fleet);
      fleets.put(i, fleet);
    }
    return fleet;
  }

  public CryptoProvider crypto() {
    return crypto;
  }

  public Mode mode() {
    return mode;
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
