package dev.keytransfer.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.UnexpectedMessageException;
import dev.keytransfer.core.handshake.KdhHandshake.State;
import dev.keytransfer.core.handshake.Transitions.Trigger;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.DeliveryStatus;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The host's machine on a fake codec (docs/DESIGN.md, "State machines"): every (state, message
 * type) pair against a table written out here, and the branches a handler picks within its row.
 */
class KdhHandshakeTest {
  /** Where an admitted message leads and what the host answers (null: nothing). */
  private record Expect(State next, MessageType reply) {}

  private static final Map<State, Map<MessageType, Expect>> EXPECTED = new EnumMap<>(State.class);

  private static void row(State s, MessageType t, State next, MessageType reply) {
    EXPECTED
        .computeIfAbsent(s, k -> new EnumMap<>(MessageType.class))
        .put(t, new Expect(next, reply));
  }

  static {
    row(
        State.AWAIT_KRD_CREDENTIAL,
        MessageType.KRD_CREDENTIAL,
        State.AWAIT_RANDOM_TOKEN,
        MessageType.KDH_CREDENTIAL);
    row(
        State.AWAIT_RANDOM_TOKEN,
        MessageType.KRD_RANDOM,
        State.AWAIT_CONFIRMATION,
        MessageType.KDH_KEY);
    row(
        State.AWAIT_RANDOM_TOKEN,
        MessageType.PENDING_KEY,
        State.AWAIT_RANDOM_AFTER_PENDING,
        MessageType.KEY_CONFIRMED);
    row(
        State.AWAIT_RANDOM_AFTER_PENDING,
        MessageType.KRD_RANDOM,
        State.AWAIT_CONFIRMATION,
        MessageType.KDH_KEY);
    row(
        State.AWAIT_CONFIRMATION,
        MessageType.KEY_INSTALLED,
        State.COMPLETED,
        MessageType.KEY_CONFIRMED);
    row(State.AWAIT_WORKING_KEY_RESULTS, MessageType.WORKING_KEYS_INSTALLED, State.COMPLETED, null);
    row(State.AWAIT_BINDING_UPDATE, MessageType.BINDING_UPDATED, State.COMPLETED, null);
    for (State s : State.values()) {
      if (s != State.COMPLETED && s != State.FAILED) {
        row(s, MessageType.ABORT, State.FAILED, null);
      }
    }
  }

  private static Optional<Expect> expected(State s, MessageType t) {
    return Optional.ofNullable(EXPECTED.getOrDefault(s, Map.of()).get(t));
  }

