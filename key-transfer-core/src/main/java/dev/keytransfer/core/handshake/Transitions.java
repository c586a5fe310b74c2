package dev.keytransfer.core.handshake;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One role's transition table, the only source of its transitions (docs/DESIGN.md, "State
 * machines"; docs/PROTOCOL.md, "Sessions"): rows of (state, trigger, next states, handler). The
 * trigger is the session's start or the type of a received message; the handler runs the role's
 * checks and returns a {@link Step} whose next state must be one the row names. Immutable.
 *
 * @param <S> the role's state enum
 * @param <H> the role's machine, whose handlers the rows call
 */
final class Transitions<S extends Enum<S>, H> {

  /** What fires a row: the start of the session (the first step), or a received message type. */
  sealed interface Trigger {
    /** The machine's first step, before anything was received. */
    Trigger START = new Start();

    static Trigger received(MessageType type) {
      return new Received(type);
    }

    /** The start of the session. */
    record Start() implements Trigger {}

    /** A received message of one type. */
    record Received(MessageType type) implements Trigger {
      public Received {
        Objects.requireNonNull(type, "type");
      }
    }
  }

  /** The role's code for one row: checks the message and says where to go and what to send. */
  @FunctionalInterface
  interface Handler<S extends Enum<S>, H, M extends HandshakeMessage> {
    Step<S> handle(H machine, M message) throws KeyTransferException;
  }

  /** The role's code for its first step, which receives nothing. */
  @FunctionalInterface
  interface StartHandler<S extends Enum<S>, H> {
    Step<S> start(H machine) throws KeyTransferException;
  }

  /**
   * One row: in {@code from}, on {@code trigger}, run {@code handler}, which goes to one of {@code
   * to} (the usual next state first).
   */
  record Row<S extends Enum<S>, H>(
      S from, Trigger trigger, List<S> to, Handler<S, H, HandshakeMessage> handler) {
    Row {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(trigger, "trigger");
      Objects.requireNonNull(handler, "handler");
      to = List.copyOf(to);
      if (to.isEmpty() || Set.copyOf(to).size() != to.size()) {
        throw new IllegalArgumentException("a row names distinct next states, at least one");
      }
    }
  }

  /** The first step: in {@code from}, with nothing received, to one of {@code to}. */
  @SafeVarargs
  static <S extends Enum<S>, H> Row<S, H> onStart(
      S from, StartHandler<S, H> handler, S first, S... rest) {
    Objects.requireNonNull(handler, "handler");
    return new Row<>(from, Trigger.START, list(first, rest), (h, m) -> handler.start(h));
  }

  /**
   * A received message: in {@code from}, a message of {@code type} (a {@code messageClass}) is
   * handed to {@code handler}, which goes to one of the next states.
   */
  @SafeVarargs
  static <S extends Enum<S>, H, M extends HandshakeMessage> Row<S, H> on(
      S from,
      MessageType type,
      Class<M> messageClass,
      Handler<S, H, M> handler,
      S first,
      S... rest) {
    Objects.requireNonNull(messageClass, "messageClass");
    Objects.requireNonNull(handler, "handler");
    return new Row<>(
        from,
        Trigger.received(type),
        list(first, rest),
        // the codec maps each type to one class; a mismatch is a bug and fails the session
        (h, m) -> handler.handle(h, messageClass.cast(m)));
  }

  private static <S> List<S> list(S first, S[] rest) {
    List<S> to = new ArrayList<>();
    to.add(first);
    to.addAll(Arrays.asList(rest));
    return to;
  }

  private final Map<S, Map<Trigger, Row<S, H>>> rows;

  @SafeVarargs
  Transitions(Class<S> states, Row<S, H>... rows) {
    this(states, List.of(rows));
  }

  Transitions(Class<S> states, List<Row<S, H>> rows) {
    Map<S, Map<Trigger, Row<S, H>>> t = new EnumMap<>(states);
    for (S s : states.getEnumConstants()) {
      t.put(s, new LinkedHashMap<>());
    }
    for (Row<S, H> r : rows) {
      if (t.get(r.from()).put(r.trigger(), r) != null) {
        throw new IllegalArgumentException("two rows for " + r.from() + " on " + r.trigger());
      }
    }
    t.replaceAll((k, v) -> Collections.unmodifiableMap(v));
    this.rows = Collections.unmodifiableMap(t);
  }

  /** The row for {@code trigger} in {@code state}, or empty if the table refuses it. */
  Optional<Row<S, H>> row(S state, Trigger trigger) {
    return Optional.ofNullable(rows.get(state).get(trigger));
  }

  /**
   * The next states the table admits for a received {@code type} in {@code state} (the usual one
   * first); empty if refused.
   */
  List<S> targets(S state, MessageType type) {
    return row(state, Trigger.received(type)).map(Row::to).orElse(List.of());
  }

  /** Every row, state by state. */
  List<Row<S, H>> rows() {
    return rows.values().stream().flatMap(m -> m.values().stream()).toList();
  }

  /** This table without the rows for {@code type}: a policy narrows a table, never widens it. */
  Transitions<S, H> without(Class<S> states, MessageType type) {
    return new Transitions<>(
        states, rows().stream().filter(r -> !r.trigger().equals(Trigger.received(type))).toList());
  }
}
