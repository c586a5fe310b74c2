package dev.keytransfer.core.handshake;

import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.NonceMismatchException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.spi.KeyBlockWrapper;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.message.WorkingKeysInstalled;
import dev.keytransfer.core.message.WorkingKeys;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.SignatureInvalidException;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.KdhCredentialToken;
import dev.keytransfer.core.message.KdhKeyToken;
import dev.keytransfer.core.message.KeyInstalled;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.CertificateValidator;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.KeyBlock;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.spi.TokenCodec;
import dev.keytransfer.core.spi.VerifiedKeyToken;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving terminal's (KRD's) side of S2-S4 as one state machine (TR-34 clause 5.4, B.7, B.6,
 * B.12, B.9). It owns the freshness rule: it remembers the nonce it sent in this session and accepts
 * only a key token, signed by the KDH it bound to in S3, that echoes that nonce. It checks, in order
 * (PROTOCOL.md): signer is the bound KDH, signature, CRL, nonce, then decrypts, then idKDH and
 * header, and installs only when every check passed. One instance per session; not thread-safe.
 *
 * <pre>
 *  START --start()--------------------> AWAIT_KDH_CREDENTIAL   sends CT-KRD        (S2)
 *  AWAIT_KDH_CREDENTIAL --CT-KDH------> AWAIT_KEY_TOKEN        validates, binds, sends RT-KRD (S3, S4)
 *  AWAIT_KEY_TOKEN --KT-KDH-----------> COMPLETED              verifies, installs, sends KEY_INSTALLED
 *                                   or AWAIT_WORKING_KEYS     (a terminal that expects working keys)
 *  AWAIT_WORKING_KEYS --WORKING_KEYS--> COMPLETED              unwraps each under the new master key,
 *                                                              installs, sends WORKING_KEYS_INSTALLED
 *  any other (state, message) --------> FAILED (absorbing)
 * </pre>
 */
public final class KrdHandshake extends AbstractHandshake<KrdHandshake.State> {
  private static final Logger log = LoggerFactory.getLogger(KrdHandshake.class);

  /** States, named after the step the terminal waits for. */
  public enum State {
    START,
    AWAIT_KDH_CREDENTIAL,
    AWAIT_KEY_TOKEN,
    AWAIT_WORKING_KEYS,
    COMPLETED,
    FAILED
  }

  /** The one transition table: (state, received message type) to next state. */
  private static final Map<State, Map<MessageType, List<State>>> TRANSITIONS = table(State.class,
      new Row<>(State.AWAIT_KDH_CREDENTIAL, MessageType.KDH_CREDENTIAL, State.AWAIT_KEY_TOKEN),
      new Row<>(State.AWAIT_KDH_CREDENTIAL, MessageType.ABORT, State.FAILED),
      new Row<>(State.AWAIT_KEY_TOKEN, MessageType.KDH_KEY, State.COMPLETED, State.AWAIT_WORKING_KEYS),
      new Row<>(State.AWAIT_KEY_TOKEN, MessageType.ABORT, State.FAILED),
      new Row<>(State.AWAIT_WORKING_KEYS, MessageType.WORKING_KEYS, State.COMPLETED),
      new Row<>(State.AWAIT_WORKING_KEYS, MessageType.ABORT, State.FAILED));

  /** The default next state for a received message, or empty if {@code state} does not accept it. */
  public static Optional<State> next(State state, MessageType received) {
    return targets(state, received).stream().findFirst();
  }

  /** Every next state the table admits for a received message (default first); empty if refused. */
  public static List<State> targets(State state, MessageType received) {
    return AbstractHandshake.targets(TRANSITIONS, state, received);
  }


  private final ReceivingTerminal terminal;
  private final CryptoProvider crypto;
  private final TokenCodec codec;
  private final CertificateValidator validator;
  private final Clock clock;
  private final KeyBlockWrapper workingKeyWrapper;

  private CertificateChain kdhChain;
  private SecretKeyMaterial masterKey;
  private List<X509CRL> kdhCrls = List.of();
  private Nonce nonce;
  private KeyReceipt receipt;

  public KrdHandshake(
      ReceivingTerminal terminal, CryptoProvider crypto, TokenCodec codec, CertificateValidator validator, Clock clock) {
    this(terminal, crypto, codec, validator, clock, null);
  }

