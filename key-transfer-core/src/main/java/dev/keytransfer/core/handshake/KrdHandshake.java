package dev.keytransfer.core.handshake;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.NonceMismatchException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.message.BindingUpdated;
import dev.keytransfer.core.message.CaRebindToken;
import dev.keytransfer.core.message.CaUnbindToken;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.KdhCredentialToken;
import dev.keytransfer.core.message.KdhEcdhKeyToken;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.KdhOnePassKeyToken;
import dev.keytransfer.core.message.KdhRebindToken;
import dev.keytransfer.core.message.KdhUnbindToken;
import dev.keytransfer.core.message.KeyConfirmed;
import dev.keytransfer.core.message.KeyInstalled;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.message.PendingKey;
import dev.keytransfer.core.message.WorkingKeys;
import dev.keytransfer.core.message.WorkingKeysInstalled;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CertificateValidator;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.KeyBlockWrapper;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.spi.TokenCodec;
import dev.keytransfer.core.spi.VerifiedEcdhKeyToken;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import dev.keytransfer.core.spi.VerifiedRebind;
import dev.keytransfer.core.spi.VerifiedUnbind;
import java.security.MessageDigest;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving terminal's (KRD's) side of S2-S4 as one state machine (TR-34 clause 5.4, B.7, B.6,
 * B.12, B.9). It owns the freshness rule: it remembers the nonce it sent in this session and
 * accepts only a key token, signed by the KDH it bound to in S3, that echoes that nonce. It checks,
 * in order (docs/SECURITY.md, "What the terminal checks"): signer is the bound KDH, signature, CRL,
 * nonce, then decrypts, then idKDH and header, and installs only when every check passed. One
 * instance per session; not thread-safe.
 *
 * <p>Every transition is a row of one table (state, trigger, handler); the handler returns the next
 * state and the reply (docs/DESIGN.md, "State machines"):
 *
 * <pre>
 *  START --start--------------------> AWAIT_KDH_CREDENTIAL   sends CT-KRD        (S2)
 *  AWAIT_KDH_CREDENTIAL --CT-KDH------> AWAIT_KEY_TOKEN        validates, binds tentatively, sends
 *                                                              RT-KRD (S3, S4)
 *                                   or AWAIT_PENDING_RESOLUTION   a master key from this host is
 *                                                              pending: sends PENDING_KEY
 *  AWAIT_PENDING_RESOLUTION --KEY_CONFIRMED--> AWAIT_KEY_TOKEN   makes it current or discards it,
 *                                                              sends RT-KRD
 *  AWAIT_KEY_TOKEN --KT-KDH-----------> AWAIT_KEY_CONFIRMED    verifies, installs as pending, sends
 *                  (two-pass B.9 or one-pass B.8, or           KEY_INSTALLED
 *                   KT-KDH-ECDH in the ECDH mode, docs/ECDH.md)
 *                                   or AWAIT_WORKING_KEYS     (a terminal that expects working keys)
 *  AWAIT_KEY_CONFIRMED --KEY_CONFIRMED--> COMPLETED            the host acknowledged: the key is
 *                                                              current, the superseded one wiped
 *  AWAIT_KEY_TOKEN --UBT/RBT----------> COMPLETED              unbinds or rebinds, sends BINDING_UPDATED
 *                  (KDH B.14/B.11 with this session's nonce, or authority B.13/B.10; the B.13 row
 *                  only when Options.acceptReplayableCaUnbind, it has no freshness)
 *  AWAIT_WORKING_KEYS --WORKING_KEYS--> COMPLETED              unwraps each under the new master key,
 *                                                              installs, sends WORKING_KEYS_INSTALLED
 *  any non-final state --ABORT--------> FAILED
 *  any other (state, message) --------> FAILED (absorbing), UNEXPECTED_MESSAGE, nothing parsed
 * </pre>
 */
public final class KrdHandshake extends AbstractHandshake<KrdHandshake.State, KrdHandshake> {
  private static final Logger log = LoggerFactory.getLogger(KrdHandshake.class);

  /** States, named after the step the terminal waits for. */
  public enum State {
    START,
    AWAIT_KDH_CREDENTIAL,
    AWAIT_PENDING_RESOLUTION,
    AWAIT_KEY_TOKEN,
    AWAIT_KEY_CONFIRMED,
    AWAIT_WORKING_KEYS,
    COMPLETED,
    FAILED
  }

