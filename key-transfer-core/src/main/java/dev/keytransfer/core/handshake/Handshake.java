package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageType;
import java.util.Optional;

/** What {@link SessionDriver} needs of either role's state machine. */
public interface Handshake {
  /**
   * Feeds one received message; returns the reply to send, if any. Any failure moves the machine to
   * its absorbing FAILED state and is rethrown.
   */
  Optional<HandshakeMessage> onMessage(HandshakeMessage message) throws KeyTransferException;

  /**
   * Checks a received frame's type against the transition table before its payload is parsed: a
   * type the current state does not accept moves the machine to FAILED and is refused with {@code
   * UNEXPECTED_MESSAGE}, its payload never parsed.
   */
  void expect(MessageType type) throws KeyTransferException;

  /** True once COMPLETED or FAILED. */
  boolean isFinished();

  /** Moves the machine to FAILED (after a transport or framing failure) and records why. */
  void fail(ErrorCode code);
}
