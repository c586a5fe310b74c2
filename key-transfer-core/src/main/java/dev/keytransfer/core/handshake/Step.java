package dev.keytransfer.core.handshake;

import dev.keytransfer.core.message.HandshakeMessage;
import java.util.Objects;
import java.util.Optional;

/**
 * What a transition handler returns: the state the machine moves to and the message it sends, if
 * any (docs/DESIGN.md, "State machines"). Immutable; the machine checks that the table row admits
 * {@code next} before it moves.
 *
 * @param <S> the role's state enum
 * @param next the next state
 * @param reply the message to send, if any
 */
record Step<S extends Enum<S>>(S next, Optional<HandshakeMessage> reply) {
  Step {
    Objects.requireNonNull(next, "next");
    Objects.requireNonNull(reply, "reply");
  }

  /** Move to {@code next} and send {@code reply}. */
  static <S extends Enum<S>> Step<S> to(S next, HandshakeMessage reply) {
    return new Step<>(next, Optional.of(reply));
  }

  /** Move to {@code next} and send nothing. */
  static <S extends Enum<S>> Step<S> quietlyTo(S next) {
    return new Step<>(next, Optional.empty());
  }
}
