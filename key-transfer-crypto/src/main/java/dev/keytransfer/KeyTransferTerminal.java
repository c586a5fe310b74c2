package dev.keytransfer;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.UnexpectedMessageException;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.Handshakes;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.handshake.SessionDriver;
import dev.keytransfer.core.handshake.TerminalOutcome;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.spi.CertificateValidator;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.KeyBlockWrapper;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.spi.TokenCodec;
import dev.keytransfer.core.spi.Transport;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.crypto.keyblock.Tr31KeyBlockWrapper;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The receiving terminal's front door: the POS side of remote key injection (TR-34 KRD; patent
 * CN108401493 S2-S4). Core concepts:
 *
 * <ul>
 *   <li>{@link ReceivingTerminal}: the device's certificate chain, a handle to its key-transport
 *       private key, its key store and its KDH binding;
 *   <li>{@link ValidationPolicy}: the trust anchor and how strictly the host's certificate is
 *       judged (strict by default, no switch to skip dates or revocation);
 *   <li>{@link CryptoProvider}: where the cryptography runs (the platform's JCA, {@link
 *       JcaCryptoProvider}, unless one is given);
 *   <li>{@link Transport}: how frames reach the host.
 * </ul>
 *
 * <pre>{@code
 * KeyTransferTerminal terminal = KeyTransferTerminal.builder()
 *     .receivingTerminal(device)
 *     .validationPolicy(ValidationPolicy.builder()
 *         .trustAnchor(root)
 *         .roleIssuer(Role.KDH, kdhCa) // both role CAs pinned (C6)
 *         .roleIssuer(Role.KRD, krdCa)
 *         .build())
 *     .build();
 * KeyReceipt receipt = terminal.receiveKey(transport); // S2 CT-KRD, S3 CT-KDH, S4 RT-KRD / KT-KDH
 * }</pre>
 *
 * <p>Each call runs one session with a fresh nonce; a failed session installs nothing and can be
 * retried from scratch. Thread-safe: sessions share no state except the terminal's stores.
 */
public final class KeyTransferTerminal {
  private final ReceivingTerminal terminal;
  private final CryptoProvider crypto;
  private final TokenCodec codec;
  private final CertificateValidator validator;
  private final ValidationPolicy policy;
  private final SessionDriver driver;
  private final KrdHandshake.Options options;

