package dev.keytransfer;

import dev.keytransfer.core.InternalErrorException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.DeliveryLimit;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.EcdhSettings;
import dev.keytransfer.core.handshake.FrameSession;
import dev.keytransfer.core.handshake.Handshakes;
import dev.keytransfer.core.handshake.HostOperations;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.SessionDriver;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.spi.CertificateValidator;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.KeyBlockWrapper;
import dev.keytransfer.core.spi.TokenCodec;
import dev.keytransfer.core.spi.Transport;
import dev.keytransfer.core.spi.WorkingKeySource;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.keyblock.Tr31KeyBlockWrapper;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import dev.keytransfer.crypto.tr34.Tr34Profile;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The distribution terminal's front door: the key host side of remote key injection (TR-34 KDH;
 * patent CN108401493 S2-S4). Core concepts:
 *
 * <ul>
 *   <li>{@link DistributionTerminal}: the host's certificate chain, a handle to its signing key,
 *       the CRLs it carries, the key source, the device policy and the ledger;
 *   <li>{@link ValidationPolicy}: the trust anchor and how strictly terminal certificates are
 *       judged;
 *   <li>{@link CryptoProvider}: where the cryptography runs (the platform's JCA, {@link
 *       JcaCryptoProvider}, unless one is given);
 *   <li>{@link Tr34Profile}: the TR-34 layout emitted (2019 corrigendum by default);
 *   <li>{@link Transport}: one connection to one terminal per {@link #serve} call; a non-blocking
 *       server ({@code NettyKeyServer} of key-transfer-netty) drives {@link #openSession()}
 *       instead.
 * </ul>
 *
 * <pre>{@code
 * KeyTransferHost host = KeyTransferHost.builder()
 *     .distributionTerminal(kdh)
 *     .validationPolicy(ValidationPolicy.builder()
 *         .trustAnchor(root)
 *         .roleIssuer(Role.KDH, kdhCa) // both role CAs pinned (C6)
 *         .roleIssuer(Role.KRD, krdCa)
 *         .build())
 *     .build();
 * DeliveryReceipt receipt = host.serve(transport); // one terminal, S2-S4, ledger CONFIRMED
 * }</pre>
 *
 * <p>Thread-safe: call {@link #serve} from as many threads as there are connections, and {@link
 * #openSession()} from any thread.
 */
public final class KeyTransferHost {
  private final DistributionTerminal host;
  private final CryptoProvider crypto;
  private final TokenCodec codec;
  private final CertificateValidator validator;
  private final ValidationPolicy policy;
  private final MessageCodec messages;
  private final SessionDriver driver;
  private final KdhHandshake.Options options;

  private KeyTransferHost(Builder b) {
    this.host = Objects.requireNonNull(b.host, "distributionTerminal is required");
    this.policy = Objects.requireNonNull(b.policy, "validationPolicy is required");
    this.crypto = b.crypto != null ? b.crypto : new JcaCryptoProvider();
    this.codec = b.codec != null ? b.codec : new Tr34TokenCodec(crypto, b.profile);
    this.validator = b.validator != null ? b.validator : new PkixCertificateValidator(policy);
    this.messages = new MessageCodec(codec);
    this.driver = new SessionDriver(messages, b.stepTimeout, b.sessionTimeout);
    KeyBlockWrapper workingKeyWrapper =
        b.workingKeys == null
            ? null
            : b.wrapper != null ? b.wrapper : new Tr31KeyBlockWrapper(crypto);
    this.options =
        new KdhHandshake.Options(
            b.workingKeys,
            workingKeyWrapper,
            b.operations,
            b.deliveryLimit,
            b.ecdh != null ? b.ecdh : EcdhSettings.defaults());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Serves one terminal over {@code transport}: validates it, sends the host's credentials, and
   * delivers a key after its fresh random token.
   *
   * @return the ledger session, terminal, header and KCV of the confirmed delivery
   * @throws KeyTransferException the failure that ended the session; the ledger never shows an
   *     unconfirmed key as confirmed
   */
  public DeliveryReceipt serve(Transport transport) throws KeyTransferException {
    KdhHandshake machine = machine();
    driver.run(machine, Optional.empty(), transport);
    return receipt(machine);
  }

  /**
   * Opens one session with a terminal to be driven frame by frame, for a server that holds no
   * thread while the terminal is silent: the server feeds each received frame to {@link
   * FrameSession#onFrame}, sends what it returns, and calls {@link FrameSession#fail} when the
   * connection breaks or one of its deadlines passes. The machine, its checks and its ledger
   * records are those of {@link #serve}; the step and session timeouts of this builder are not used
   * (the server keeps the deadlines).
   *
   * @return a session whose result is the receipt {@link #serve} returns
   */
  public FrameSession<DeliveryReceipt> openSession() {
    KdhHandshake machine = machine();
    return new FrameSession<>(messages, machine, () -> receipt(machine));
  }

  private KdhHandshake machine() {
    return Handshakes.host(host, crypto, codec, validator, policy.clock(), options);
  }

  private static DeliveryReceipt receipt(KdhHandshake machine) throws KeyTransferException {
    if (machine.state() != KdhHandshake.State.COMPLETED) {
      throw new InternalErrorException("host session ended in state " + machine.state());
    }
    return new DeliveryReceipt(
        machine.sessionId(),
        machine.terminalCertificate().orElseThrow().getSubjectX500Principal().getName(),
        machine.operation().orElseThrow(),
        machine.issuedHeader(),
        machine.issuedKcv(),
        machine.workingKeyEntries());
  }

  public DistributionTerminal distributionTerminal() {
    return host;
  }

  @Override
  public String toString() {
    return "KeyTransferHost[" + host + ", " + crypto.name() + "]";
  }

  /** Builder: {@code distributionTerminal} and {@code validationPolicy} are required. */
  public static final class Builder {
    private DistributionTerminal host;
    private CryptoProvider crypto;
    private TokenCodec codec;
    private CertificateValidator validator;
    private ValidationPolicy policy;
    private Tr34Profile profile = Tr34Profile.TR34_2019;
    private Duration stepTimeout = Duration.ofSeconds(30);
    private Duration sessionTimeout = Duration.ofSeconds(60);
    private WorkingKeySource workingKeys;
    private KeyBlockWrapper wrapper;
    private HostOperations operations = HostOperations.deliverKeys();
    private DeliveryLimit deliveryLimit = DeliveryLimit.DEFAULT;
    private EcdhSettings ecdh;

    private Builder() {}

    /**
     * How many master keys one device may get per window, counted in the ledger (docs/SECURITY.md
     * A5); default {@link DeliveryLimit#DEFAULT}, ten per hour.
     */
    public Builder deliveryLimit(DeliveryLimit limit) {
      this.deliveryLimit = Objects.requireNonNull(limit);
      return this;
    }

    /**
     * The KDF, its hash and the memory of terminal fresh values of the ECDH mode, used when the
     * host's key is an EC key (docs/ECDH.md); default {@link EcdhSettings#defaults()}: NIST SP
     * 800-56C with the curve's hash. One instance per host: its sessions share the memory.
     */
    public Builder ecdh(EcdhSettings settings) {
      this.ecdh = Objects.requireNonNull(settings);
      return this;
    }

    /**
     * What answers each terminal's nonce (TR-34 B.8-B.14): a two-pass key (the default), a one-pass
     * key, an unbind, a rebind to another KDH, or a relayed authority token; chosen per terminal
     * from its validated certificate, e.g. {@code krd -> HostOperation.deliverKey()}.
     */
    public Builder operations(HostOperations chooser) {
      this.operations = Objects.requireNonNull(chooser);
      return this;
    }

    /**
     * Working keys to deliver after the master key, in the same session, to terminals that ask for
     * them: TR-31 / X9.143 key blocks wrapped under the master key just installed.
     */
    public Builder workingKeys(WorkingKeySource source) {
      this.workingKeys = source;
      return this;
    }

    /** Overrides how working keys are wrapped (defaults to {@link Tr31KeyBlockWrapper}). */
    public Builder keyBlockWrapper(KeyBlockWrapper w) {
      this.wrapper = w;
      return this;
    }

    public Builder distributionTerminal(DistributionTerminal h) {
      this.host = h;
      return this;
    }

    /**
     * Defaults to a new {@link JcaCryptoProvider} on the platform's own providers (never Bouncy
     * Castle).
     */
    public Builder cryptoProvider(CryptoProvider p) {
      this.crypto = p;
      return this;
    }

    public Builder validationPolicy(ValidationPolicy p) {
      this.policy = p;
      return this;
    }

    /** The TR-34 layout to emit (default {@link Tr34Profile#TR34_2019}). */
    public Builder profile(Tr34Profile p) {
      this.profile = Objects.requireNonNull(p);
      return this;
    }

    public Builder tokenCodec(TokenCodec c) {
      this.codec = c;
      return this;
    }

    public Builder certificateValidator(CertificateValidator v) {
      this.validator = v;
      return this;
    }

    /**
     * How long each receive of {@link #serve} may wait for the whole frame (default 30 s): an
     * absolute deadline, which a peer sending a byte now and then does not move.
     */
    public Builder stepTimeout(Duration d) {
      this.stepTimeout = Objects.requireNonNull(d);
      return this;
    }

    /**
     * How long one session of {@link #serve} may take from its start (default 60 s); the last
     * receive waits only for what is left of it (docs/SECURITY.md A3).
     */
    public Builder sessionTimeout(Duration d) {
      this.sessionTimeout = Objects.requireNonNull(d);
      return this;
    }

    public KeyTransferHost build() {
      return new KeyTransferHost(this);
    }
  }
}