  /**
   * The one transition table: every transition of the terminal, START included. UBT-CA's row is
   * there only when the terminal's policy takes its replay risk (docs/SECURITY.md C13).
   */
  private static final Transitions<State, KrdHandshake> TRANSITIONS =
      new Transitions<>(
          State.class,
          Transitions.onStart(State.START, KrdHandshake::onStart, State.AWAIT_KDH_CREDENTIAL),
          Transitions.on(
              State.AWAIT_KDH_CREDENTIAL,
              MessageType.KDH_CREDENTIAL,
              KdhCredentialToken.class,
              KrdHandshake::onKdhCredential,
              State.AWAIT_KEY_TOKEN,
              State.AWAIT_PENDING_RESOLUTION),
          abortIn(State.AWAIT_KDH_CREDENTIAL, State.FAILED),
          Transitions.on(
              State.AWAIT_PENDING_RESOLUTION,
              MessageType.KEY_CONFIRMED,
              KeyConfirmed.class,
              KrdHandshake::onPendingResolved,
              State.AWAIT_KEY_TOKEN),
          abortIn(State.AWAIT_PENDING_RESOLUTION, State.FAILED),
          Transitions.on(
              State.AWAIT_KEY_TOKEN,
              MessageType.KDH_KEY,
              KdhKeyToken.class,
              KrdHandshake::onKeyToken,
              State.AWAIT_KEY_CONFIRMED,
              State.AWAIT_WORKING_KEYS),
          Transitions.on(
              State.AWAIT_KEY_TOKEN,
              MessageType.KDH_ECDH_KEY,
              KdhEcdhKeyToken.class,
              KrdHandshake::onEcdhKeyToken,
              State.AWAIT_KEY_CONFIRMED,
              State.AWAIT_WORKING_KEYS),
          Transitions.on(
              State.AWAIT_KEY_TOKEN,
              MessageType.KDH_KEY_ONE_PASS,
              KdhOnePassKeyToken.class,
              KrdHandshake::onOnePassKeyToken,
              State.AWAIT_KEY_CONFIRMED,
              State.AWAIT_WORKING_KEYS),
          Transitions.on(
              State.AWAIT_KEY_TOKEN,
              MessageType.KDH_UNBIND,
              KdhUnbindToken.class,
              KrdHandshake::onKdhUnbind,
              State.COMPLETED),
          Transitions.on(
              State.AWAIT_KEY_TOKEN,
              MessageType.KDH_REBIND,
              KdhRebindToken.class,
              KrdHandshake::onKdhRebind,
              State.COMPLETED),
          Transitions.on(
              State.AWAIT_KEY_TOKEN,
              MessageType.CA_UNBIND,
              CaUnbindToken.class,
              KrdHandshake::onCaUnbind,
              State.COMPLETED),
          Transitions.on(
              State.AWAIT_KEY_TOKEN,
              MessageType.CA_REBIND,
              CaRebindToken.class,
              KrdHandshake::onCaRebind,
              State.COMPLETED),
          abortIn(State.AWAIT_KEY_TOKEN, State.FAILED),
          Transitions.on(
              State.AWAIT_KEY_CONFIRMED,
              MessageType.KEY_CONFIRMED,
              KeyConfirmed.class,
              KrdHandshake::onKeyConfirmed,
              State.COMPLETED),
          abortIn(State.AWAIT_KEY_CONFIRMED, State.FAILED),
          Transitions.on(
              State.AWAIT_WORKING_KEYS,
              MessageType.WORKING_KEYS,
              WorkingKeys.class,
              KrdHandshake::onWorkingKeys,
              State.COMPLETED),
          abortIn(State.AWAIT_WORKING_KEYS, State.FAILED));

  /** The table of a terminal that refuses UBT-CA (the default). */
  private static final Transitions<State, KrdHandshake> WITHOUT_CA_UNBIND =
      TRANSITIONS.without(State.class, MessageType.CA_UNBIND);

