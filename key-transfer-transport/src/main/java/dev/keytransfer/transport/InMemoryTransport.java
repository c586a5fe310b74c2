package dev.keytransfer.transport;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.spi.Transport;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One end of a linked in-memory pair (it never parses tokens, like Netty's {@code LocalChannel}):
 * what one end sends, the other receives. Frames are copied; a frame over the maximum is refused on
 * send; closing one end makes the other's next receive fail. For tests, examples and single-JVM
 * deployments.
 */
public final class InMemoryTransport implements Transport {
  /** Default maximum frame: 64 KiB. */
  public static final int DEFAULT_MAX_FRAME_LENGTH = 64 * 1024;

  private static final byte[] CLOSED = new byte[0];

  /** Both ends of a pair. */
  public record Pair(InMemoryTransport terminalEnd, InMemoryTransport hostEnd) {}

  private final String name;
  private final int maxFrameLength;
  private final BlockingQueue<byte[]> inbound = new LinkedBlockingQueue<>();
  private InMemoryTransport peer;
  private volatile boolean closed;

  private InMemoryTransport(String name, int maxFrameLength) {
    this.name = name;
    this.maxFrameLength = maxFrameLength;
  }

  /** A linked pair with the default maximum frame length. */
  public static Pair pair() {
    return pair(DEFAULT_MAX_FRAME_LENGTH);
  }

  /** A linked pair refusing frames longer than {@code maxFrameLength} bytes. */
  public static Pair pair(int maxFrameLength) {
    if (maxFrameLength < 16) {
      throw new IllegalArgumentException("max frame length too small");
    }
    InMemoryTransport a = new InMemoryTransport("terminal", maxFrameLength);
    InMemoryTransport b = new InMemoryTransport("host", maxFrameLength);
    a.peer = b;
    b.peer = a;
    return new Pair(a, b);
  }

  @Override
  public void send(byte[] frame) throws TransportException {
    Transport.checkOutgoing(frame, maxFrameLength);
    if (closed || peer.closed) {
      throw new TransportException(ErrorCode.TRANSPORT_FAILURE, "in-memory transport is closed");
    }
    peer.inbound.add(frame.clone());
  }

  @Override
  public byte[] receive(Duration timeout) throws TransportException {
    if (closed) {
      throw new TransportException(ErrorCode.TRANSPORT_FAILURE, "in-memory transport is closed");
    }
    byte[] f;
    try {
      f = inbound.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException(ErrorCode.TRANSPORT_FAILURE, "interrupted while receiving");
    }
    if (f == null) {
      throw new TransportException(
          ErrorCode.TIMEOUT, "no frame within " + timeout.toMillis() + " ms");
    }
    if (f == CLOSED) {
      inbound.add(CLOSED); // stay closed for later receives
      throw new TransportException(ErrorCode.TRANSPORT_FAILURE, "peer closed the connection");
    }
    return f;
  }

  @Override
  public int maxFrameLength() {
    return maxFrameLength;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      peer.inbound.add(CLOSED);
    }
  }

  @Override
  public String toString() {
    return "InMemoryTransport[" + name + (closed ? ", closed" : "") + "]";
  }
}
