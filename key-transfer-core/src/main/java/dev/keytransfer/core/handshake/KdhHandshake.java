package dev.keytransfer.core.handshake;

import dev.keytransfer.core.Bytes;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.InternalErrorException;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTokenException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.internal.Hex;
import dev.keytransfer.core.message.BindingUpdated;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.KeyConfirmed;
import dev.keytransfer.core.message.KeyInstalled;
import dev.keytransfer.core.message.KrdCredentialToken;
import dev.keytransfer.core.message.KrdRandomToken;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.message.PendingKey;
import dev.keytransfer.core.message.WorkingKeys;
import dev.keytransfer.core.message.WorkingKeysInstalled;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.CertificateValidator;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.EcdhKeyRequest;
import dev.keytransfer.core.spi.KeyBlockWrapper;
import dev.keytransfer.core.spi.KeyLedger;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.SessionRecord;
import dev.keytransfer.core.spi.TokenCodec;
import dev.keytransfer.core.spi.WorkingKeySource;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distribution terminal's (KDH's) side of S2-S4 as one state machine (TR-34 clause 5.4, B.7,
 * B.6, B.12, B.9). It owns the freshness rule: it builds a key token only after a fresh RT-KRD in
 * this session, for the terminal it validated in this session, and records every delivery in the
 * ledger: DELIVERED when the token is built, CONFIRMED only on a matching KCV. One instance per
 * session; not thread-safe.
 *
 * <p>Every transition is a row of one table (state, message type, handler); the handler returns the
 * next state and the reply (docs/DESIGN.md, "State machines"). The host speaks second, so its table
 * has no START row: its first row is CT-KRD.
 *
 * <pre>
 *  AWAIT_KRD_CREDENTIAL --CT-KRD------> AWAIT_RANDOM_TOKEN   validates KRD (S2), sends CT-KDH (S3)
 *  AWAIT_RANDOM_TOKEN --PENDING_KEY---> AWAIT_RANDOM_AFTER_PENDING   answers from the ledger with
 *                                                              KEY_CONFIRMED (then as below)
 *  AWAIT_RANDOM_TOKEN --RT-KRD--------> AWAIT_CONFIRMATION   key source, sends KT-KDH (S4, two-pass
 *                                                              or one-pass, as the operation says;
 *                                                              KT-KDH-ECDH when the host's key is EC,
 *                                                              docs/ECDH.md)
 *                                    or AWAIT_BINDING_UPDATE  sends UBT-KDH, RBT-KDH, or a relayed
 *                                                              UBT-CA / RBT-CA
 *  AWAIT_BINDING_UPDATE --BINDING_UPDATED--> COMPLETED
 *  AWAIT_CONFIRMATION --KEY_INSTALLED-> COMPLETED            KCV compared, ledger CONFIRMED, sends
 *                                                              KEY_CONFIRMED
 *                                    or AWAIT_WORKING_KEY_RESULTS   (the terminal asked for working
 *                                                              keys: sends WORKING_KEYS)
 *  AWAIT_WORKING_KEY_RESULTS --WORKING_KEYS_INSTALLED--> COMPLETED   each working key CONFIRMED or
 *                                                              REJECTED in the ledger
 *  any non-final state --ABORT--------> FAILED
 *  any other (state, message) --------> FAILED (absorbing), UNEXPECTED_MESSAGE, nothing parsed
 * </pre>
 */
public final class KdhHandshake extends AbstractHandshake<KdhHandshake.State, KdhHandshake> {
  private static final Logger log = LoggerFactory.getLogger(KdhHandshake.class);

  /** States, named after the step the host waits for. */
  public enum State {
    AWAIT_KRD_CREDENTIAL,
    AWAIT_RANDOM_TOKEN,
    AWAIT_RANDOM_AFTER_PENDING,
    AWAIT_CONFIRMATION,
    AWAIT_WORKING_KEY_RESULTS,
    AWAIT_BINDING_UPDATE,
    COMPLETED,
    FAILED
  }

