package dev.keytransfer.crypto.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyBlockHeader;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Nonce;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.UnexpectedMessageException;
import dev.keytransfer.core.handshake.EcdhSettings;
import dev.keytransfer.core.handshake.Handshakes;
import dev.keytransfer.core.handshake.HostOperation;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.message.Abort;
import dev.keytransfer.core.message.BindingUpdated;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.KeyConfirmed;
import dev.keytransfer.core.message.KeyInstalled;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.message.PendingKey;
import dev.keytransfer.core.spi.Algorithms;
import dev.keytransfer.core.spi.DeliverableKey;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.EcdhKeyRequest;
import dev.keytransfer.core.spi.KeyTokenRequest;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.keyblock.Tr31KeyBlockWrapper;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import dev.keytransfer.crypto.testing.TestPki;
import dev.keytransfer.crypto.tr34.Tr34TokenCodec;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every (state × message) pair of both state machines (docs/DESIGN.md, "State machines"): the pairs
 * in the transition table advance to their target state with real TR-34 tokens; every other pair is
 * refused with UNEXPECTED_MESSAGE and leaves the machine FAILED (a COMPLETED machine stays
 * COMPLETED: its key is installed and confirmed). Nothing is installed by a refused message.
 */
class HandshakeTransitionsTest {
  private static TestPki pki;
  private static TestPki.Leaf kdhLeaf;
  private static TestPki.Leaf krdLeaf;
  private static final BcCryptoProvider crypto = new BcCryptoProvider();
  private static final Tr34TokenCodec codec = new Tr34TokenCodec(crypto);

  /** One message of each type, taken from a completed session. */
  private static final Map<MessageType, HandshakeMessage> samples =
      new EnumMap<>(MessageType.class);

  /** A terminal and a host machine wired to each other, with the message in flight. */
  private static final class Pair {
    Pair() throws KeyTransferException {
      this(HostOperation.deliverKey());
    }

    Pair(HostOperation op) throws KeyTransferException {
      this(op, pki.terminal(krdLeaf), new InMemoryKeyLedger(), true);
    }

    /** {@code workingKeys}: the terminal asks for working keys (every state but one reachable). */
    Pair(
        HostOperation op, ReceivingTerminal terminal, InMemoryKeyLedger ledger, boolean workingKeys)
        throws KeyTransferException {
      this.terminal = terminal;
      this.ledger = ledger;
      this.krd =
          Handshakes.terminal(
              terminal,
              crypto,
              codec,
              new PkixCertificateValidator(pki.terminalPolicy()),
              Clock.systemUTC(),
              new KrdHandshake.Options(
                  workingKeys ? new Tr31KeyBlockWrapper(crypto) : null,
                  null,
                  KrdHandshake.Options.DEFAULT_ONE_PASS_WINDOW,
                  true)); // UBT-CA admitted, so that its row is reachable
      kdh =
          Handshakes.host(
              pki.host(
                  kdhLeaf,
                  pki::kdhPathCrls,
                  RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                  ledger),
              crypto,
              codec,
              new PkixCertificateValidator(pki.hostPolicy()),
              Clock.systemUTC(),
              new KdhHandshake.Options(
                  device ->
                      List.of(
                          new DeliverableKey(
                              KeyBlockHeader.parse("B0000P0TE00N0000"),
                              SecretKeyMaterial.copyOf(
                                  new byte[] {
                                    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
                                  }))),
                  new Tr31KeyBlockWrapper(crypto),
                  krd -> op));
    }

    final ReceivingTerminal terminal;
    final InMemoryKeyLedger ledger;
    final KrdHandshake krd;
    final KdhHandshake kdh;
    HandshakeMessage pending;

    /** KRD step: feed the pending host message to the terminal. */
    void toTerminal() throws KeyTransferException {
      pending = krd.onMessage(pending).orElse(null);
    }

    void toHost() throws KeyTransferException {
      pending = kdh.onMessage(pending).orElse(null);
    }

    void start() throws KeyTransferException {
      pending = krd.start();
    }
  }

