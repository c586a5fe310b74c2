package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.InternalErrorException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.UnexpectedMessageException;
import dev.keytransfer.core.handshake.Transitions.Row;
import dev.keytransfer.core.handshake.Transitions.Trigger;
import dev.keytransfer.core.message.Abort;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageType;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The plumbing both roles' machines share: look the trigger up in the role's {@link Transitions}
 * table, refuse what the table does not admit, run the row's handler, check that the row admits the
 * {@link Step} it returned, move, and fall into the absorbing FAILED state on any failure. Nothing
 * outside the table picks a transition. Each role keeps its states, its table and its handlers in
 * its own file ({@link KrdHandshake}, {@link KdhHandshake}).
 *
 * @param <S> the role's state enum
 * @param <H> the role's machine
 */
abstract class AbstractHandshake<S extends Enum<S>, H extends AbstractHandshake<S, H>>
    implements Handshake {
  private final String role;
  private final Transitions<S, H> table;
  private final S completed;
  private final S failed;
  private final Logger log;
  private S state;
  private ErrorCode failure;

  AbstractHandshake(
      String role, Transitions<S, H> table, S initial, S completed, S failed, Logger log) {
    this.role = role;
    this.table = Objects.requireNonNull(table, "table");
    this.state = initial;
    this.completed = completed;
    this.failed = failed;
    this.log = log;
  }

  /**
   * The row every non-final state has for {@code ABORT}: the peer refused, the session fails with
   * the public class of its code (an older peer may send an exact code).
   */
  static <S extends Enum<S>, H> Row<S, H> abortIn(S from, S failed) {
    return Transitions.on(
        from,
        MessageType.ABORT,
        Abort.class,
        (machine, abort) -> {
          ErrorCode refusal = abort.code().publicCode();
          throw new KeyTransferException(refusal, "peer aborted the session: " + refusal);
        },
        failed);
  }

  /** Called once when the machine fails, before it enters FAILED (wipe secrets, fix the ledger). */
  void onFailure(S stateAtFailure, ErrorCode code) {}

  /**
   * Called once before the machine enters COMPLETED, before the last reply is sent; a throw fails
   * the session instead (the host's audit record).
   */
  void onCompleting() throws KeyTransferException {}

  public final S state() {
    return state;
  }

  /** Why the machine failed, once FAILED. */
  public final Optional<ErrorCode> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public final void expect(MessageType type) throws KeyTransferException {
    rowFor(type);
  }

  private Row<S, H> rowFor(MessageType type) throws KeyTransferException {
    Objects.requireNonNull(type, "type");
    Optional<Row<S, H>> row = table.row(state, Trigger.received(type));
    if (row.isEmpty()) {
      throw failWith(
          new UnexpectedMessageException(
              ErrorCode.UNEXPECTED_MESSAGE,
              role + " in state " + state + " does not accept " + type));
    }
    return row.get();
  }

  @Override
  public final Optional<HandshakeMessage> onMessage(HandshakeMessage message)
      throws KeyTransferException {
    Objects.requireNonNull(message, "message");
    return fire(rowFor(message.type()), message, message.type().name());
  }

  /**
   * Runs the table's START row: the machine's first step.
   *
   * @throws IllegalStateException if the current state has no START row (started twice)
   */
  final Optional<HandshakeMessage> begin() throws KeyTransferException {
    Row<S, H> row =
        table
            .row(state, Trigger.START)
            .orElseThrow(() -> new IllegalStateException("start() called in state " + state));
    return fire(row, null, "start"); // a START row's handler receives no message (onStart)
  }

  @SuppressWarnings("unchecked") // H is the concrete machine by construction
  private Optional<HandshakeMessage> fire(Row<S, H> row, HandshakeMessage message, String event)
      throws KeyTransferException {
    try {
      Step<S> step = row.handler().handle((H) this, message);
      if (!row.to().contains(step.next())) {
        throw new IllegalStateException(
            "the transition table does not admit " + state + " -> " + step.next());
      }
      if (step.next() == completed) {
        onCompleting();
      }
      moveTo(step.next(), event);
      return step.reply();
    } catch (KeyTransferException | RuntimeException e) {
      throw failWith(e);
    }
  }

  @Override
  public final boolean isFinished() {
    return state == completed || state == failed;
  }

  @Override
  public final void fail(ErrorCode code) {
    if (isFinished()) {
      return;
    }
    failure = code;
    log.warn("{} {} failed in state {}: {}", role, sessionLabel(), state, code);
    onFailure(state, code);
    moveTo(failed, code.name());
  }

  /**
   * Moves to FAILED (unless finished) and returns the failure as a {@link KeyTransferException}.
   */
  private KeyTransferException failWith(Exception e) {
    KeyTransferException k =
        e instanceof KeyTransferException kte
            ? kte
            : new InternalErrorException("internal error in " + role + " handshake", e);
    fail(k.code());
    return k;
  }

  private void moveTo(S to, String event) {
    log.debug("{} {} {} --{}--> {}", role, sessionLabel(), state, event, to);
    state = to;
  }

  /** What the log names this session by. */
  String sessionLabel() {
    return "session";
  }
}
