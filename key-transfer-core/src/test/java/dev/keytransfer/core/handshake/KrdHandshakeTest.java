package dev.keytransfer.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.UnexpectedMessageException;
import dev.keytransfer.core.handshake.KrdHandshake.State;
import dev.keytransfer.core.handshake.Transitions.Trigger;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.message.MessageType;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The terminal's machine on a fake codec (docs/DESIGN.md, "State machines"): every (state, message
 * type) pair against a table written out here, START as a row, the policy row of UBT-CA, and the
 * branches a handler picks within its row.
 */
class KrdHandshakeTest {
  /** Where an admitted message leads and what the terminal answers (null: nothing). */
  private record Expect(State next, MessageType reply) {}

  private static final Map<State, Map<MessageType, Expect>> EXPECTED = new EnumMap<>(State.class);

  private static void row(State s, MessageType t, State next, MessageType reply) {
    EXPECTED
        .computeIfAbsent(s, k -> new EnumMap<>(MessageType.class))
        .put(t, new Expect(next, reply));
  }

  static {
    row(
        State.AWAIT_KDH_CREDENTIAL,
        MessageType.KDH_CREDENTIAL,
        State.AWAIT_KEY_TOKEN,
        MessageType.KRD_RANDOM);
    row(
        State.AWAIT_PENDING_RESOLUTION,
        MessageType.KEY_CONFIRMED,
        State.AWAIT_KEY_TOKEN,
        MessageType.KRD_RANDOM);
    row(
        State.AWAIT_KEY_TOKEN,
        MessageType.KDH_KEY,
        State.AWAIT_KEY_CONFIRMED,
        MessageType.KEY_INSTALLED);
    row(
        State.AWAIT_KEY_TOKEN,
        MessageType.KDH_ECDH_KEY,
        State.AWAIT_KEY_CONFIRMED,
        MessageType.KEY_INSTALLED);
    row(
        State.AWAIT_KEY_TOKEN,
        MessageType.KDH_KEY_ONE_PASS,
        State.AWAIT_KEY_CONFIRMED,
        MessageType.KEY_INSTALLED);
    row(
        State.AWAIT_KEY_TOKEN,
        MessageType.KDH_UNBIND,
        State.COMPLETED,
        MessageType.BINDING_UPDATED);
    row(
        State.AWAIT_KEY_TOKEN,
        MessageType.KDH_REBIND,
        State.COMPLETED,
        MessageType.BINDING_UPDATED);
    row(State.AWAIT_KEY_TOKEN, MessageType.CA_UNBIND, State.COMPLETED, MessageType.BINDING_UPDATED);
    row(State.AWAIT_KEY_TOKEN, MessageType.CA_REBIND, State.COMPLETED, MessageType.BINDING_UPDATED);
    row(State.AWAIT_KEY_CONFIRMED, MessageType.KEY_CONFIRMED, State.COMPLETED, null);
    row(
        State.AWAIT_WORKING_KEYS,
        MessageType.WORKING_KEYS,
        State.COMPLETED,
        MessageType.WORKING_KEYS_INSTALLED);
    for (State s :
        new State[] {
          State.AWAIT_KDH_CREDENTIAL,
          State.AWAIT_PENDING_RESOLUTION,
          State.AWAIT_KEY_TOKEN,
          State.AWAIT_KEY_CONFIRMED,
          State.AWAIT_WORKING_KEYS
        }) {
      row(s, MessageType.ABORT, State.FAILED, null);
    }
  }

  private static Optional<Expect> expected(State s, MessageType t) {
    return Optional.ofNullable(EXPECTED.getOrDefault(s, Map.of()).get(t));
  }

