package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.InternalErrorException;
import dev.keytransfer.core.KeyTransferException;
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
 * Runs one handshake over one transport: send, receive with a timeout, feed the machine, reply,
 * until the machine finishes. On any failure the machine is moved to FAILED and, unless the
 * connection itself is gone or the peer aborted, the peer gets an {@link Abort} with the public
 * class of the code ({@link ErrorCode#publicCode()}); the exact code stays in the local exception
 * and log (docs/SECURITY.md A2, A3).
 */
public final class SessionDriver {
  private static final Logger log = LoggerFactory.getLogger(SessionDriver.class);

  private final MessageCodec messages;
  private final Duration stepTimeout;

  public SessionDriver(MessageCodec messages, Duration stepTimeout) {
    this.messages = Objects.requireNonNull(messages, "messages");
    this.stepTimeout = Objects.requireNonNull(stepTimeout, "stepTimeout");
    if (stepTimeout.isNegative() || stepTimeout.isZero()) {
      throw new IllegalArgumentException("step timeout must be positive");
    }
  }

  /**
   * Sends {@code first} (if any), then exchanges messages until {@code machine} finishes.
   *
   * @throws KeyTransferException the failure that ended the session
   */
  public void run(Handshake machine, Optional<HandshakeMessage> first, Transport transport)
      throws KeyTransferException {
    try {
      if (first.isPresent()) {
        send(transport, first.get());
      }
      while (!machine.isFinished()) {
        byte[] frame = transport.receive(stepTimeout);
        log.debug("received frame of {} bytes", frame.length);
        // the state decides what is parsed: an unexpected type is refused before its payload is
        // read
        machine.expect(messages.typeOf(frame));
        HandshakeMessage message = messages.decode(frame);
        Optional<HandshakeMessage> reply = machine.onMessage(message);
        if (reply.isPresent()) {
          send(transport, reply.get());
        }
      }
    } catch (KeyTransferException e) {
      machine.fail(e.code());
      if (shouldTellPeer(e.code())) {
        // the exact code stays here (exception and log); the peer learns only its public class
        log.info("session failed with {}; the peer is told {}", e.code(), e.code().publicCode());
        try {
          transport.send(messages.encode(new Abort(e.code().publicCode())));
        } catch (KeyTransferException | RuntimeException ignored) {
          log.debug("could not send abort frame: {}", ignored.getMessage());
        }
      }
      throw e;
    } catch (RuntimeException e) {
      machine.fail(ErrorCode.INTERNAL_ERROR);
      throw new InternalErrorException("internal error in session", e);
    }
  }

  private void send(Transport transport, HandshakeMessage m) throws KeyTransferException {
    byte[] frame = messages.encode(m);
    log.debug("sending {} frame of {} bytes", m.type(), frame.length);
    transport.send(frame);
  }

  private static boolean shouldTellPeer(ErrorCode code) {
    return code != ErrorCode.TRANSPORT_FAILURE && code != ErrorCode.TIMEOUT && !code.isPublic();
  }
}