  /**
   * A terminal that, after its master key, expects working keys wrapped under it; {@code
   * workingKeyWrapper} null means it expects none.
   */
  public KrdHandshake(ReceivingTerminal terminal, CryptoProvider crypto, TokenCodec codec,
      CertificateValidator validator, Clock clock, KeyBlockWrapper workingKeyWrapper) {
    super("KRD", TRANSITIONS, State.START, State.COMPLETED, State.FAILED, log);
    this.workingKeyWrapper = workingKeyWrapper;
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

  /** S2: the first message, CT-KRD with the terminal's own chain. */
  public HandshakeMessage start() throws KeyTransferException {
    if (state() != State.START) {
      throw new IllegalStateException("start() called in state " + state());
    }
    try {
      HandshakeMessage ct = codec.encodeKrdCredential(terminal.certificateChain());
      log.info("KRD session started: {}", terminal.certificateChain().leaf().getSubjectX500Principal().getName());
      moveTo(State.AWAIT_KDH_CREDENTIAL, "start");
      return ct;
    } catch (KeyTransferException | RuntimeException e) {
      throw failWith(e);
    }
  }

  @Override
  HandshakeMessage handle(HandshakeMessage message) throws KeyTransferException {
    if (message instanceof KdhCredentialToken t) {
      return onKdhCredential(t);
    }
    if (message instanceof KdhKeyToken t) {
      return onKeyToken(t);
    }
    if (message instanceof WorkingKeys w) {
      return onWorkingKeys(w);
    }
    throw new IllegalStateException("transition table admits " + message.type() + " without a handler");
  }

  /** S3: validate the KDH chain and its CRL, bind, and answer with a fresh nonce (S4 request). */
  private HandshakeMessage onKdhCredential(KdhCredentialToken token) throws KeyTransferException {
    CertificateChain validated = validator.validate(token.chain(), Role.KDH, token.crls());
    terminal.bindingStore().bind(validated.leaf());
    kdhChain = validated;
    kdhCrls = token.crls();
    nonce = Nonce.random(crypto.secureRandom());
    log.info("KRD validated and bound KDH {} serial {}",
        validated.leaf().getSubjectX500Principal().getName(), validated.leaf().getSerialNumber().toString(16));
    return codec.encodeRandomToken(nonce);
  }

  /** S4: verify, check nonce, decrypt, check, install, confirm. */
  private HandshakeMessage onKeyToken(KdhKeyToken token) throws KeyTransferException {
    X509Certificate kdh = kdhChain.leaf();
    IssuerAndSerial kdhId = IssuerAndSerial.of(kdh);
    // 1. the signer must be the bound KDH (C11)
    if (!token.claimedSigner().equals(kdhId)) {
      throw new SignatureInvalidException(ErrorCode.SIGNER_NOT_BOUND, "key token is not signed by the bound KDH");
    }
    // 2. signature over the signed attributes as received, before any decryption (P4, P6)
    VerifiedKeyToken verified = codec.verifyKeyToken(token, kdh);
    // 3. revocation, again, with any CRL the token carries (C3, C12)
    if (!verified.crls().isEmpty()) {
      List<X509CRL> all = new ArrayList<>(kdhCrls);
      all.addAll(verified.crls());
      validator.validate(kdhChain, Role.KDH, all);
    }
    // 4. the nonce this session sent (P1, P3); single use
    Nonce expected = nonce;
    nonce = null;
    if (expected == null || verified.nonce().isEmpty() || !expected.matches(verified.nonce().get())) {
      throw new NonceMismatchException(ErrorCode.NONCE_MISMATCH, "key token does not echo this session's nonce");
    }
    // 5. decrypt with the terminal's own key
    try (KeyBlock block = codec.decryptKeyToken(verified, terminal.keyTransportKey(), terminal.certificateChain().leaf())) {
      // 6-7. idKDH is the signer; the signed header equals the key block's and fits the key (P7)
      KeyBlockChecks.check(block, verified, kdhId);
      KeyCheckValue kcv = crypto.keyCheckValue(block.key(), block.header().kcvMethod());
      // 8. install (atomic in the store), then confirm with the KCV (K3)
      try (InstalledKey installed = new InstalledKey(block.header(), block.key().copy(), kcv, kdhId, clock.instant())) {
        terminal.keyStore().install(installed);
      }
      receipt = new KeyReceipt(block.header(), kcv, kdhId, kdh.getSubjectX500Principal().getName());
      log.info("KRD installed key {} from KDH {} (KCV method {})",
          block.header().usageSummary(), kdh.getSubjectX500Principal().getName(), kcv.method());
      if (workingKeyWrapper == null) {
        return new KeyInstalled(kcv);
      }
      masterKey = block.key().copy(); // the protection key of the working keys; wiped when they are in
      choose(State.AWAIT_WORKING_KEYS);
      return new KeyInstalled(kcv, true);
    }
  }

  /**
   * After S4: each working key is unwrapped under the master key just installed, checked like the
   * master key (P7), installed and confirmed with its KCV. A key that fails is reported with its code
   * and leaves the master key and the other working keys installed.
   */
  private HandshakeMessage onWorkingKeys(WorkingKeys message) throws KeyTransferException {
    List<WorkingKeysInstalled.Result> results = new ArrayList<>();
    try {
      for (String keyBlock : message.keyBlocks()) {
        try (DeliverableKey k = workingKeyWrapper.unwrap(masterKey, keyBlock)) {
          k.header().checkInstallable(k.key().length());
          KeyCheckValue kcv = crypto.keyCheckValue(k.key(), k.header().kcvMethod());
          try (InstalledKey installed = new InstalledKey(k.header(), k.key().copy(), kcv, receipt.kdh(), clock.instant())) {
            terminal.keyStore().install(installed);
          }
          results.add(WorkingKeysInstalled.Result.installed(kcv));
          log.info("KRD installed working key {}", k.header().usageSummary());
        } catch (KeyTransferException e) {
          results.add(WorkingKeysInstalled.Result.failed(e.code()));
          log.warn("KRD refused working key {} of {}: {}", results.size(), message.keyBlocks().size(), e.code());
        }
      }
    } finally {
      masterKey.destroy();
      masterKey = null;
    }
    receipt = receipt.withWorkingKeys(results);
    return new WorkingKeysInstalled(results);
  }

  @Override
  void onFailure(State stateAtFailure, ErrorCode code) {
    nonce = null;
    if (masterKey != null) {
      masterKey.destroy();
      masterKey = null;
    }
  }
}