  /** The one transition table: every transition of the host. */
  private static final Transitions<State, KdhHandshake> TRANSITIONS =
      new Transitions<>(
          State.class,
          Transitions.on(
              State.AWAIT_KRD_CREDENTIAL,
              MessageType.KRD_CREDENTIAL,
              KrdCredentialToken.class,
              KdhHandshake::onKrdCredential,
              State.AWAIT_RANDOM_TOKEN),
          abortIn(State.AWAIT_KRD_CREDENTIAL, State.FAILED),
          Transitions.on(
              State.AWAIT_RANDOM_TOKEN,
              MessageType.KRD_RANDOM,
              KrdRandomToken.class,
              KdhHandshake::onRandomToken,
              State.AWAIT_CONFIRMATION,
              State.AWAIT_BINDING_UPDATE),
          Transitions.on(
              State.AWAIT_RANDOM_TOKEN,
              MessageType.PENDING_KEY,
              PendingKey.class,
              KdhHandshake::onPendingKey,
              State.AWAIT_RANDOM_AFTER_PENDING),
          abortIn(State.AWAIT_RANDOM_TOKEN, State.FAILED),
          Transitions.on(
              State.AWAIT_RANDOM_AFTER_PENDING,
              MessageType.KRD_RANDOM,
              KrdRandomToken.class,
              KdhHandshake::onRandomToken,
              State.AWAIT_CONFIRMATION,
              State.AWAIT_BINDING_UPDATE),
          abortIn(State.AWAIT_RANDOM_AFTER_PENDING, State.FAILED),
          Transitions.on(
              State.AWAIT_BINDING_UPDATE,
              MessageType.BINDING_UPDATED,
              BindingUpdated.class,
              KdhHandshake::onBindingUpdated,
              State.COMPLETED),
          abortIn(State.AWAIT_BINDING_UPDATE, State.FAILED),
          Transitions.on(
              State.AWAIT_CONFIRMATION,
              MessageType.KEY_INSTALLED,
              KeyInstalled.class,
              KdhHandshake::onKeyInstalled,
              State.COMPLETED,
              State.AWAIT_WORKING_KEY_RESULTS),
          abortIn(State.AWAIT_CONFIRMATION, State.FAILED),
          Transitions.on(
              State.AWAIT_WORKING_KEY_RESULTS,
              MessageType.WORKING_KEYS_INSTALLED,
              WorkingKeysInstalled.class,
              KdhHandshake::onWorkingKeysInstalled,
              State.COMPLETED),
          abortIn(State.AWAIT_WORKING_KEY_RESULTS, State.FAILED));

  /** The table every host runs. */
  static Transitions<State, KdhHandshake> table() {
    return TRANSITIONS;
  }

  /** The usual next state for a received message, or empty if {@code state} does not accept it. */
  public static Optional<State> next(State state, MessageType received) {
    return targets(state, received).stream().findFirst();
  }

  /** Every next state the table admits for a received message (usual first); empty if refused. */
  public static List<State> targets(State state, MessageType received) {
    return TRANSITIONS.targets(state, received);
  }

  /**
   * What a host does after S4, besides the key.
   *
   * @param workingKeys working keys delivered after the master key to terminals that ask for them;
   *     null: none
   * @param workingKeyWrapper wraps them under the master key (TR-31 / X9.143); null exactly when
   *     {@code workingKeys} is
   * @param operations what answers each terminal's nonce (TR-34 B.8-B.14)
   * @param deliveryLimit how many master keys one device may get per window (docs/SECURITY.md A5)
   * @param ecdh the KDF and the memory of fresh values of the ECDH mode, used when the host's key
   *     is an EC key (docs/ECDH.md)
   */
  public record Options(
      WorkingKeySource workingKeys,
      KeyBlockWrapper workingKeyWrapper,
      HostOperations operations,
      DeliveryLimit deliveryLimit,
      EcdhSettings ecdh) {
    public Options {
      Objects.requireNonNull(operations, "operations");
      Objects.requireNonNull(deliveryLimit, "deliveryLimit");
      Objects.requireNonNull(ecdh, "ecdh");
      if ((workingKeys == null) != (workingKeyWrapper == null)) {
        throw new IllegalArgumentException(
            "working keys need both a source and a key block wrapper");
      }
    }

    /** These options with the default ECDH settings. */
    public Options(
        WorkingKeySource workingKeys,
        KeyBlockWrapper workingKeyWrapper,
        HostOperations operations,
        DeliveryLimit deliveryLimit) {
      this(workingKeys, workingKeyWrapper, operations, deliveryLimit, EcdhSettings.defaults());
    }

    /** These options with the default delivery limit. */
    public Options(
        WorkingKeySource workingKeys,
        KeyBlockWrapper workingKeyWrapper,
        HostOperations operations) {
      this(workingKeys, workingKeyWrapper, operations, DeliveryLimit.DEFAULT);
    }

    /** Two-pass keys to every terminal, no working keys, the default delivery limit. */
    public static Options defaults() {
      return new Options(null, null, HostOperations.deliverKeys());
    }
  }

