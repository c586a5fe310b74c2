package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.UnexpectedMessageException;
import dev.keytransfer.core.message.Abort;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageType;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The plumbing both roles' machines share: look the received message up in the role's transition
 * table, refuse what the table does not admit, run the role's handler, move to the target state,
 * and fall into the absorbing FAILED state on any failure. Each role keeps its states, its table
 * and its handlers in its own file ({@link KrdHandshake}, {@link KdhHandshake}).
 *
 * @param <S> the role's state enum
 */
abstract class AbstractHandshake<S extends Enum<S>> implements Handshake {
  private final String role;
  private final Map<S, Map<MessageType, List<S>>> transitions;
  private final S completed;
  private final S failed;
  private final Logger log;
  private S state;
  private ErrorCode failure;

  private S chosen;

  AbstractHandshake(
      String role,
      Map<S, Map<MessageType, List<S>>> transitions,
      S initial,
      S completed,
      S failed,
      Logger log) {
    this.role = role;
    this.transitions = transitions;
    this.state = initial;
    this.completed = completed;
    this.failed = failed;
    this.log = log;
  }

  /**
   * Builds an immutable transition table from rows {@code (state, message type, next states)}: the
   * first next state is the default, the others are alternatives the handler may {@link #choose}.
   */
  @SafeVarargs
  static <S extends Enum<S>> Map<S, Map<MessageType, List<S>>> table(
      Class<S> states, Row<S>... rows) {
    Map<S, Map<MessageType, List<S>>> t = new EnumMap<>(states);
    for (S s : states.getEnumConstants()) {
      t.put(s, new EnumMap<>(MessageType.class));
    }
    for (Row<S> r : rows) {
      t.get(r.from()).put(r.received(), r.to());
    }
    t.replaceAll((k, v) -> Collections.unmodifiableMap(v));
    return Collections.unmodifiableMap(t);
  }

  /** One row of a transition table. */
  record Row<S>(S from, MessageType received, List<S> to) {
    @SafeVarargs
    Row(S from, MessageType received, S... to) {
      this(from, received, List.of(to));
    }
  }

  /**
   * The states a table admits for {@code received} in {@code state}: empty if refused, default
   * first.
   */
  static <S extends Enum<S>> List<S> targets(
      Map<S, Map<MessageType, List<S>>> table, S state, MessageType received) {
    return table.get(state).getOrDefault(received, List.of());
  }

  /**
   * Called by a handler to take one of the row's alternative next states instead of the default.
   */
  final void choose(S next) {
    chosen = next;
  }

  /** The role's reply to an admitted message; {@link Abort} never reaches it. */
  abstract HandshakeMessage handle(HandshakeMessage message) throws KeyTransferException;

  /** Called once when the machine fails, before it enters FAILED (wipe secrets, fix the ledger). */
  void onFailure(S stateAtFailure, ErrorCode code) {}

  public final S state() {
    return state;
  }

  /** Why the machine failed, once FAILED. */
  public final Optional<ErrorCode> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Whether the current state accepts {@code type}: the transition table's answer, which a role may
   * narrow (never widen) by policy.
   */
  boolean admits(S state, MessageType type) {
    return transitions.get(state).containsKey(type);
  }

  @Override
  public final void expect(MessageType type) throws KeyTransferException {
    Objects.requireNonNull(type, "type");
    if (!admits(state, type)) {
      throw failWith(
          new UnexpectedMessageException(
              ErrorCode.UNEXPECTED_MESSAGE,
              role + " in state " + state + " does not accept " + type));
    }
  }

  @Override
  public final Optional<HandshakeMessage> onMessage(HandshakeMessage message)
      throws KeyTransferException {
    Objects.requireNonNull(message, "message");
    expect(message.type());
    List<S> targets = transitions.get(state).get(message.type());
    try {
      if (message instanceof Abort a) {
        // an older peer may send an exact code: read it as its public class
        ErrorCode refusal = a.code().publicCode();
        throw new KeyTransferException(refusal, "peer aborted the session: " + refusal);
      }
      chosen = null;
      HandshakeMessage reply = handle(message);
      S target = chosen != null ? chosen : targets.get(0);
      if (!targets.contains(target)) {
        throw new IllegalStateException(
            "the transition table does not admit " + state + " -> " + target);
      }
      moveTo(target, message.type().name());
      return Optional.ofNullable(reply);
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
  final KeyTransferException failWith(Exception e) {
    KeyTransferException k =
        e instanceof KeyTransferException kte
            ? kte
            : new KeyTransferException(
                ErrorCode.INTERNAL_ERROR, "internal error in " + role + " handshake", e);
    fail(k.code());
    return k;
  }

  final void moveTo(S to, String event) {
    log.debug("{} {} {} --{}--> {}", role, sessionLabel(), state, event, to);
    state = to;
  }

  /** What the log names this session by. */
  String sessionLabel() {
    return "session";
  }
}