  @BeforeAll
  static void setUp() throws Exception {
    pki = TestPki.create("Transitions");
    kdhLeaf = pki.validLeaf(Role.KDH, "Transitions KDH");
    krdLeaf = pki.validLeaf(Role.KRD, "Transitions KRD");
    Pair p = new Pair();
    p.start();
    samples.put(MessageType.KRD_CREDENTIAL, p.pending);
    p.toHost();
    samples.put(MessageType.KDH_CREDENTIAL, p.pending);
    p.toTerminal();
    samples.put(MessageType.KRD_RANDOM, p.pending);
    p.toHost();
    samples.put(MessageType.KDH_KEY, p.pending);
    p.toTerminal();
    samples.put(MessageType.KEY_INSTALLED, p.pending);
    p.toHost();
    samples.put(MessageType.WORKING_KEYS, p.pending);
    p.toTerminal();
    samples.put(MessageType.WORKING_KEYS_INSTALLED, p.pending);
    p.toHost();
    samples.put(MessageType.ABORT, new Abort(ErrorCode.CERTIFICATE_UNTRUSTED));
    samples.put(MessageType.BINDING_UPDATED, new BindingUpdated(false));
    KeyCheckValue kcv = ((KeyInstalled) samples.get(MessageType.KEY_INSTALLED)).kcv();
    samples.put(MessageType.KEY_CONFIRMED, new KeyConfirmed(true, kcv));
    samples.put(MessageType.PENDING_KEY, new PendingKey(kcv));
    // one sample each of the one-pass, unbind and rebind tokens (TR-34 B.8, B.10, B.11, B.13, B.14)
    IssuerAndSerial krdId = IssuerAndSerial.of(krdLeaf.certificate());
    IssuerAndSerial kdhId = IssuerAndSerial.of(kdhLeaf.certificate());
    Nonce nonce = Nonce.random(crypto.secureRandom());
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(new byte[16])) {
      samples.put(
          MessageType.KDH_KEY_ONE_PASS,
          codec.buildKeyToken(
              KeyTokenRequest.onePass(
                  kdhLeaf.certificate(),
                  kdhLeaf.key(),
                  krdLeaf.certificate(),
                  Instant.now(),
                  KeyBlockHeader.parse("A0000K0TB00E0000"),
                  k,
                  List.of())));
    }
    // and one KT-KDH-ECDH (docs/ECDH.md), between EC leaves of the same PKI
    TestPki.Leaf kdhEc = pki.ecLeaf(Role.KDH, "Transitions KDH EC", Algorithms.Curve.P256);
    TestPki.Leaf krdEc = pki.ecLeaf(Role.KRD, "Transitions KRD EC", Algorithms.Curve.P256);
    byte[] kdhRandom = new byte[EcdhSettings.FRESH_VALUE_LENGTH];
    Nonce.fillWithoutZeroBytes(crypto.secureRandom(), kdhRandom);
    try (SecretKeyMaterial k = SecretKeyMaterial.copyOf(new byte[16])) {
      samples.put(
          MessageType.KDH_ECDH_KEY,
          codec.buildEcdhKeyToken(
              new EcdhKeyRequest(
                  kdhEc.certificate(),
                  kdhEc.key(),
                  krdEc.certificate(),
                  Nonce.randomWithoutZeroBytes(crypto.secureRandom()),
                  kdhRandom,
                  Algorithms.Kdf.NIST_SP800,
                  Algorithms.Hash.SHA256,
                  KeyBlockHeader.parse("D0000K0TB00E0000"),
                  k)));
    }
    samples.put(
        MessageType.KDH_UNBIND,
        codec.buildKdhUnbindToken(kdhLeaf.certificate(), kdhLeaf.key(), krdId, nonce, List.of()));
    samples.put(
        MessageType.CA_UNBIND,
        codec.buildCaUnbindToken(kdhLeaf.certificate(), kdhLeaf.key(), krdId, kdhId));
    samples.put(
        MessageType.KDH_REBIND,
        codec.buildKdhRebindToken(
            kdhLeaf.certificate(), kdhLeaf.key(), krdId, nonce, kdhLeaf.chain(), List.of()));
    samples.put(
        MessageType.CA_REBIND,
        codec.buildCaRebindToken(
            kdhLeaf.certificate(),
            kdhLeaf.key(),
            krdId,
            kdhId,
            kdhLeaf.chain(),
            Instant.now(),
            List.of()));
    assertThat(p.kdh.state()).isEqualTo(KdhHandshake.State.COMPLETED);
    assertThat(p.krd.state()).isEqualTo(KrdHandshake.State.COMPLETED);
    assertThat(p.ledger.entries()).hasSize(2).allMatch(e -> e.status() == DeliveryStatus.CONFIRMED);
    assertThat(p.terminal.keyStore().size()).isEqualTo(2);
  }

  /**
   * Terminal steps: start, then alternately host and terminal, until the terminal is in {@code s}.
   */
  private static final List<KrdHandshake.State> TERMINAL_PATH =
      List.of(
          KrdHandshake.State.START,
          KrdHandshake.State.AWAIT_KDH_CREDENTIAL,
          KrdHandshake.State.AWAIT_KEY_TOKEN,
          KrdHandshake.State.AWAIT_WORKING_KEYS,
          KrdHandshake.State.COMPLETED);

  private static final List<KdhHandshake.State> HOST_PATH =
      List.of(
          KdhHandshake.State.AWAIT_KRD_CREDENTIAL,
          KdhHandshake.State.AWAIT_RANDOM_TOKEN,
          KdhHandshake.State.AWAIT_CONFIRMATION,
          KdhHandshake.State.AWAIT_WORKING_KEY_RESULTS,
          KdhHandshake.State.COMPLETED);

  /**
   * A pair whose terminal holds a master key from the host whose acknowledgement was lost (the
   * ledger shows it CONFIRMED), about to start its next session.
   */
  private static Pair withPendingKey() throws KeyTransferException {
    Pair first =
        new Pair(HostOperation.deliverKey(), pki.terminal(krdLeaf), new InMemoryKeyLedger(), false);
    first.start();
    first.toHost();
    first.toTerminal();
    first.toHost();
    first.toTerminal(); // KEY_INSTALLED; the key is pending
    first.toHost(); // the host's KEY_CONFIRMED is lost
    assertThat(first.krd.state()).isEqualTo(KrdHandshake.State.AWAIT_KEY_CONFIRMED);
    return new Pair(HostOperation.deliverKey(), first.terminal, first.ledger, true);
  }

  /** A pair whose terminal machine is in {@code s}, with the host's next message pending. */
  private static Pair terminalIn(KrdHandshake.State s) throws KeyTransferException {
    Pair p =
        switch (s) {
          case AWAIT_KEY_CONFIRMED ->
              new Pair(
                  HostOperation.deliverKey(),
                  pki.terminal(krdLeaf),
                  new InMemoryKeyLedger(),
                  false);
          case AWAIT_PENDING_RESOLUTION -> withPendingKey();
          default -> new Pair();
        };
    if (s == KrdHandshake.State.FAILED) {
      p.start();
      p.krd.fail(ErrorCode.TRANSPORT_FAILURE);
    } else if (s != KrdHandshake.State.START) {
      p.start();
      p.toHost();
      while (p.krd.state() != s) {
        p.toTerminal();
        p.toHost();
      }
    }
    assertThat(p.krd.state()).isEqualTo(s);
    return p;
  }

  /** A pair whose host machine is in {@code s}, with the terminal's next message pending. */
  private static Pair hostIn(KdhHandshake.State s) throws KeyTransferException {
    // the binding branch is reached when the host unbinds instead of delivering a key
    Pair p =
        s == KdhHandshake.State.AWAIT_BINDING_UPDATE
            ? new Pair(new HostOperation.Unbind())
            : s == KdhHandshake.State.AWAIT_RANDOM_AFTER_PENDING ? withPendingKey() : new Pair();
    p.start();
    if (s == KdhHandshake.State.FAILED) {
      p.kdh.fail(ErrorCode.TRANSPORT_FAILURE);
    } else {
      while (p.kdh.state() != s) {
        p.toHost();
        if (p.pending != null) {
          p.toTerminal(); // the terminal's answer is what the host receives next
        }
      }
    }
    assertThat(p.kdh.state()).isEqualTo(s);
    return p;
  }

  @Test
  void terminal_everyStateAndMessage_followsTheTransitionTable() throws Exception {
    int accepted = 0;
    int refused = 0;
    for (KrdHandshake.State s : KrdHandshake.State.values()) {
      for (MessageType t : MessageType.values()) {
        Pair p = terminalIn(s);
        int keysBefore = p.terminal.keyStore().size();
        List<KrdHandshake.State> targets = KrdHandshake.targets(s, t);
        Optional<KrdHandshake.State> target = KrdHandshake.next(s, t);
        boolean natural =
            target.isPresent()
                && t != MessageType.ABORT
                && p.pending != null
                && p.pending.type() == t;
        HandshakeMessage m = natural ? p.pending : samples.get(t);
        assertThat(m.type()).as("message for %s/%s", s, t).isEqualTo(t);
        Throwable thrown = catchThrowable(() -> p.krd.onMessage(m));
        if (target.isPresent()) {
          accepted++;
          if (t == MessageType.ABORT) {
            assertThat(((KeyTransferException) thrown).code())
                .isEqualTo(ErrorCode.PEER_REFUSED_CERTIFICATE); // an exact code, read as its class
            assertThat(p.krd.state()).as("%s/%s", s, t).isIn(targets);
          } else if (natural) {
            assertThat(thrown).as("%s/%s", s, t).isNull();
            assertThat(p.krd.state()).as("%s/%s", s, t).isIn(targets);
          } else {
            // admitted by the table, then judged on content: a token from another session is
            // refused for what it says, never as an unexpected message
            if (thrown != null) {
              assertThat(thrown)
                  .as("%s/%s", s, t)
                  .isNotInstanceOf(UnexpectedMessageException.class);
            }
            assertThat(p.krd.state().name())
                .as("%s/%s", s, t)
                .isIn(
                    java.util.stream.Stream.concat(
                            targets.stream().map(Enum::name), java.util.stream.Stream.of("FAILED"))
                        .toList());
          }
        } else {
          refused++;
          assertThat(thrown).as("%s/%s", s, t).isInstanceOf(UnexpectedMessageException.class);
          assertThat(((KeyTransferException) thrown).code())
              .isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
          assertThat(p.krd.state())
              .as("%s/%s", s, t)
              .isEqualTo(
                  s == KrdHandshake.State.COMPLETED
                      ? KrdHandshake.State.COMPLETED
                      : KrdHandshake.State.FAILED);
          assertThat(p.terminal.keyStore().size()).isEqualTo(keysBefore);
        }
      }
    }
    assertThat(accepted + refused)
        .isEqualTo(KrdHandshake.State.values().length * MessageType.values().length);
    assertThat(accepted).isEqualTo(16); // KT-KDH-ECDH included, admitted where KT-KDH is
  }

  @Test
  void host_everyStateAndMessage_followsTheTransitionTable() throws Exception {
    int accepted = 0;
    for (KdhHandshake.State s : KdhHandshake.State.values()) {
      for (MessageType t : MessageType.values()) {
        Pair p = hostIn(s);
        List<KdhHandshake.State> targets = KdhHandshake.targets(s, t);
        Optional<KdhHandshake.State> target = KdhHandshake.next(s, t);
        boolean natural =
            target.isPresent()
                && t != MessageType.ABORT
                && p.pending != null
                && p.pending.type() == t;
        HandshakeMessage m = natural ? p.pending : samples.get(t);
        assertThat(m.type()).as("message for %s/%s", s, t).isEqualTo(t);
        Throwable thrown = catchThrowable(() -> p.kdh.onMessage(m));
        if (target.isPresent()) {
          accepted++;
          if (t == MessageType.ABORT) {
            assertThat(((KeyTransferException) thrown).code())
                .isEqualTo(ErrorCode.PEER_REFUSED_CERTIFICATE); // an exact code, read as its class
            assertThat(p.kdh.state()).as("%s/%s", s, t).isIn(targets);
          } else if (natural) {
            assertThat(thrown).as("%s/%s", s, t).isNull();
            assertThat(p.kdh.state()).as("%s/%s", s, t).isIn(targets);
          } else {
            // admitted by the table, then judged on content: a token from another session is
            // refused for what it says, never as an unexpected message
            if (thrown != null) {
              assertThat(thrown)
                  .as("%s/%s", s, t)
                  .isNotInstanceOf(UnexpectedMessageException.class);
            }
            assertThat(p.kdh.state().name())
                .as("%s/%s", s, t)
                .isIn(
                    java.util.stream.Stream.concat(
                            targets.stream().map(Enum::name), java.util.stream.Stream.of("FAILED"))
                        .toList());
          }
        } else {
          assertThat(thrown).as("%s/%s", s, t).isInstanceOf(UnexpectedMessageException.class);
          assertThat(p.kdh.state())
              .as("%s/%s", s, t)
              .isEqualTo(
                  s == KdhHandshake.State.COMPLETED
                      ? KdhHandshake.State.COMPLETED
                      : KdhHandshake.State.FAILED);
        }
        // the ledger never shows a key as confirmed unless its confirmation arrived
        boolean masterConfirmed =
            s != KdhHandshake.State.AWAIT_BINDING_UPDATE
                    && HOST_PATH.indexOf(p.kdh.state())
                        >= HOST_PATH.indexOf(KdhHandshake.State.AWAIT_WORKING_KEY_RESULTS)
                || (p.kdh.state() == KdhHandshake.State.FAILED && HOST_PATH.indexOf(s) >= 3);
        assertThat(
                p.ledger
                    .find(p.kdh.sessionId())
                    .map(e -> e.status() == DeliveryStatus.CONFIRMED)
                    .orElse(false))
            .as("%s/%s", s, t)
            .isEqualTo(masterConfirmed);
      }
    }
    assertThat(accepted).isEqualTo(13);
  }

  @Test
  void host_abortAfterDelivery_marksLedgerRejected() throws Exception {
    Pair p = hostIn(KdhHandshake.State.AWAIT_CONFIRMATION);
    assertThatThrownBy(() -> p.kdh.onMessage(new Abort(ErrorCode.PEER_REFUSED_TOKEN)))
        .extracting(e -> ((KeyTransferException) e).code())
        .isEqualTo(ErrorCode.PEER_REFUSED_TOKEN);
    assertThat(p.ledger.entries())
        .singleElement()
        .extracting(e -> e.status())
        .isEqualTo(DeliveryStatus.REJECTED);
  }

  @Test
  void terminal_startTwice_isAProgrammingError() throws Exception {
    Pair p = new Pair();
    p.start();
    assertThatThrownBy(p::start).isInstanceOf(IllegalStateException.class);
  }
}