  private final DistributionTerminal host;
  private final CryptoProvider crypto;
  private final TokenCodec codec;
  private final CertificateValidator validator;
  private final Clock clock;
  private final String sessionId;
  private final WorkingKeySource workingKeys;
  private final KeyBlockWrapper workingKeyWrapper;
  private final HostOperations operations;
  private final DeliveryLimit deliveryLimit;
  private final EcdhSettings ecdh;
  private final java.time.Instant startedAt;
  private HostOperation operation;
  private boolean sessionRecorded;

  /** The delivery-limit count, read ahead from S2 (docs/SECURITY.md A5). */
  private KeyLedger.Count attempts;

  private CertificateChain krdChain;
  private KeyCheckValue issuedKcv;
  private KeyBlockHeader issuedHeader;
  private SecretKeyMaterial masterKey;
  private final List<LedgerEntry> workingKeyEntries = new ArrayList<>();

  /** Reached through {@link Handshakes#host}; one machine per session. */
  KdhHandshake(
      DistributionTerminal host,
      CryptoProvider crypto,
      TokenCodec codec,
      CertificateValidator validator,
      Clock clock,
      Options options) {
    super("KDH", TRANSITIONS, State.AWAIT_KRD_CREDENTIAL, State.COMPLETED, State.FAILED, log);
    this.operations = options.operations();
    this.deliveryLimit = options.deliveryLimit();
    this.ecdh = options.ecdh();
    this.workingKeys = options.workingKeys();
    this.workingKeyWrapper = options.workingKeyWrapper();
    this.host = Objects.requireNonNull(host, "host");
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.validator = Objects.requireNonNull(validator, "validator");
    this.clock = Objects.requireNonNull(clock, "clock");
    byte[] id = new byte[8];
    crypto.secureRandom().nextBytes(id);
    this.sessionId = Hex.encode(id);
    this.startedAt = clock.instant();
  }

  /** This session's ledger key. */
  public String sessionId() {
    return sessionId;
  }

  /** The validated terminal certificate, once S2 passed. */
  public Optional<X509Certificate> terminalCertificate() {
    return Optional.ofNullable(krdChain).map(CertificateChain::leaf);
  }

  /** The KCV of the key issued in this session, once S4 ran. */
  public Optional<KeyCheckValue> issuedKcv() {
    return Optional.ofNullable(issuedKcv);
  }

  public Optional<KeyBlockHeader> issuedHeader() {
    return Optional.ofNullable(issuedHeader);
  }

  /** The ledger entries of the working keys sent in this session (their status as last known). */
  public List<LedgerEntry> workingKeyEntries() {
    List<LedgerEntry> out = new ArrayList<>();
    for (LedgerEntry e : workingKeyEntries) {
      out.add(host.ledger().find(e.sessionId()).orElse(e));
    }
    return out;
  }

  /** The terminal reports its binding change (TR-34 B.10, B.11, B.13, B.14). */
  private Step<State> onBindingUpdated(BindingUpdated b) {
    log.info(
        "KDH session {}: {} {}",
        sessionId,
        LogArgs.subject(krdChain.leaf()),
        b.rebound() ? "rebound to the new KDH" : "unbound");
    return Step.quietlyTo(State.COMPLETED);
  }

  /** S2 and S3: validate the terminal for role KRD and the device policy; send CT-KDH. */
  private Step<State> onKrdCredential(KrdCredentialToken token) throws KeyTransferException {
    CertificateChain validated = validator.validate(token.chain(), Role.KRD, List.of());
    host.devicePolicy().authorize(validated.leaf());
    krdChain = validated;
    // read while CT-KDH travels and the terminal validates it; used before a key is chosen
    attempts =
        host.ledger()
            .beginAttemptsSince(
                IssuerAndSerial.of(validated.leaf()),
                clock.instant().minus(deliveryLimit.window()));
    log.info(
        "KDH session {} validated KRD {} serial {}",
        sessionId,
        LogArgs.subject(validated.leaf()),
        LogArgs.serial(validated.leaf()));
    return Step.to(
        State.AWAIT_RANDOM_TOKEN, codec.encodeKdhCredential(host.certificateChain(), host.crls()));
  }