  /**
   * A session whose terminal is in {@code s}, with the host's message of type {@code t} in flight
   * where the protocol can produce one there; {@code acceptCaUnbind} is the terminal's C13 policy.
   */
  private static FakeSession terminalIn(State s, MessageType t, boolean acceptCaUnbind)
      throws KeyTransferException {
    FakeSession.Devices devices =
        s == State.AWAIT_PENDING_RESOLUTION
            ? Scenarios.withPendingKey()
            : new FakeSession.Devices();
    FakeTokenCodec codec = new FakeTokenCodec();
    FakeSession p =
        new FakeSession(
            devices,
            codec,
            HostOperations.deliverKeys(),
            s == State.AWAIT_WORKING_KEYS,
            acceptCaUnbind);
    if (s == State.AWAIT_KEY_TOKEN) {
      HostOperation op = Scenarios.operationSending(t, codec);
      p =
          new FakeSession(
              devices, codec, krd -> op, false, acceptCaUnbind, t == MessageType.KDH_ECDH_KEY);
    }
    if (s == State.FAILED) {
      p.start();
      p.krd.fail(ErrorCode.TRANSPORT_FAILURE);
    } else if (s != State.START) {
      p.start();
      p.toHost();
      while (p.krd.state() != s) {
        p.toTerminal();
        if (p.pending != null) {
          p.toHost();
        }
      }
    }
    assertThat(p.krd.state()).isEqualTo(s);
    return p;
  }

  @Test
  void everyStateAndMessageType_followsTheTable() throws Exception {
    Map<MessageType, HandshakeMessage> samples = Scenarios.samples();
    int accepted = 0;
    int refused = 0;
    for (State s : State.values()) {
      for (MessageType t : MessageType.values()) {
        FakeSession p = terminalIn(s, t, true);
        Optional<Expect> e = expected(s, t);
        assertThat(!KrdHandshake.targets(s, t).isEmpty())
            .as("table row %s/%s", s, t)
            .isEqualTo(e.isPresent());
        int keysBefore = p.devices.keyStore.size();
        if (e.isPresent() && t != MessageType.ABORT) {
          accepted++;
          assertThat(p.pending.type()).as("%s/%s", s, t).isEqualTo(t);
          Optional<HandshakeMessage> reply = p.krd.onMessage(p.pending);
          assertThat(p.krd.state()).as("%s/%s", s, t).isEqualTo(e.get().next());
          assertThat(reply.map(HandshakeMessage::type).orElse(null))
              .as("%s/%s", s, t)
              .isEqualTo(e.get().reply());
          assertThat(KrdHandshake.targets(s, t)).contains(e.get().next());
        } else if (e.isPresent()) {
          accepted++;
          KeyTransferException x =
              catchThrowableOfType(
                  KeyTransferException.class, () -> p.krd.onMessage(samples.get(t)));
          assertThat(x.code()).isEqualTo(ErrorCode.PEER_REFUSED_CERTIFICATE); // read as its class
          assertThat(p.krd.state()).isEqualTo(State.FAILED);
        } else {
          refused++;
          assertRefused(p, s, samples.get(t));
          assertThat(p.devices.keyStore.size()).as("%s/%s", s, t).isEqualTo(keysBefore);
        }
      }
    }
    assertThat(accepted + refused).isEqualTo(State.values().length * MessageType.values().length);
    assertThat(accepted).isEqualTo(16);
  }

