package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.InternalErrorException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.message.Abort;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageCodec;
import dev.keytransfer.core.spi.Transport;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one handshake over one blocking transport: send, receive with a timeout, feed the machine,
 * reply, until the machine finishes. Each receive waits at most the step timeout and never past the
 * session deadline, counted from the start of {@link #run}, so a peer that keeps sending a byte now
 * and then cannot stretch the session (docs/SECURITY.md A3). The session itself is a {@link
 * FrameSession}, which a non-blocking server drives in the same way: on any failure the machine is
 * moved to FAILED and, unless the connection itself is gone or the peer aborted, the peer gets an
 * {@link Abort} with the public class of the code ({@link ErrorCode#publicCode()}); the exact code
 * stays in the local exception and log (docs/SECURITY.md A2).
 */
public final class SessionDriver {
  private static final Logger log = LoggerFactory.getLogger(SessionDriver.class);

  private final MessageCodec messages;
  private final Duration stepTimeout;
  private final Duration sessionTimeout;

  /** A driver whose receives each wait at most {@code stepTimeout}, with no session deadline. */
  public SessionDriver(MessageCodec messages, Duration stepTimeout) {
    this(messages, stepTimeout, null);
  }

  /**
   * A driver whose receives each wait at most {@code stepTimeout} and whose sessions end with
   * {@code TIMEOUT} once {@code sessionTimeout} has passed since they started.
   *
   * @param sessionTimeout null: no session deadline
   */
  public SessionDriver(MessageCodec messages, Duration stepTimeout, Duration sessionTimeout) {
    this.messages = Objects.requireNonNull(messages, "messages");
    this.stepTimeout = positive(Objects.requireNonNull(stepTimeout, "stepTimeout"), "step");
    this.sessionTimeout = sessionTimeout == null ? null : positive(sessionTimeout, "session");
  }

  private static Duration positive(Duration d, String what) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " timeout must be positive");
    }
    return d;
  }

  /**
   * Sends {@code first} (if any), then exchanges messages until {@code machine} finishes.
   *
   * @throws KeyTransferException the failure that ended the session
   */
  public void run(Handshake machine, Optional<HandshakeMessage> first, Transport transport)
      throws KeyTransferException {
    FrameSession<Boolean> session = new FrameSession<>(messages, machine, () -> Boolean.TRUE);
    long deadline = sessionTimeout == null ? 0 : System.nanoTime() + sessionTimeout.toNanos();
    try {
      FrameSession.Output out = session.start(first);
      while (true) {
        send(transport, session, out);
        if (session.isFinished()) {
          break;
        }
        byte[] frame;
        try {
          frame = transport.receive(receiveTimeout(deadline));
        } catch (KeyTransferException e) {
          sendQuietly(transport, session.fail(e));
          break;
        }
        out = session.onFrame(frame);
      }
    } catch (RuntimeException | Error e) { // the machine wipes its keys and records the session
      machine.fail(ErrorCode.INTERNAL_ERROR);
      throw new InternalErrorException("internal error in session", e);
    }
    if (session.failure().isPresent()) {
      throw session.failure().get();
    }
  }

  /** The step timeout, or what is left of the session if that is less. */
  private Duration receiveTimeout(long deadline) throws TransportException {
    if (sessionTimeout == null) {
      return stepTimeout;
    }
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new TransportException(
          ErrorCode.TIMEOUT,
          "session did not complete within " + sessionTimeout.toMillis() + " ms");
    }
    return left < stepTimeout.toNanos() ? Duration.ofNanos(left) : stepTimeout;
  }

  /** Sends the frames of one step; a frame that cannot be sent fails the session. */
  private static void send(Transport transport, FrameSession<?> session, FrameSession.Output out) {
    for (byte[] frame : out.frames()) {
      try {
        transport.send(frame);
      } catch (KeyTransferException e) {
        if (session.failure().isPresent()) {
          log.debug("could not send abort frame: {}", e.getMessage());
        } else {
          sendQuietly(transport, session.fail(e));
        }
        return;
      }
    }
  }

  /** Sends an abort if there is one; the session has failed already, so a failure is ignored. */
  private static void sendQuietly(Transport transport, FrameSession.Output out) {
    for (byte[] frame : out.frames()) {
      try {
        transport.send(frame);
      } catch (KeyTransferException | RuntimeException e) {
        log.debug("could not send abort frame: {}", e.getMessage());
        return;
      }
    }
  }
}