  /** The operation chosen for this terminal in this session, once S4 began. */
  public Optional<HostOperation> operation() {
    return Optional.ofNullable(operation);
  }

  /** S4: only now, after a fresh nonce in this session, choose the key and build the key token. */
  private Step<State> onRandomToken(KrdRandomToken token) throws KeyTransferException {
    X509Certificate krd = krdChain.leaf();
    operation = Objects.requireNonNull(operations.choose(krd), "operation");
    X509Certificate kdh = host.certificateChain().leaf();
    IssuerAndSerial krdId = IssuerAndSerial.of(krd);
    Algorithms.Curve curve = Algorithms.Curve.of(kdh.getPublicKey());
    if (curve != null
        && !(operation instanceof HostOperation.DeliverKey)
        && !(operation instanceof HostOperation.RelayAuthorityToken)) {
      // TR-34's one-pass, unbind and rebind tokens are RSA CMS: not in the ECDH mode's version 1
      throw new KeyTransferException(
          ErrorCode.CRYPTO_FAILURE,
          "an EC host delivers keys two-pass only; "
              + operation.auditName()
              + " needs an RSA host key (docs/ECDH.md)");
    }
    if (operation instanceof HostOperation.Unbind) {
      log.info("KDH session {} unbinds {}", sessionId, LogArgs.subject(krd));
      return Step.to(
          State.AWAIT_BINDING_UPDATE,
          codec.buildKdhUnbindToken(kdh, host.signingKey(), krdId, token.nonce(), host.crls()));
    }
    if (operation instanceof HostOperation.Rebind r) {
      log.info(
          "KDH session {} rebinds {} to {}",
          sessionId,
          LogArgs.subject(krd),
          LogArgs.subject(r.newKdh().leaf()));
      return Step.to(
          State.AWAIT_BINDING_UPDATE,
          codec.buildKdhRebindToken(
              kdh, host.signingKey(), krdId, token.nonce(), r.newKdh(), host.crls()));
    }
    if (operation instanceof HostOperation.RelayAuthorityToken relay) {
      log.info(
          "KDH session {} relays a {} to {}",
          sessionId,
          relay.token().type(),
          LogArgs.subject(krd));
      return Step.to(State.AWAIT_BINDING_UPDATE, relay.token());
    }
    boolean onePass = operation instanceof HostOperation.DeliverKeyOnePass;
    byte[] kdhRandom = null;
    if (curve != null) {
      // ECDH mode (docs/ECDH.md): a two-pass delivery to a terminal on the host's curve, with a
      // terminal value that is well formed and new
      if (Algorithms.Curve.of(krd.getPublicKey()) != curve) {
        throw new KeyTokenException(
            ErrorCode.ECDH_CURVE_MISMATCH, "terminal key is not an EC key on the host's " + curve);
      }
      EcdhSettings.checkFreshValue(token.nonce().bytes(), "the terminal's");
    } else if (!"RSA".equals(krd.getPublicKey().getAlgorithm())) {
      throw new KeyTokenException(
          ErrorCode.ECDH_CURVE_MISMATCH,
          "terminal key is not an RSA key; the ECDH mode needs an EC host key on its curve");
    }
    admitDelivery(krdId);
    if (curve != null) {
      // remembered only once the device's delivery limit admitted the session
      ecdh.seen().remember(Bytes.copyOf(token.nonce().bytes()), "the terminal's");
      kdhRandom = new byte[EcdhSettings.FRESH_VALUE_LENGTH];
      Nonce.fillWithoutZeroBytes(crypto.secureRandom(), kdhRandom);
    }
    try (DeliverableKey key = host.keySource().keyFor(krd)) {
      KeyBlockHeader header = key.header();
      header.checkInstallable(key.key().length());
      if (curve == null) {
        KeyBlockChecks.checkWrappingStrength(krd, header, key.key().length()); // K2
      } else {
        header = KeyBlockChecks.forEcdh(header);
        KeyBlockChecks.checkCurveStrength(curve, header, key.key().length()); // K2
      }
      KeyCheckValue kcv = crypto.keyCheckValue(key.key(), header.kcvMethod());
      KeyTokenRequest.Freshness freshness =
          onePass
              ? new KeyTokenRequest.OnePass(clock.instant())
              : new KeyTokenRequest.TwoPass(token.nonce());
      // the delivery is recorded while the token is built, and durable before the token leaves
      KeyLedger.Recording recording =
          host.ledger()
              .beginRecordDelivered(
                  LedgerEntry.delivered(
                      sessionId,
                      krdId,
                      krd.getSubjectX500Principal().getName(),
                      header,
                      kcv,
                      clock.instant()));
      HandshakeMessage kt;
      try {
        kt =
            curve == null
                ? codec.buildKeyToken(
                    new KeyTokenRequest(
                        kdh, host.signingKey(), krd, freshness, header, key.key(), host.crls()))
                : codec.buildEcdhKeyToken(
                    new EcdhKeyRequest(
                        kdh,
                        host.signingKey(),
                        krd,
                        token.nonce(),
                        kdhRandom,
                        ecdh.kdf(),
                        ecdh.hashFor(curve),
                        header,
                        key.key()));
      } catch (KeyTransferException | RuntimeException e) {
        recording.awaitQuietly(); // an open delivery whose token never left: it expires
        throw e;
      }
      recording.await();
      issuedKcv = kcv;
      issuedHeader = header;
      if (workingKeys != null) {
        masterKey = key.key().copy(); // protects the working keys; wiped once they are wrapped
      }
      log.info(
          "KDH session {} issued key {} to {}",
          sessionId,
          header.usageSummary(),
          LogArgs.subject(krd));
      return Step.to(State.AWAIT_CONFIRMATION, kt);
    }
  }

