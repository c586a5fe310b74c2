package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.message.HandshakeMessage;
import java.util.Optional;

/** What {@link SessionDriver} needs of either role's state machine. */
public interface Handshake {
  /**
   * Feeds one received message; returns the reply to send, if any. Any failure moves the machine to
   * its absorbing FAILED state and is rethrown.
   */
  Optional<HandshakeMessage> onMessage(HandshakeMessage message) throws KeyTransferException;

  /** True once COMPLETED or FAILED. */
  boolean isFinished();

  /** Moves the machine to FAILED (after a transport or framing failure) and records why. */
  void fail(ErrorCode code);
}