  /**
   * A session whose host is in {@code s}, with the terminal's message of type {@code t} in flight
   * where the protocol produces one there.
   */
  private static FakeSession hostIn(State s, MessageType t) throws KeyTransferException {
    boolean pending =
        s == State.AWAIT_RANDOM_AFTER_PENDING
            || (s == State.AWAIT_RANDOM_TOKEN && t == MessageType.PENDING_KEY);
    FakeSession p =
        new FakeSession(
            pending ? Scenarios.withPendingKey() : new FakeSession.Devices(),
            new FakeTokenCodec(),
            s == State.AWAIT_BINDING_UPDATE
                ? krd -> new HostOperation.Unbind()
                : HostOperations.deliverKeys(),
            s == State.AWAIT_WORKING_KEY_RESULTS,
            false);
    p.start();
    if (s == State.FAILED) {
      p.kdh.fail(ErrorCode.TRANSPORT_FAILURE);
    } else if (s != State.AWAIT_KRD_CREDENTIAL) {
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
  void everyStateAndMessageType_followsTheTable() throws Exception {
    Map<MessageType, HandshakeMessage> samples = Scenarios.samples();
    int accepted = 0;
    int refused = 0;
    for (State s : State.values()) {
      for (MessageType t : MessageType.values()) {
        FakeSession p = hostIn(s, t);
        Optional<Expect> e = expected(s, t);
        assertThat(!KdhHandshake.targets(s, t).isEmpty())
            .as("table row %s/%s", s, t)
            .isEqualTo(e.isPresent());
        long confirmedBefore = confirmed(p);
        if (e.isPresent() && t != MessageType.ABORT) {
          accepted++;
          assertThat(p.pending.type()).as("%s/%s", s, t).isEqualTo(t);
          Optional<HandshakeMessage> reply = p.kdh.onMessage(p.pending);
          assertThat(p.kdh.state()).as("%s/%s", s, t).isEqualTo(e.get().next());
          assertThat(reply.map(HandshakeMessage::type).orElse(null))
              .as("%s/%s", s, t)
              .isEqualTo(e.get().reply());
        } else if (e.isPresent()) {
          accepted++;
          KeyTransferException x =
              catchThrowableOfType(
                  KeyTransferException.class, () -> p.kdh.onMessage(samples.get(t)));
          assertThat(x.code()).isEqualTo(ErrorCode.PEER_REFUSED_CERTIFICATE);
          assertThat(p.kdh.state()).isEqualTo(State.FAILED);
        } else {
          refused++;
          HandshakeMessage m = samples.get(t);
          KeyTransferException x;
          if (p.kdh.isFinished()) {
            x = catchThrowableOfType(KeyTransferException.class, () -> p.kdh.onMessage(m));
          } else {
            x = Scenarios.drive(p.kdh, p.codec, m, new Scenarios.Wire[1]).orElseThrow();
          }
          assertThat(x).as("%s/%s", s, t).isInstanceOf(UnexpectedMessageException.class);
          assertThat(x.code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
          assertThat(p.codec.parses()).as("parsed in %s: %s", s, t).isZero();
          assertThat(p.kdh.state())
              .as("%s/%s", s, t)
              .isEqualTo(s == State.COMPLETED ? State.COMPLETED : State.FAILED);
          // a refused message confirms nothing
          assertThat(confirmed(p)).as("%s/%s", s, t).isEqualTo(confirmedBefore);
        }
      }
    }
    assertThat(accepted + refused).isEqualTo(State.values().length * MessageType.values().length);
    assertThat(accepted).isEqualTo(13);
  }

  private static long confirmed(FakeSession p) {
    return p.devices.ledger.entries().stream()
        .filter(e -> e.status() == DeliveryStatus.CONFIRMED)
        .count();
  }

  @Test
  void theHostSpeaksSecond_noStartRow() {
    for (State s : State.values()) {
      assertThat(KdhHandshake.table().row(s, Trigger.START)).as("%s", s).isEmpty();
    }
  }

  @Test
  void randomToken_withABindingOperation_awaitsTheBindingUpdate() throws Exception {
    for (MessageType t :
        new MessageType[] {
          MessageType.KDH_UNBIND,
          MessageType.KDH_REBIND,
          MessageType.CA_UNBIND,
          MessageType.CA_REBIND
        }) {
      FakeTokenCodec codec = new FakeTokenCodec();
      HostOperation op = Scenarios.operationSending(t, codec);
      FakeSession p = new FakeSession(new FakeSession.Devices(), codec, krd -> op, false, true);
      p.start();
      p.toHost();
      p.toTerminal();
      p.toHost();
      assertThat(p.kdh.state()).as("%s", t).isEqualTo(State.AWAIT_BINDING_UPDATE);
      assertThat(p.pending.type()).isEqualTo(t);
      assertThat(p.devices.ledger.entries()).isEmpty(); // no key was issued
      p.toTerminal();
      p.toHost();
      assertThat(p.kdh.state()).isEqualTo(State.COMPLETED);
      assertThat(p.kdh.operation()).contains(op);
    }
  }

  @Test
  void keyInstalled_askingForWorkingKeys_sendsThem() throws Exception {
    FakeSession p =
        new FakeSession(
            new FakeSession.Devices(),
            new FakeTokenCodec(),
            HostOperations.deliverKeys(),
            true,
            false);
    p.start();
    while (p.kdh.state() != State.AWAIT_WORKING_KEY_RESULTS) {
      p.toHost();
      p.toTerminal();
    }
    assertThat(p.pending.type()).isEqualTo(MessageType.WORKING_KEYS_INSTALLED);
    assertThat(KdhHandshake.targets(State.AWAIT_CONFIRMATION, MessageType.KEY_INSTALLED))
        .containsExactly(State.COMPLETED, State.AWAIT_WORKING_KEY_RESULTS);
    p.toHost();
    assertThat(p.kdh.state()).isEqualTo(State.COMPLETED);
    assertThat(confirmed(p)).isEqualTo(2);
  }

  @Test
  void abortAfterDelivery_marksTheLedgerRejected() throws Exception {
    FakeSession p = hostIn(State.AWAIT_CONFIRMATION, MessageType.KEY_INSTALLED);
    KeyTransferException x =
        catchThrowableOfType(
            KeyTransferException.class,
            () ->
                p.kdh.onMessage(
                    new dev.keytransfer.core.message.Abort(ErrorCode.PEER_REFUSED_TOKEN)));
    assertThat(x.code()).isEqualTo(ErrorCode.PEER_REFUSED_TOKEN);
    assertThat(p.devices.ledger.entries())
        .singleElement()
        .extracting(e -> e.status())
        .isEqualTo(DeliveryStatus.REJECTED);
  }

  /**
   * CT-KRD and RT-KRD prove nothing, so a peer holding only the terminal's certificate must not
   * make the terminal lose a key it holds: a wrong PENDING_KEY changes no delivery (it counts
   * against the device's delivery limit instead), a replayed session leaves the open delivery open,
   * and the real terminal's report still confirms it, closing the replayed one.
   */
  @Test
  void pendingKey_wrongKcvOrReplayedSession_leavesTheRealDeliveryConfirmable() throws Exception {
    FakeSession.Devices d = new FakeSession.Devices();
    FakeSession first =
        new FakeSession(d, new FakeTokenCodec(), HostOperations.deliverKeys(), false, false);
    first.start();
    first.toHost(); // CT-KRD -> CT-KDH
    first.toTerminal(); // -> RT-KRD
    first.toHost(); // -> KT-KDH: the ledger says DELIVERED
    first.toTerminal(); // KEY_INSTALLED, which is lost
    assertThat(d.ledger.entries())
        .singleElement()
        .extracting(e -> e.status())
        .isEqualTo(DeliveryStatus.DELIVERED);
    dev.keytransfer.core.KeyCheckValue real = d.ledger.entries().get(0).kcv();
    dev.keytransfer.core.IssuerAndSerial device = d.ledger.entries().get(0).device();

    FakeSession guess = new FakeSession(d, first.codec, HostOperations.deliverKeys(), false, false);
    guess.pending = guess.codec.encodeKrdCredential(FakePki.KRD_1);
    guess.toHost(); // CT-KDH
    byte[] wrong = real.bytes();
    wrong[0] ^= 1;
    Optional<HandshakeMessage> answer =
        guess.kdh.onMessage(
            new dev.keytransfer.core.message.PendingKey(
                dev.keytransfer.core.KeyCheckValue.of(real.method(), wrong)));
    assertThat(answer)
        .get()
        .isInstanceOfSatisfying(
            dev.keytransfer.core.message.KeyConfirmed.class,
            k -> assertThat(k.current()).isFalse());
    assertThat(d.ledger.entries().get(0).status()).isEqualTo(DeliveryStatus.DELIVERED);
    assertThat(d.ledger.attemptsSince(device, java.time.Instant.EPOCH)).isEqualTo(2);

    // the same peer goes on to ask for a key with a fresh nonce: a second open delivery
    guess.pending =
        guess.codec.encodeRandomToken(
            dev.keytransfer.core.Nonce.random(new java.security.SecureRandom()));
    guess.toHost(); // -> KT-KDH, which the peer cannot open
    assertThat(d.ledger.entries())
        .extracting(e -> e.status())
        .containsExactly(DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED);

    FakeSession right = new FakeSession(d, first.codec, HostOperations.deliverKeys(), false, false);
    right.pending = right.codec.encodeKrdCredential(FakePki.KRD_1);
    right.toHost();
    Optional<HandshakeMessage> second =
        right.kdh.onMessage(new dev.keytransfer.core.message.PendingKey(real));
    assertThat(second)
        .get()
        .isInstanceOfSatisfying(
            dev.keytransfer.core.message.KeyConfirmed.class, k -> assertThat(k.current()).isTrue());
    assertThat(d.ledger.entries())
        .extracting(e -> e.status())
        .containsExactly(DeliveryStatus.CONFIRMED, DeliveryStatus.DELIVERED);
  }
}