  /**
   * The terminal holds a master key from this host whose confirmation was never acknowledged. The
   * ledger decides, within the device's delivery limit: if one of this terminal's open (DELIVERED)
   * master-key deliveries, or its latest CONFIRMED one, has that KCV, it is (now) CONFIRMED, the
   * older open ones are superseded, and the terminal makes it current; otherwise the terminal
   * discards it. A report that matches nothing changes no delivery (CT-KRD proves nothing: a peer
   * holding only the terminal's certificate must not be able to make it lose a key) but counts
   * against the device's delivery limit, which bounds how many KCVs such a peer can try
   * (docs/SECURITY.md A5).
   */
  private Step<State> onPendingKey(PendingKey pending) throws KeyTransferException {
    X509Certificate krd = krdChain.leaf();
    IssuerAndSerial krdId = IssuerAndSerial.of(krd);
    admitDelivery(krdId); // a peer over the limit gets no more KCV guesses (it keeps no key)
    LedgerEntry match = null;
    for (LedgerEntry e : host.ledger().openDeliveries(krdId)) {
      if (e.kcv().matches(pending.kcv())) {
        match = e;
      }
    }
    if (match != null) {
      confirm(match.sessionId(), Optional.empty());
    } else {
      // confirmed, but the terminal never got the acknowledgement; deliveries after it that are
      // still open do not hide it (a peer with the certificate alone can open one)
      LedgerEntry confirmed = host.ledger().latestConfirmed(krdId).orElse(null);
      if (confirmed != null && confirmed.kcv().matches(pending.kcv())) {
        match = confirmed;
      } else {
        host.ledger()
            .recordRefusedReport(
                krdId, krd.getSubjectX500Principal().getName(), pending.kcv(), clock.instant());
      }
    }
    log.info(
        "KDH session {}: {} reports pending key {}; {}",
        sessionId,
        LogArgs.subject(krd),
        pending.kcv(),
        match != null
            ? "confirmed from session " + match.sessionId()
            : "not confirmed: discard it");
    return Step.to(
        State.AWAIT_RANDOM_AFTER_PENDING, new KeyConfirmed(match != null, pending.kcv()));
  }

