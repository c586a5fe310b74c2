package dev.keytransfer.e2e;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.handshake.TerminalOutcome;
import dev.keytransfer.core.message.MessageType;
import dev.keytransfer.core.spi.Transport;
import dev.keytransfer.transport.InMemoryTransport;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Test harness: runs one terminal against one host over an {@link InMemoryTransport} pair, with an
 * optional man in the middle that may rewrite any frame in either direction.
 */
final class Wire {
  private static final ExecutorService HOSTS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "test-host");
            t.setDaemon(true);
            return t;
          });

  private Wire() {}

  /** What a session ended with on both sides. */
  record Outcome(
      KeyReceipt terminalReceipt,
      KeyTransferException terminalError,
      DeliveryReceipt hostReceipt,
      KeyTransferException hostError,
      TerminalOutcome terminalOutcome) {
    ErrorCode terminalCode() {
      return terminalError == null ? null : terminalError.code();
    }

    ErrorCode hostCode() {
      return hostError == null ? null : hostError.code();
    }
  }

  /** Rewrites frames on the wire; {@link #PASS} leaves them alone. */
  interface Interceptor {
    byte[] onFrame(MessageType type, byte[] frame) throws Exception;
  }

  static final Interceptor PASS = (t, f) -> f;

  /** Replaces the payload of every frame of {@code type} (the envelope is kept). */
  static Interceptor onPayload(MessageType type, UnaryOperator<byte[]> change) {
    return (t, f) -> {
      if (t != type) {
        return f;
      }
      byte[] payload = change.apply(Arrays.copyOfRange(f, 2, f.length));
      byte[] out = new byte[payload.length + 2];
      out[0] = f[0];
      out[1] = f[1];
      System.arraycopy(payload, 0, out, 2, payload.length);
      return out;
    };
  }

  static Outcome run(KeyTransferTerminal terminal, KeyTransferHost host, Interceptor interceptor)
      throws Exception {
    InMemoryTransport.Pair pair = InMemoryTransport.pair();
    Transport hostEnd = new Tampering(pair.hostEnd(), interceptor);
    Transport terminalEnd = new Tampering(pair.terminalEnd(), interceptor);
    Future<DeliveryReceipt> hostRun = HOSTS.submit(() -> host.serve(hostEnd));
    KeyReceipt receipt = null;
    TerminalOutcome outcome = null;
    KeyTransferException terminalError = null;
    try {
      outcome = terminal.session(terminalEnd);
      receipt = outcome.key().orElse(null);
    } catch (KeyTransferException e) {
      terminalError = e;
    }
    DeliveryReceipt delivered = null;
    KeyTransferException hostError = null;
    try {
      delivered = hostRun.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof KeyTransferException k)) {
        throw e;
      }
      hostError = k;
    } finally {
      terminalEnd.close();
      hostEnd.close();
    }
    return new Outcome(receipt, terminalError, delivered, hostError, outcome);
  }

  static final Duration STEP = Duration.ofSeconds(10);

  /** A transport that lets an interceptor rewrite each frame it sends. */
  static final class Tampering implements Transport {
    private final Transport inner;
    private final Interceptor interceptor;

    Tampering(Transport inner, Interceptor interceptor) {
      this.inner = inner;
      this.interceptor = interceptor;
    }

    @Override
    public void send(byte[] frame) throws TransportException {
      MessageType type = frame.length > 1 ? MessageType.fromWireValue(frame[1] & 0xFF) : null;
      byte[] out;
      try {
        out = interceptor.onFrame(type, frame);
      } catch (Exception e) {
        throw new IllegalStateException("interceptor failed", e);
      }
      inner.send(out);
    }

    @Override
    public byte[] receive(Duration timeout) throws KeyTransferException {
      return inner.receive(timeout);
    }

    @Override
    public int maxFrameLength() {
      return inner.maxFrameLength();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