  private KeyTransferTerminal(Builder b) {
    this.terminal = Objects.requireNonNull(b.terminal, "receivingTerminal is required");
    this.policy = Objects.requireNonNull(b.policy, "validationPolicy is required");
    this.crypto = b.crypto != null ? b.crypto : new JcaCryptoProvider();
    this.codec = b.codec != null ? b.codec : new Tr34TokenCodec(crypto);
    this.validator = b.validator != null ? b.validator : new PkixCertificateValidator(policy);
    this.driver = new SessionDriver(new MessageCodec(codec), b.stepTimeout, b.sessionTimeout);
    KeyBlockWrapper workingKeyWrapper =
        !b.expectWorkingKeys
            ? null
            : b.wrapper != null ? b.wrapper : new Tr31KeyBlockWrapper(crypto);
    this.options =
        new KrdHandshake.Options(
            workingKeyWrapper, b.authority, b.onePassWindow, b.acceptReplayableCaUnbind);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs S2-S4 over {@code transport} and installs the key in the terminal's key store.
   *
   * @return the installed key's header, KCV and KDH (never the key)
   * @throws KeyTransferException the failure that ended the session; nothing was installed. {@code
   *     UNEXPECTED_MESSAGE} if the host unbound or rebound the terminal instead (the change was
   *     applied: use {@link #session} where the host may do that)
   */
  public KeyReceipt receiveKey(Transport transport) throws KeyTransferException {
    TerminalOutcome o = session(transport);
    return o.key()
        .orElseThrow(
            () ->
                new UnexpectedMessageException(
                    ErrorCode.UNEXPECTED_MESSAGE,
                    "the host "
                        + (o.rebound().orElse(false) ? "rebound" : "unbound")
                        + " the terminal instead of delivering a key"));
  }

  /**
   * Runs one session: S2-S4, after which the host delivers a key (two-pass or one-pass, TR-34 B.9 /
   * B.8) or changes the binding (unbind B.14 / B.13, rebind B.11 / B.10), all checked as TR-34
   * asks.
   */
  public TerminalOutcome session(Transport transport) throws KeyTransferException {
    KrdHandshake machine =
        Handshakes.terminal(terminal, crypto, codec, validator, policy.clock(), options);
    driver.run(machine, Optional.of(machine.start()), transport);
    return machine
        .outcome()
        .orElseThrow(() -> new IllegalStateException("session ended without an outcome"));
  }

  @Override
  public String toString() {
    return "KeyTransferTerminal[" + terminal + ", " + crypto.name() + "]";
  }

  /** Builder: {@code receivingTerminal} and {@code validationPolicy} are required. */
  public static final class Builder {
    private ReceivingTerminal terminal;
    private CryptoProvider crypto;
    private TokenCodec codec;
    private CertificateValidator validator;
    private ValidationPolicy policy;
    private Duration stepTimeout = Duration.ofSeconds(30);
    private Duration sessionTimeout = Duration.ofMinutes(2);
    private boolean expectWorkingKeys;
    private KeyBlockWrapper wrapper;
    private X509Certificate authority;
    private Duration onePassWindow = KrdHandshake.Options.DEFAULT_ONE_PASS_WINDOW;
    private boolean acceptReplayableCaUnbind;

    private Builder() {}

    /**
     * Obey the authority's unbind token (UBT-CA, TR-34 B.13). Off by default, because the token has
     * no nonce and no signing time: anyone who once captured it (any host that relayed it, anyone
     * on the network) can replay it through a fake host holding only the KDH's public certificate,
     * as often as they like, and each replay wipes every key the terminal received from that host
     * (docs/SECURITY.md C13). Turn it on only where that risk is accepted, e.g. a decommissioning
     * line that unbinds terminals under physical control. RBT-CA carries a signing time and is
     * always obeyed.
     */
    public Builder acceptReplayableCaUnbind() {
      this.acceptReplayableCaUnbind = true;
      return this;
    }

    /**
     * The higher-level authority whose unbind and rebind tokens the terminal obeys (TR-34 B.10,
     * B.13); defaults to the CA that issued the terminal's certificate, as in Annex B.
     */
    public Builder authority(X509Certificate ca) {
      this.authority = ca;
      return this;
    }

    /**
     * How far a one-pass key token's signing time may be from the terminal's clock (default 10
     * min).
     */
    public Builder onePassWindow(Duration window) {
      this.onePassWindow = Objects.requireNonNull(window);
      return this;
    }

    /**
     * After the master key, ask the host for working keys and install them (TR-31 / X9.143 key
     * blocks under the new master key). Each is reported in the receipt; one that fails leaves the
     * others and the master key installed.
     */
    public Builder expectWorkingKeys(boolean expect) {
      this.expectWorkingKeys = expect;
      return this;
    }

    /** Overrides how working keys are unwrapped (defaults to {@link Tr31KeyBlockWrapper}). */
    public Builder keyBlockWrapper(KeyBlockWrapper w) {
      this.wrapper = w;
      return this;
    }

    public Builder receivingTerminal(ReceivingTerminal t) {
      this.terminal = t;
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

    /** Overrides the TR-34 codec (defaults to {@link Tr34TokenCodec} on the crypto provider). */
    public Builder tokenCodec(TokenCodec c) {
      this.codec = c;
      return this;
    }

    /** Overrides the validator (defaults to {@link PkixCertificateValidator} on the policy). */
    public Builder certificateValidator(CertificateValidator v) {
      this.validator = v;
      return this;
    }

    /**
     * How long each receive may wait for the whole frame (default 30 s): an absolute deadline,
     * which a host sending a byte now and then does not move.
     */
    public Builder stepTimeout(Duration d) {
      this.stepTimeout = Objects.requireNonNull(d);
      return this;
    }

    /**
     * How long one session may take from its start (default 2 minutes): a host that is slow, or a
     * fake one dripping its frames, holds the terminal no longer, the last receive waiting only for
     * what is left (docs/SECURITY.md A3). It includes any time the session waits for the host to
     * take it.
     */
    public Builder sessionTimeout(Duration d) {
      this.sessionTimeout = Objects.requireNonNull(d);
      return this;
    }

    public KeyTransferTerminal build() {
      return new KeyTransferTerminal(this);
    }
  }
}