  /**
   * The terminal confirmed open delivery {@code session}: CONFIRMED. It holds that key and no
   * earlier one from this host (installing a master key supersedes the one before, docs/SECURITY.md
   * K7), so every earlier open delivery to it is REJECTED. Authenticated by the KCV, unlike a new
   * session. With {@code closing}, this session's audit record goes in the same ledger step (one
   * transaction on a database).
   */
  private void confirm(String session, Optional<SessionRecord> closing)
      throws KeyTransferException {
    List<String> superseded = host.ledger().confirm(session, closing);
    sessionRecorded |= closing.isPresent();
    for (String s : superseded) {
      log.info("KDH session {} supersedes unconfirmed delivery {}", sessionId, s);
    }
  }

  private Step<State> onKeyInstalled(KeyInstalled confirmation) throws KeyTransferException {
    try {
      if (!issuedKcv.matches(confirmation.kcv())) {
        host.ledger().updateStatus(sessionId, DeliveryStatus.REJECTED);
        throw new KeyTransferException(
            ErrorCode.KCV_MISMATCH, "terminal confirmed a different key check value");
      }
      // without working keys this is the session's last step: its audit record goes with it
      confirm(
          sessionId,
          confirmation.wantsWorkingKeys()
              ? Optional.empty()
              : Optional.of(sessionRecord(Optional.empty())));
      log.info("KDH session {} confirmed: {}", sessionId, LogArgs.subject(krdChain.leaf()));
      if (!confirmation.wantsWorkingKeys()) {
        if (workingKeys != null) {
          log.warn(
              "KDH session {}: the terminal did not ask for working keys; none sent", sessionId);
        }
        // the acknowledgement: only now does the terminal make the key current (docs/SECURITY.md
        // K7)
        return Step.to(State.COMPLETED, new KeyConfirmed(true, issuedKcv));
      }
      return Step.to(State.AWAIT_WORKING_KEY_RESULTS, new WorkingKeys(wrapWorkingKeys()));
    } finally {
      wipeMasterKey();
    }
  }

  /**
   * Wraps each working key under the master key and records it DELIVERED (ledger session {@code
   * <session>/<n>}). A key the host cannot wrap is recorded REJECTED and not sent.
   */
  private List<String> wrapWorkingKeys() throws KeyTransferException {
    List<String> blocks = new ArrayList<>();
    if (workingKeys == null) {
      return blocks;
    }
    X509Certificate krd = krdChain.leaf();
    List<DeliverableKey> keys = workingKeys.workingKeysFor(krd);
    try {
      if (keys.size() > WorkingKeys.MAX_KEYS) {
        throw new InternalErrorException("at most " + WorkingKeys.MAX_KEYS + " working keys");
      }
      int n = 0;
      for (DeliverableKey k : keys) {
        n++;
        KeyCheckValue kcv = crypto.keyCheckValue(k.key(), k.header().kcvMethod());
        LedgerEntry entry =
            LedgerEntry.delivered(
                LedgerEntry.workingKeySession(sessionId, n),
                IssuerAndSerial.of(krd),
                krd.getSubjectX500Principal().getName(),
                k.header(),
                kcv,
                clock.instant());
        host.ledger().recordDelivered(entry);
        try {
          k.header().checkInstallable(k.key().length());
          blocks.add(workingKeyWrapper.wrap(masterKey, k.header(), k.key()));
          workingKeyEntries.add(entry);
        } catch (KeyTransferException e) {
          host.ledger().updateStatus(entry.sessionId(), DeliveryStatus.REJECTED);
          log.warn(
              "KDH session {} cannot send working key {} ({}): {}",
              sessionId,
              n,
              k.header().usageSummary(),
              e.code());
        }
      }
    } finally {
      keys.forEach(DeliverableKey::close);
    }
    log.info("KDH session {} sends {} working keys", sessionId, blocks.size());
    return blocks;
  }

