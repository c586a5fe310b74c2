package dev.keytransfer.core.spi;

import dev.keytransfer.core.TransportException;
import java.time.Duration;

/**
 * Moves opaque, length-limited frames between the two parties. Never parses tokens. An
 * implementation refuses a frame over its maximum size before reading it, and every receive has a
 * timeout (docs/SECURITY.md A3). One session uses one transport from one thread.
 */
public interface Transport extends AutoCloseable {
  /**
   * Sends one frame.
   *
   * @throws TransportException {@code FRAME_TOO_LARGE}, or {@code TRANSPORT_FAILURE} if closed or
   *     broken
   */
  void send(byte[] frame) throws TransportException;

  /**
   * Receives one frame, waiting at most {@code timeout}.
   *
   * @throws TransportException {@code TIMEOUT}, {@code FRAME_TOO_LARGE}, or {@code
   *     TRANSPORT_FAILURE}
   * @throws dev.keytransfer.core.MalformedTokenException {@code MALFORMED_FRAME} where the
   *     transport has framing of its own and the peer broke it (a TCP length prefix of zero)
   */
  byte[] receive(Duration timeout) throws dev.keytransfer.core.KeyTransferException;

  /** The largest frame this transport carries. */
  int maxFrameLength();

  /**
   * The check every implementation makes before sending: a frame is not empty and not longer than
   * {@code maxFrameLength}.
   *
   * @throws TransportException {@code FRAME_TOO_LARGE} or {@code TRANSPORT_FAILURE}
   */
  static void checkOutgoing(byte[] frame, int maxFrameLength) throws TransportException {
    java.util.Objects.requireNonNull(frame, "frame");
    if (frame.length > maxFrameLength) {
      throw new TransportException(
          dev.keytransfer.core.ErrorCode.FRAME_TOO_LARGE,
          "frame of " + frame.length + " bytes exceeds the maximum of " + maxFrameLength);
    }
    if (frame.length == 0) {
      throw new TransportException(
          dev.keytransfer.core.ErrorCode.TRANSPORT_FAILURE, "empty frames are not sent");
    }
  }

  /** Closes this end; the peer's next receive fails. Idempotent. */
  @Override
  void close();
}