  /** The table a terminal with {@code options} runs. */
  static Transitions<State, KrdHandshake> table(Options options) {
    return options.acceptReplayableCaUnbind() ? TRANSITIONS : WITHOUT_CA_UNBIND;
  }

  /**
   * The usual next state for a received message, or empty if {@code state} does not accept it (in
   * the table of a terminal that accepts UBT-CA).
   */
  public static Optional<State> next(State state, MessageType received) {
    return targets(state, received).stream().findFirst();
  }

  /**
   * Every next state the table admits for a received message (usual first); empty if refused. This
   * is the table of a terminal that accepts UBT-CA; by default its row is absent.
   */
  public static List<State> targets(State state, MessageType received) {
    return TRANSITIONS.targets(state, received);
  }

  private final ReceivingTerminal terminal;
  private final CryptoProvider crypto;
  private final TokenCodec codec;
  private final CertificateValidator validator;
  private final Clock clock;
  private final KeyBlockWrapper workingKeyWrapper;
  private final X509Certificate authority;
  private final Duration onePassWindow;

  private CertificateChain kdhChain;
  private SecretKeyMaterial masterKey;
  private List<X509CRL> kdhCrls = List.of();
  private Nonce nonce;
  private KeyReceipt receipt;
  private TerminalOutcome bindingChange;
  private boolean tentativeBinding;

  /**
   * How a terminal handles what follows its nonce.
   *
   * @param workingKeyWrapper unwraps working keys after the master key; null: it expects none
   * @param authority the higher-level authority whose unbind and rebind tokens it obeys (TR-34
   *     B.10, B.13); null: the CA that issued the terminal's own certificate, as in Annex B
   * @param onePassWindow how far a one-pass key token's signing time may be from the terminal's
   *     clock (P2); the time must also be later than the last one accepted from that host
   * @param acceptReplayableCaUnbind obey UBT-CA (TR-34 B.13); off by default: the token has no
   *     nonce and no signing time, so anyone who captured one can replay it and wipe the keys again
   *     (docs/SECURITY.md C13)
   */
  public record Options(
      KeyBlockWrapper workingKeyWrapper,
      X509Certificate authority,
      Duration onePassWindow,
      boolean acceptReplayableCaUnbind) {
    /** Default one-pass window: 10 minutes either way. */
    public static final Duration DEFAULT_ONE_PASS_WINDOW = Duration.ofMinutes(10);

    public Options {
      Objects.requireNonNull(onePassWindow, "onePassWindow");
      if (onePassWindow.isNegative() || onePassWindow.isZero()) {
        throw new IllegalArgumentException("the one-pass window must be positive");
      }
    }

    /** Without UBT-CA. */
    public Options(
        KeyBlockWrapper workingKeyWrapper, X509Certificate authority, Duration onePassWindow) {
      this(workingKeyWrapper, authority, onePassWindow, false);
    }

    public static Options defaults() {
      return new Options(null, null, DEFAULT_ONE_PASS_WINDOW, false);
    }
  }

