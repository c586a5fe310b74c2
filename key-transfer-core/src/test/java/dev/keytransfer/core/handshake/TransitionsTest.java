package dev.keytransfer.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.message.BindingUpdated;
import dev.keytransfer.core.message.MessageType;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The table machinery both machines share: fail closed on a row or step the table does not have.
 */
class TransitionsTest {
  enum S {
    A,
    B,
    C,
    DONE,
    FAILED
  }

  /** A machine whose only row goes from A to B, but whose handler asks for {@code next}. */
  static final class Machine extends AbstractHandshake<S, Machine> {
    final S next;

    Machine(S next) {
      super(
          "TEST",
          new Transitions<>(
              S.class,
              Transitions.onStart(S.A, m -> Step.quietlyTo(m.next), S.B),
              Transitions.on(
                  S.B,
                  MessageType.BINDING_UPDATED,
                  BindingUpdated.class,
                  (m, b) -> Step.quietlyTo(m.next),
                  S.DONE)),
          S.A,
          S.DONE,
          S.FAILED,
          LoggerFactory.getLogger(TransitionsTest.class));
      this.next = next;
    }
  }

  @Test
  void aStepTheRowDoesNotName_failsTheMachine() {
    Machine m = new Machine(S.C);
    KeyTransferException e = catchThrowableOfType(KeyTransferException.class, m::begin);
    assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
    assertThat(m.state()).isEqualTo(S.FAILED);
  }

  @Test
  void aStepTheRowNames_moves() throws Exception {
    Machine m = new Machine(S.B);
    assertThat(m.begin()).isEmpty();
    assertThat(m.state()).isEqualTo(S.B);
  }

  @Test
  void twoRowsForOneTrigger_areRefused() {
    assertThatThrownBy(
            () ->
                new Transitions<S, Machine>(
                    S.class,
                    Transitions.onStart(S.A, m -> Step.quietlyTo(S.B), S.B),
                    Transitions.onStart(S.A, m -> Step.quietlyTo(S.C), S.C)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTypeWithoutARow_isRefusedBeforeAnyHandlerRuns() {
    Machine m = new Machine(S.B);
    KeyTransferException e =
        catchThrowableOfType(KeyTransferException.class, () -> m.expect(MessageType.KDH_KEY));
    assertThat(e.code()).isEqualTo(ErrorCode.UNEXPECTED_MESSAGE);
    assertThat(m.state()).isEqualTo(S.FAILED);
  }

  @Test
  void policyNarrowsATable() {
    Transitions<S, Machine> t =
        new Transitions<S, Machine>(
            S.class,
            Transitions.on(
                S.B,
                MessageType.BINDING_UPDATED,
                BindingUpdated.class,
                (m, b) -> Step.quietlyTo(S.DONE),
                S.DONE));
    assertThat(t.without(S.class, MessageType.BINDING_UPDATED).rows()).isEmpty();
    assertThat(t.rows()).hasSize(1);
  }
}