  private Step<State> onWorkingKeysInstalled(WorkingKeysInstalled results)
      throws KeyTransferException {
    if (results.results().size() != workingKeyEntries.size()) {
      for (LedgerEntry e : workingKeyEntries) {
        host.ledger().updateStatus(e.sessionId(), DeliveryStatus.REJECTED);
      }
      throw new MalformedTokenException(
          ErrorCode.MALFORMED_FRAME,
          "terminal reported "
              + results.results().size()
              + " working keys, "
              + workingKeyEntries.size()
              + " were sent");
    }
    int confirmed = 0;
    for (int i = 0; i < workingKeyEntries.size(); i++) {
      LedgerEntry e = workingKeyEntries.get(i);
      WorkingKeysInstalled.Result r = results.results().get(i);
      boolean ok = r.kcv().isPresent() && e.kcv().matches(r.kcv().get());
      host.ledger()
          .updateStatus(e.sessionId(), ok ? DeliveryStatus.CONFIRMED : DeliveryStatus.REJECTED);
      if (ok) {
        confirmed++;
      } else {
        log.warn(
            "KDH session {} working key {} rejected by the terminal: {}",
            sessionId,
            i + 1,
            r.failure().map(Enum::name).orElse(ErrorCode.KCV_MISMATCH.name()));
      }
    }
    log.info(
        "KDH session {} completed: {} of {} working keys confirmed",
        sessionId,
        confirmed,
        workingKeyEntries.size());
    return Step.quietlyTo(State.COMPLETED);
  }

  /**
   * Before a key is chosen: refuse a device over the delivery limit (docs/SECURITY.md A5). An open
   * delivery is not superseded here: a new session proves nothing about the device, so only its
   * confirmation (or the expiry) closes the deliveries before it.
   */
  private void admitDelivery(IssuerAndSerial krdId) throws KeyTransferException {
    KeyLedger.Count count = attempts;
    attempts = null; // a second admission in this session counts afresh
    int recent =
        count != null
            ? count.await()
            : host.ledger().attemptsSince(krdId, clock.instant().minus(deliveryLimit.window()));
    if (recent >= deliveryLimit.maxDeliveries()) {
      throw new KeyTransferException(
          ErrorCode.DELIVERY_RATE_LIMITED,
          "device already had "
              + recent
              + " deliveries or refused reports in the last "
              + deliveryLimit.window()
              + "; refusing another");
    }
  }

  /** Every session, completed or failed, leaves its audit record (docs/SECURITY.md A4). */
  private SessionRecord sessionRecord(Optional<ErrorCode> error) {
    Optional<X509Certificate> krd = terminalCertificate();
    return new SessionRecord(
        sessionId,
        krd.map(IssuerAndSerial::of),
        krd.map(c -> c.getSubjectX500Principal().getName()),
        operation == null ? SessionRecord.NO_OPERATION : operation.auditName(),
        Optional.ofNullable(issuedHeader),
        Optional.ofNullable(issuedKcv),
        error,
        startedAt,
        clock.instant());
  }

  @Override
  void onCompleting() throws KeyTransferException {
    if (!sessionRecorded) {
      host.ledger().recordSession(sessionRecord(Optional.empty()));
      sessionRecorded = true;
    }
  }

  private void wipeMasterKey() {
    if (masterKey != null) {
      masterKey.destroy();
      masterKey = null;
    }
  }

  @Override
  void onFailure(State stateAtFailure, ErrorCode code) {
    wipeMasterKey();
    markRefused(stateAtFailure, code);
    if (krdChain == null || sessionRecorded) {
      // before S2 passed nobody is known: a port scan or an untrusted certificate is logged (by the
      // driver), not appended to the audit chain, which any connection could otherwise fill
      return;
    }
    try {
      host.ledger().recordSession(sessionRecord(Optional.of(code)));
    } catch (KeyTransferException | RuntimeException e) {
      log.warn("KDH session {} could not write its audit record: {}", sessionId, e.getMessage());
    }
  }

  private void markRefused(State stateAtFailure, ErrorCode code) {
    if (!code.isPublic()) {
      return; // a broken connection leaves deliveries DELIVERED: unconfirmed, never confirmed
    }
    // the terminal refused: what it was refusing is not installed there
    List<String> refused = new ArrayList<>();
    if (stateAtFailure == State.AWAIT_CONFIRMATION) {
      refused.add(sessionId);
    } else if (stateAtFailure == State.AWAIT_WORKING_KEY_RESULTS) {
      workingKeyEntries.forEach(e -> refused.add(e.sessionId()));
    }
    for (String id : refused) {
      try {
        host.ledger().updateStatus(id, DeliveryStatus.REJECTED);
      } catch (KeyTransferException | RuntimeException e) {
        log.warn(
            "KDH session {} could not mark the ledger REJECTED: {}", sessionId, e.getMessage());
      }
    }
  }

  @Override
  String sessionLabel() {
    return sessionId;
  }
}