  /** Reached through {@link Handshakes#terminal}; one machine per session. */
  KrdHandshake(
      ReceivingTerminal terminal,
      CryptoProvider crypto,
      TokenCodec codec,
      CertificateValidator validator,
      Clock clock,
      Options options) {
    super("KRD", table(options), State.START, State.COMPLETED, State.FAILED, log);
    this.workingKeyWrapper = options.workingKeyWrapper();
    this.authority =
        options.authority() != null
            ? options.authority()
            : terminal.certificateChain().issuers().isEmpty()
                ? null
                : terminal.certificateChain().issuers().get(0);
    this.onePassWindow = options.onePassWindow();
    this.terminal = Objects.requireNonNull(terminal, "terminal");
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The installed key's receipt, once COMPLETED. */
  public Optional<KeyReceipt> receipt() {
    return Optional.ofNullable(receipt);
  }

  /** How the session ended, once COMPLETED: a key, or a binding change. */
  public Optional<TerminalOutcome> outcome() {
    if (state() != State.COMPLETED) {
      return Optional.empty();
    }
    return Optional.of(
        bindingChange != null
            ? bindingChange
            : new TerminalOutcome(
                Optional.ofNullable(receipt), Optional.empty(), Optional.empty()));
  }

  /**
   * S2: runs the table's START row, which answers CT-KRD with the terminal's own chain (TR-34 B.7).
   *
   * @throws IllegalStateException if the session was already started
   */
  public HandshakeMessage start() throws KeyTransferException {
    return begin().orElseThrow();
  }

  private Step<State> onStart() throws KeyTransferException {
    HandshakeMessage ct = codec.encodeKrdCredential(terminal.certificateChain());
    log.info("KRD session started: {}", LogArgs.subject(terminal.certificateChain().leaf()));
    return Step.to(State.AWAIT_KDH_CREDENTIAL, ct);
  }

  /** S4, TR-34 B.14: the bound KDH unbinds this terminal, echoing this session's nonce. */
  private Step<State> onKdhUnbind(KdhUnbindToken t) throws KeyTransferException {
    requireBoundSigner(t.claimedSigner());
    VerifiedUnbind v = codec.verifyKdhUnbindToken(t, kdhChain.leaf());
    revalidateKdh(v.crls());
    consumeNonce(v.nonce());
    return Step.to(State.COMPLETED, unbind(v.krdId(), v.kdhId(), "KDH"));
  }

  /** S4, TR-34 B.11: the bound KDH rebinds this terminal, echoing this session's nonce. */
  private Step<State> onKdhRebind(KdhRebindToken t) throws KeyTransferException {
    requireBoundSigner(t.claimedSigner());
    VerifiedRebind v = codec.verifyKdhRebindToken(t, kdhChain.leaf());
    revalidateKdh(v.crls());
    consumeNonce(v.nonce());
    return Step.to(State.COMPLETED, rebind(v));
  }

  /** TR-34 B.13: the authority unbinds; only in the table where the policy admits it (C13). */
  private Step<State> onCaUnbind(CaUnbindToken t) throws KeyTransferException {
    VerifiedUnbind v = codec.verifyCaUnbindToken(t, requireAuthority(t.claimedSigner()));
    return Step.to(State.COMPLETED, unbind(v.krdId(), v.kdhId(), "authority"));
  }

  /** TR-34 B.10: the authority rebinds, with a signing time later than the last accepted (P2). */
  private Step<State> onCaRebind(CaRebindToken t) throws KeyTransferException {
    X509Certificate ca = requireAuthority(t.claimedSigner());
    VerifiedRebind v = codec.verifyCaRebindToken(t, ca);
    Instant at =
        v.signingTime()
            .orElseThrow(
                () ->
                    new NonceMismatchException(
                        ErrorCode.NONCE_MISMATCH, "authority rebind carries no signing time"));
    acceptSigningTime(IssuerAndSerial.of(ca), at); // strictly later (P2)
    return Step.to(State.COMPLETED, rebind(v));
  }

  /**
   * S3: validate the KDH chain and its CRL, check it is the bound KDH (C11), and answer with a
   * fresh nonce (S4 request). An unbound terminal binds only tentatively: the binding is stored
   * once a token signed by this host has verified in this session ({@link #commitBinding}), so a
   * peer that holds only a host's public certificate cannot bind the terminal to it.
   */
  private Step<State> onKdhCredential(KdhCredentialToken token) throws KeyTransferException {
    CertificateChain validated = validateKdh(token.chain(), List.of(), token.crls());
    Optional<X509Certificate> bound = terminal.bindingStore().boundKdh();
    if (bound.isPresent() && !isBoundKdh(bound.get(), validated.leaf())) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNER_NOT_BOUND, "terminal is bound to another KDH");
    }
    tentativeBinding = bound.isEmpty();
    kdhChain = validated;
    Optional<InstalledKey> pending =
        tentativeBinding
            ? Optional.empty()
            : terminal.keyStore().pending(IssuerAndSerial.of(validated.leaf()));
    if (pending.isPresent()) {
      try (InstalledKey p = pending.get()) {
        log.info("KRD reports a pending master key (KCV {}) to its KDH", p.kcv());
        return Step.to(State.AWAIT_PENDING_RESOLUTION, new PendingKey(p.kcv()));
      }
    }
    nonce = freshNonce();
    log.info(
        "KRD validated {} KDH {} serial {}",
        tentativeBinding ? "and tentatively binds" : "bound",
        LogArgs.subject(validated.leaf()),
        LogArgs.serial(validated.leaf()));
    return Step.to(State.AWAIT_KEY_TOKEN, codec.encodeRandomToken(nonce));
  }

  /**
   * Whether {@code presented} is the bound KDH (C11): its issuer and serial number, and its public
   * key, the one every later token of this session is verified with. Issuer and serial alone would
   * let another certificate of a trusted CA with that serial (reissued, or under an issuer name
   * that compares equal) speak for the bound host.
   */
  private static boolean isBoundKdh(X509Certificate bound, X509Certificate presented) {
    return IssuerAndSerial.of(bound).identifies(presented)
        && MessageDigest.isEqual(
            bound.getPublicKey().getEncoded(), presented.getPublicKey().getEncoded());
  }

  /**
   * The host's ledger decides a key left pending by a lost acknowledgement: current (the pending
   * key replaces the master key it supersedes) or not (it is wiped). Then S4 goes on with a nonce.
   */
  private Step<State> onPendingResolved(KeyConfirmed answer) throws KeyTransferException {
    IssuerAndSerial kdhId = IssuerAndSerial.of(kdhChain.leaf());
    Optional<InstalledKey> pending = terminal.keyStore().pending(kdhId);
    boolean current;
    try (InstalledKey p = pending.orElseThrow(() -> new IllegalStateException("no pending key"))) {
      current = answer.current() && p.kcv().matches(answer.kcv());
    }
    if (current) {
      terminal.keyStore().commitPending(kdhId);
    } else {
      terminal.keyStore().discardPending(kdhId);
    }
    log.info(
        "KRD pending master key {} by its KDH",
        current ? "made current" : "discarded as unconfirmed");
    nonce = freshNonce();
    return Step.to(State.AWAIT_KEY_TOKEN, codec.encodeRandomToken(nonce));
  }

  /** The host acknowledged this session's key: it becomes current, the superseded one is wiped. */
  private Step<State> onKeyConfirmed(KeyConfirmed ack) throws KeyTransferException {
    if (!ack.current() || !receipt.kcv().matches(ack.kcv())) {
      terminal.keyStore().discardPending(receipt.kdh());
      throw new KeyTransferException(
          ErrorCode.KCV_MISMATCH, "the host did not acknowledge the key this terminal installed");
    }
    terminal.keyStore().commitPending(receipt.kdh());
    log.info("KRD master key from KDH {} is current (KCV {})", receipt.kdhSubject(), receipt.kcv());
    return Step.quietlyTo(State.COMPLETED);
  }

  /** A token signed by the tentatively bound host passed every check: store the binding now. */
  private void commitBinding() throws KeyTransferException {
    if (tentativeBinding) {
      terminal.bindingStore().bind(kdhChain.leaf());
      tentativeBinding = false;
      log.info("KRD bound to KDH {}", LogArgs.subject(kdhChain.leaf()));
    }
  }

  /** P2: a signing time strictly later than the last one accepted from {@code signer}. */
  private void acceptSigningTime(IssuerAndSerial signer, Instant at) throws KeyTransferException {
    Optional<Instant> last = terminal.bindingStore().lastSigningTime(signer);
    if (last.isPresent() && !at.isAfter(last.get())) {
      throw new NonceMismatchException(
          ErrorCode.NONCE_MISMATCH, "signing time is not later than the last one accepted");
    }
    terminal.bindingStore().recordSigningTime(signer, at);
  }

  /** S4: verify, check nonce, decrypt, check, install, confirm. */
  private Step<State> onKeyToken(KdhKeyToken token) throws KeyTransferException {
    X509Certificate kdh = kdhChain.leaf();
    IssuerAndSerial kdhId = IssuerAndSerial.of(kdh);
    // 1. the signer must be the bound KDH (C11)
    if (!token.claimedSigner().equals(kdhId)) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNER_NOT_BOUND, "key token is not signed by the bound KDH");
    }
    // 2. signature over the signed attributes as received, before any decryption (P4, P6)
    VerifiedKeyToken verified = codec.verifyKeyToken(token, kdh);
    // 3. revocation, again, with any CRL the token carries (C3, C12)
    revalidateKdh(verified.crls());
    // 4. the nonce this session sent (P1, P3); single use
    consumeNonce(verified.nonce());
    return install(verified, kdh);
  }

  /**
   * This session's nonce: in the ECDH mode (the terminal's key is an EC key) it is the terminal's
   * fresh value of the shared information, with no zero byte (docs/ECDH.md).
   */
  private Nonce freshNonce() {
    return ecdhCurve() != null
        ? Nonce.randomWithoutZeroBytes(crypto.secureRandom())
        : Nonce.random(crypto.secureRandom());
  }

  private Algorithms.Curve ecdhCurve() {
    return Algorithms.Curve.of(terminal.certificateChain().leaf().getPublicKey());
  }

  /**
   * S4 in the ECDH mode (docs/ECDH.md): the signer is the bound KDH, the signature verifies before
   * anything else is read, the answer echoes this session's nonce and is addressed here, the host's
   * fresh value is well formed and new; only then the key is derived and the block unwrapped,
   * checked, installed and confirmed.
   */
  private Step<State> onEcdhKeyToken(KdhEcdhKeyToken token) throws KeyTransferException {
    X509Certificate kdh = kdhChain.leaf();
    requireBoundSigner(token.claimedSigner());
    VerifiedEcdhKeyToken verified = codec.verifyEcdhKeyToken(token, kdh);
    consumeNonce(Optional.of(Nonce.of(verified.krdRandom().toByteArray())));
    if (!verified.krdId().identifies(terminal.certificateChain().leaf())) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNER_NOT_BOUND, "key token is addressed to another terminal");
    }
    byte[] kdhRandom = verified.kdhRandom().toByteArray();
    EcdhSettings.checkFreshValue(kdhRandom, "the host's");
    if (verified.kdhRandom().equals(verified.krdRandom())) {
      throw new NonceMismatchException(
          ErrorCode.SHARED_INFO_REUSED, "the host's fresh value repeats the terminal's");
    }
    Algorithms.Curve curve = ecdhCurve();
    if (curve == null || Algorithms.Curve.of(kdh.getPublicKey()) != curve) {
      throw new KeyTokenException(
          ErrorCode.ECDH_CURVE_MISMATCH, "the KDH's key is not an EC key on this terminal's curve");
    }
    try (KeyBlock block =
        codec.openEcdhKeyToken(
            verified, terminal.keyTransportKey(), terminal.certificateChain().leaf(), kdh)) {
      if (!block.kdhId().equals(IssuerAndSerial.of(kdh))) {
        throw new KeyTokenException(
            ErrorCode.KEY_BLOCK_ID_MISMATCH, "key block names another KDH than the signer");
      }
      KeyBlockChecks.checkEcdh(block, curve);
      return installChecked(block, kdh);
    }
  }

  /** One-pass (TR-34 B.8): the signing time, not a nonce, makes it fresh (P2). */
  private Step<State> onOnePassKeyToken(KdhOnePassKeyToken token) throws KeyTransferException {
    X509Certificate kdh = kdhChain.leaf();
    requireBoundSigner(token.claimedSigner());
    VerifiedKeyToken verified = codec.verifyOnePassKeyToken(token, kdh);
    revalidateKdh(verified.crls());
    nonce = null; // this session's nonce is not used by a one-pass token; it must not serve later
    Instant at =
        verified
            .signingTime()
            .orElseThrow(
                () ->
                    new NonceMismatchException(
                        ErrorCode.NONCE_MISMATCH, "one-pass key token carries no signing time"));
    Instant now = clock.instant();
    if (at.isBefore(now.minus(onePassWindow)) || at.isAfter(now.plus(onePassWindow))) {
      throw new NonceMismatchException(
          ErrorCode.NONCE_MISMATCH,
          "one-pass key token signed at "
              + at
              + ", outside the accepted window of "
              + onePassWindow.toMinutes()
              + " minutes");
    }
    acceptSigningTime(IssuerAndSerial.of(kdh), at); // strictly later than the last
    return install(verified, kdh);
  }

  private void requireBoundSigner(IssuerAndSerial claimed) throws SignatureInvalidException {
    if (!claimed.equals(IssuerAndSerial.of(kdhChain.leaf()))) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNER_NOT_BOUND, "token is not signed by the bound KDH");
    }
  }

  /**
   * Validates a KDH chain for role KDH (C3) with the CRLs of this session and those just {@code
   * received}: of several CRLs from one issuer only the newest is used, and is refused if it is
   * older than one already accepted; the authentic ones are remembered afterwards (C14).
   */
  private CertificateChain validateKdh(
      CertificateChain chain, List<X509CRL> sessionCrls, List<X509CRL> received)
      throws KeyTransferException {
    List<X509CRL> crls = CrlFreshness.newestPerIssuer(sessionCrls, received);
    CrlFreshness.requireNotSuperseded(terminal.bindingStore(), crls);
    CertificateChain validated = validator.validate(chain, Role.KDH, crls);
    CrlFreshness.remember(terminal.bindingStore(), crls, validated, validator.trustAnchors());
    kdhCrls = crls;
    return validated;
  }

  /** C3, C12: validate the bound KDH again with the CRLs the token carries. */
  private void revalidateKdh(List<X509CRL> carried) throws KeyTransferException {
    if (!carried.isEmpty()) {
      validateKdh(kdhChain, kdhCrls, carried);
    }
  }

  /** P1, P3: the token echoes the nonce this session sent; the nonce is then spent. */
  private void consumeNonce(Optional<Nonce> echoed) throws NonceMismatchException {
    Nonce expected = nonce;
    nonce = null;
    if (expected == null || echoed.isEmpty() || !expected.matches(echoed.get())) {
      throw new NonceMismatchException(
          ErrorCode.NONCE_MISMATCH, "token does not echo this session's nonce");
    }
  }

  private X509Certificate requireAuthority(IssuerAndSerial claimed)
      throws SignatureInvalidException {
    if (authority == null || !claimed.identifies(authority)) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNER_NOT_BOUND, "token is not signed by the terminal's authority");
    }
    return authority;
  }

  /** TR-34 B.13, B.14: addressed to this terminal, about the bound KDH; then forget both. */
  private HandshakeMessage unbind(IssuerAndSerial krdId, IssuerAndSerial kdhId, String by)
      throws KeyTransferException {
    checkAddressedHere(krdId, kdhId);
    int removed = terminal.keyStore().removeKeysFrom(kdhId);
    terminal.bindingStore().unbind();
    bindingChange = new TerminalOutcome(Optional.empty(), Optional.of(false), Optional.empty());
    log.info("KRD unbound from KDH {} by the {}; {} keys removed", kdhId, by, removed);
    return new BindingUpdated(false);
  }

  /** TR-34 B.10, B.11: addressed here, from the bound KDH, to a new KDH that validates now. */
  private HandshakeMessage rebind(VerifiedRebind v) throws KeyTransferException {
    checkAddressedHere(v.krdId(), v.oldKdhId());
    CertificateChain newKdh = validateKdh(v.newKdh(), kdhCrls, v.crls());
    terminal.bindingStore().bind(newKdh.leaf());
    tentativeBinding = false;
    bindingChange =
        new TerminalOutcome(
            Optional.empty(),
            Optional.of(true),
            Optional.of(newKdh.leaf().getSubjectX500Principal().getName()));
    log.info("KRD rebound from KDH {} to {}", v.oldKdhId(), LogArgs.subject(newKdh.leaf()));
    return new BindingUpdated(true);
  }

  private void checkAddressedHere(IssuerAndSerial krdId, IssuerAndSerial kdhId)
      throws SignatureInvalidException {
    if (!krdId.identifies(terminal.certificateChain().leaf())) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNER_NOT_BOUND, "token is addressed to another terminal");
    }
    if (!kdhId.identifies(kdhChain.leaf())) {
      throw new SignatureInvalidException(
          ErrorCode.SIGNER_NOT_BOUND, "token names another KDH than the bound one");
    }
  }

  /** Steps 5-8 of a verified key token: decrypt, check, install, confirm. */
  private Step<State> install(VerifiedKeyToken verified, X509Certificate kdh)
      throws KeyTransferException {
    IssuerAndSerial kdhId = IssuerAndSerial.of(kdh);
    // 5. decrypt with the terminal's own key
    try (KeyBlock block =
        codec.decryptKeyToken(
            verified, terminal.keyTransportKey(), terminal.certificateChain().leaf())) {
      // 6-7. idKDH is the signer; the signed header equals the key block's and fits the key (P7)
      KeyBlockChecks.check(block, verified, kdhId);
      // K2 on receipt: neither the content key nor the terminal's RSA key is weaker than the key
      KeyBlockChecks.checkWrappingStrength(block, terminal.certificateChain().leaf());
      return installChecked(block, kdh);
    }
  }

  /** Step 8 of a key block that passed every check: bind, install as pending, confirm. */
  private Step<State> installChecked(KeyBlock block, X509Certificate kdh)
      throws KeyTransferException {
    IssuerAndSerial kdhId = IssuerAndSerial.of(kdh);
    // the host proved its key with a token that passed every check: a tentative binding holds
    commitBinding();
    KeyCheckValue kcv = crypto.keyCheckValue(block.key(), block.header().kcvMethod());
    // 8. install (atomic in the store), then confirm with the KCV (K3)
    try (InstalledKey installed =
        new InstalledKey(block.header(), block.key().copy(), kcv, kdhId, clock.instant())) {
      // pending until the host acknowledges the confirmation (docs/SECURITY.md K7)
      terminal.keyStore().installPending(installed);
    }
    receipt = new KeyReceipt(block.header(), kcv, kdhId, kdh.getSubjectX500Principal().getName());
    log.info(
        "KRD installed key {} from KDH {} (KCV method {})",
        block.header().usageSummary(),
        LogArgs.subject(kdh),
        kcv.method());
    if (workingKeyWrapper == null) {
      return Step.to(State.AWAIT_KEY_CONFIRMED, new KeyInstalled(kcv));
    }
    masterKey =
        block.key().copy(); // the protection key of the working keys; wiped when they are in
    return Step.to(State.AWAIT_WORKING_KEYS, new KeyInstalled(kcv, true));
  }

  /**
   * After S4: each working key is unwrapped under the master key just installed, checked like the
   * master key (P7), installed and confirmed with its KCV. A key that fails is reported with its
   * code and leaves the master key and the other working keys installed.
   */
  private Step<State> onWorkingKeys(WorkingKeys message) throws KeyTransferException {
    // the host sends working keys only after it confirmed the master key: that is its
    // acknowledgement
    terminal.keyStore().commitPending(receipt.kdh());
    List<WorkingKeysInstalled.Result> results = new ArrayList<>();
    try {
      for (String keyBlock : message.keyBlocks()) {
        try (DeliverableKey k = workingKeyWrapper.unwrap(masterKey, keyBlock)) {
          k.header().checkInstallable(k.key().length());
          KeyCheckValue kcv = crypto.keyCheckValue(k.key(), k.header().kcvMethod());
          try (InstalledKey installed =
              new InstalledKey(k.header(), k.key().copy(), kcv, receipt.kdh(), clock.instant())) {
            terminal.keyStore().install(installed);
          }
          results.add(WorkingKeysInstalled.Result.installed(kcv));
          log.info("KRD installed working key {}", k.header().usageSummary());
        } catch (KeyTransferException e) {
          results.add(WorkingKeysInstalled.Result.failed(e.code()));
          log.warn(
              "KRD refused working key {} of {}: {}",
              results.size(),
              message.keyBlocks().size(),
              e.code());
        }
      }
    } finally {
      masterKey.destroy();
      masterKey = null;
    }
    receipt = receipt.withWorkingKeys(results);
    return Step.to(State.COMPLETED, new WorkingKeysInstalled(results));
  }

  @Override
  void onFailure(State stateAtFailure, ErrorCode code) {
    nonce = null;
    if ((stateAtFailure == State.AWAIT_KEY_CONFIRMED || stateAtFailure == State.AWAIT_WORKING_KEYS)
        && code.isPublic()
        && receipt != null) {
      // the host refused the confirmation: its ledger says REJECTED, so the key must go. On a lost
      // or timed-out connection it stays pending and the next session asks the host.
      try {
        terminal.keyStore().discardPending(receipt.kdh());
      } catch (KeyTransferException | RuntimeException e) {
        log.warn("KRD could not discard the refused key: {}", e.getMessage());
      }
    }
    if (masterKey != null) {
      masterKey.destroy();
      masterKey = null;
    }
  }
}