  /** Refused: UNEXPECTED_MESSAGE, FAILED (COMPLETED stays COMPLETED), and no payload parsed. */
  private static void assertRefused(FakeSession p, State s, HandshakeMessage m) {
    KeyTransferException x;
    if (p.krd.isFinished()) {
      x = catchThrowableOfType(KeyTransferException.class, () -> p.krd.onMessage(m));
    } else {
      Scenarios.Wire[] wire = new Scenarios.Wire[1];
      x = Scenarios.drive(p.krd, p.codec, m, wire).orElseThrow();
      // the peer is told the public class of the refusal
      assertThat(
              new MessageCodec(p.codec)
                  .encode(new dev.keytransfer.core.message.Abort(ErrorCode.PEER_PROTOCOL_ERROR)))
          .isEqualTo(wire[0].sent.get(0));
    }
    assertThat(x).as("%s/%s", s, m.type()).isInstanceOf(UnexpectedMessageException.class);
    assertThat(x.code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
    assertThat(p.codec.parses()).as("parsed in %s: %s", s, m.type()).isZero();
    assertThat(p.krd.state())
        .as("%s/%s", s, m.type())
        .isEqualTo(s == State.COMPLETED ? State.COMPLETED : State.FAILED);
  }

  @Test
  void start_isTheTablesStartRow() throws Exception {
    Transitions<State, KrdHandshake> table = KrdHandshake.table(KrdHandshake.Options.defaults());
    for (State s : State.values()) {
      assertThat(table.row(s, Trigger.START).isPresent()).as("%s", s).isEqualTo(s == State.START);
    }
    assertThat(table.row(State.START, Trigger.START).orElseThrow().to())
        .containsExactly(State.AWAIT_KDH_CREDENTIAL);
    FakeSession p = new FakeSession();
    HandshakeMessage first = p.krd.start();
    assertThat(first.type()).isEqualTo(MessageType.KRD_CREDENTIAL);
    assertThat(p.krd.state()).isEqualTo(State.AWAIT_KDH_CREDENTIAL);
    assertThatThrownBy(p.krd::start).isInstanceOf(IllegalStateException.class);
    assertThat(p.krd.state()).isEqualTo(State.AWAIT_KDH_CREDENTIAL);
  }

  @Test
  void start_admitsNoMessage() throws Exception {
    for (MessageType t : MessageType.values()) {
      assertThat(KrdHandshake.targets(State.START, t)).as("%s", t).isEmpty();
    }
  }

  @Test
  void caUnbind_hasNoRowUnlessThePolicyAcceptsIt() throws Exception {
    Transitions<State, KrdHandshake> strict = KrdHandshake.table(KrdHandshake.Options.defaults());
    assertThat(strict.targets(State.AWAIT_KEY_TOKEN, MessageType.CA_UNBIND)).isEmpty();
    assertThat(strict.rows()).hasSize(KrdHandshake.table(acceptingCaUnbind()).rows().size() - 1);
    FakeSession p = terminalIn(State.AWAIT_KEY_TOKEN, MessageType.CA_UNBIND, false);
    int bindings = p.devices.binding.boundKdh().isPresent() ? 1 : 0;
    assertRefused(p, State.AWAIT_KEY_TOKEN, p.pending);
    assertThat(p.devices.binding.boundKdh().isPresent() ? 1 : 0).isEqualTo(bindings);
  }

  private static KrdHandshake.Options acceptingCaUnbind() {
    return new KrdHandshake.Options(null, null, KrdHandshake.Options.DEFAULT_ONE_PASS_WINDOW, true);
  }

  @Test
  void kdhCredential_withAPendingKey_reportsItInstead() throws Exception {
    FakeSession p =
        new FakeSession(
            Scenarios.withPendingKey(),
            new FakeTokenCodec(),
            HostOperations.deliverKeys(),
            false,
            false);
    p.start();
    p.toHost();
    p.toTerminal();
    assertThat(p.krd.state()).isEqualTo(State.AWAIT_PENDING_RESOLUTION);
    assertThat(p.pending.type()).isEqualTo(MessageType.PENDING_KEY);
    assertThat(KrdHandshake.targets(State.AWAIT_KDH_CREDENTIAL, MessageType.KDH_CREDENTIAL))
        .containsExactly(State.AWAIT_KEY_TOKEN, State.AWAIT_PENDING_RESOLUTION);
  }

  @Test
  void keyToken_forATerminalExpectingWorkingKeys_asksForThem() throws Exception {
    for (MessageType t : new MessageType[] {MessageType.KDH_KEY, MessageType.KDH_KEY_ONE_PASS}) {
      FakeTokenCodec codec = new FakeTokenCodec();
      HostOperation op = Scenarios.operationSending(t, codec);
      FakeSession p = new FakeSession(new FakeSession.Devices(), codec, krd -> op, true, false);
      p.start();
      p.toHost();
      p.toTerminal();
      p.toHost();
      assertThat(p.pending.type()).isEqualTo(t);
      p.toTerminal();
      assertThat(p.krd.state()).isEqualTo(State.AWAIT_WORKING_KEYS);
      assertThat(p.pending.type()).isEqualTo(MessageType.KEY_INSTALLED);
      p.toHost();
      p.toTerminal();
      assertThat(p.krd.state()).isEqualTo(State.COMPLETED);
      assertThat(p.devices.keyStore.size()).isEqualTo(2); // master key and one working key
    }
  }

  @Test
  void fullSession_onTheFakes_installsOneCurrentKey() throws Exception {
    FakeSession p = new FakeSession().run();
    assertThat(p.krd.state()).isEqualTo(State.COMPLETED);
    assertThat(p.kdh.state()).isEqualTo(KdhHandshake.State.COMPLETED);
    assertThat(p.devices.keyStore.current()).isPresent();
    assertThat(p.devices.binding.boundKdh()).contains(FakePki.KDH_1.leaf());
    assertThat(p.krd.outcome().orElseThrow().key()).isPresent();
  }
}
