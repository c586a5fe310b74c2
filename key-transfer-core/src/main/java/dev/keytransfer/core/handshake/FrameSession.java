package dev.keytransfer.core.handshake;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.InternalErrorException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.message.Abort;
import dev.keytransfer.core.message.HandshakeMessage;
import dev.keytransfer.core.message.MessageCodec;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handshake driven event by event: a received frame in, the frames to send out. It is what
 * {@link SessionDriver} runs over a blocking {@link dev.keytransfer.core.spi.Transport}, and what a
 * non-blocking server runs without holding a thread while the peer is silent: the server owns the
 * connection and its deadlines and calls {@link #onFrame} for each frame and {@link #fail} when the
 * connection breaks or a deadline passes. Either way the machine sees the same calls in the same
 * order, so both paths keep the same rules: the frame's type is checked against the transition
 * table before its payload is parsed; on any failure the machine moves to FAILED (the host's ledger
 * and audit record as {@link KdhHandshake} keeps them) and, unless the connection itself is gone or
 * the peer aborted, the peer is told the public class of the code in an {@link Abort}; the exact
 * code stays in the local exception and log (docs/SECURITY.md A2, A3).
 *
 * <p>Every session ends exactly once: {@link #result()} after success, or {@link #failure()} with
 * the {@link KeyTransferException} that ended it. Not thread-safe: one call at a time (a server
 * runs each session's calls one after another).
 *
 * @param <R> what a completed session yields (the host's delivery receipt)
 */
public final class FrameSession<R> {
  private static final Logger log = LoggerFactory.getLogger(FrameSession.class);

  /** What the session yields once its machine has completed. */
  @FunctionalInterface
  public interface Completion<R> {
    R result() throws KeyTransferException;
  }

  /**
   * What to do after one event: send {@code frames} in order, then, if {@code finished}, close the
   * connection (its outcome is in {@link #result()} or {@link #failure()}).
   *
   * @param frames the frames to send, each a whole envelope without the transport's framing
   * @param finished true once the session is over
   */
  public record Output(List<byte[]> frames, boolean finished) {
    public Output {
      frames = List.copyOf(frames);
    }
  }

  private final MessageCodec messages;
  private final Handshake machine;
  private final Completion<R> completion;
  private boolean started;
  private boolean finished;
  private R result;
  private KeyTransferException failure;

  public FrameSession(MessageCodec messages, Handshake machine, Completion<R> completion) {
    this.messages = Objects.requireNonNull(messages, "messages");
    this.machine = Objects.requireNonNull(machine, "machine");
    this.completion = Objects.requireNonNull(completion, "completion");
  }

  /**
   * Starts the session: the frame of {@code first} (the terminal's CT-KRD) or nothing (a host
   * speaks second). Called once, before anything else.
   */
  public Output start(Optional<HandshakeMessage> first) {
    if (started) {
      throw new IllegalStateException("session already started");
    }
    started = true;
    if (first.isEmpty()) {
      return new Output(List.of(), false);
    }
    try {
      return new Output(List.of(encode(first.get())), false);
    } catch (RuntimeException | Error e) {
      return failInternally(e);
    }
  }

  /** Feeds one received frame: checks its type, parses it, runs the machine, returns the reply. */
  public Output onFrame(byte[] frame) {
    Objects.requireNonNull(frame, "frame");
    started = true;
    if (finished) {
      return new Output(List.of(), true);
    }
    try {
      log.debug("received frame of {} bytes", frame.length);
      // the state decides what is parsed: an unexpected type is refused before its payload is read
      machine.expect(messages.typeOf(frame));
      HandshakeMessage message = messages.decode(frame);
      Optional<HandshakeMessage> reply = machine.onMessage(message);
      List<byte[]> out = reply.isPresent() ? List.of(encode(reply.get())) : List.of();
      if (machine.isFinished()) {
        finished = true;
        try {
          result = completion.result();
        } catch (KeyTransferException e) {
          failure = e;
        }
      }
      return new Output(out, finished);
    } catch (KeyTransferException e) {
      return fail(e);
    } catch (RuntimeException | Error e) { // a bug or a StackOverflowError: the session fails whole
      return failInternally(e);
    }
  }

  /**
   * Ends the session with {@code cause}, a failure from outside the machine: the connection broke
   * or could not send, a frame was malformed or too large, a deadline passed, the server had no
   * room. The machine moves to FAILED; the output carries the {@link Abort} for the peer unless the
   * code is a transport failure, a timeout or itself a public refusal. A session that had already
   * completed fails too (its last frame could not be sent), without an abort. Once failed, later
   * calls change nothing.
   */
  public Output fail(KeyTransferException cause) {
    Objects.requireNonNull(cause, "cause");
    if (failure != null) {
      return new Output(List.of(), true);
    }
    boolean wasFinished = finished;
    finished = true;
    result = null;
    failure = cause;
    machine.fail(cause.code());
    if (wasFinished || !shouldTellPeer(cause.code())) {
      return new Output(List.of(), true);
    }
    // the exact code stays here (exception and log); the peer learns only its public class
    log.info(
        "session failed with {}; the peer is told {}", cause.code(), cause.code().publicCode());
    try {
      return new Output(List.of(encode(new Abort(cause.code().publicCode()))), true);
    } catch (RuntimeException e) {
      log.debug("could not encode abort frame: {}", e.toString());
      return new Output(List.of(), true);
    }
  }

  private Output failInternally(Throwable e) {
    finished = true;
    result = null;
    failure = new InternalErrorException("internal error in session", e);
    machine.fail(ErrorCode.INTERNAL_ERROR);
    return new Output(List.of(), true);
  }

  private byte[] encode(HandshakeMessage m) {
    byte[] frame = messages.encode(m);
    log.debug("sending {} frame of {} bytes", m.type(), frame.length);
    return frame;
  }

  private static boolean shouldTellPeer(ErrorCode code) {
    return code != ErrorCode.TRANSPORT_FAILURE && code != ErrorCode.TIMEOUT && !code.isPublic();
  }

  /** True once the session is over, completed or failed. */
  public boolean isFinished() {
    return finished;
  }

  /** What the completed session yielded; empty while it runs and after a failure. */
  public Optional<R> result() {
    return Optional.ofNullable(result);
  }

  /** The failure that ended the session; empty while it runs and after success. */
  public Optional<KeyTransferException> failure() {
    return Optional.ofNullable(failure);
  }
}
