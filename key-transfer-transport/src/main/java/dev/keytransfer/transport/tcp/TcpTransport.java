package dev.keytransfer.transport.tcp;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.MalformedTokenException;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.spi.Transport;
import dev.keytransfer.core.tls.TlsSettings;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * A {@link Transport} over one TCP connection. Each frame is a 4-byte big-endian length followed by
 * that many bytes. The length is checked against the maximum before anything is read or allocated
 * (before any parsing, docs/SECURITY.md R5). Every receive has an absolute deadline: the whole
 * frame, length and body, must have arrived when its timeout is up, however the peer spreads its
 * bytes, so a peer that sends one byte now and then cannot hold the connection past it; the connect
 * has a timeout too (A3). A frame that cannot be read whole breaks the connection: there is no
 * resynchronisation. One session uses one instance from one thread.
 *
 * <p>With {@link TlsSettings} the connection is TLS 1.3 only ({@link #connect(String, int,
 * Duration, int, TlsSettings)}): the host's certificate must chain to the CAs given and name the
 * host dialled, and the TLS handshake must be done within the connect timeout, an absolute deadline
 * like the others: a host that never finishes it, or drips it, is dropped then ({@code TIMEOUT}). A
 * TLS refusal is {@code TLS_FAILURE}. Over TLS a timer closes the connection at each receive's
 * deadline, since the TLS layer may read more than once within one read of the frame.
 */
public final class TcpTransport implements Transport {
  /** Default maximum frame: 64 KiB. */
  public static final int DEFAULT_MAX_FRAME_LENGTH = 64 * 1024;

  private final Socket socket;

  /**
   * The TCP socket under the TLS socket, closed by the deadline timer; {@link #socket} if plain.
   */
  private final Socket raw;

  private final boolean tls;
  private final InputStream in;
  private final DataOutputStream out;
  private final int maxFrameLength;
  private volatile boolean closed;

  private TcpTransport(Socket socket, int maxFrameLength) throws IOException {
    this(socket, socket, maxFrameLength);
  }

  private TcpTransport(Socket socket, Socket raw, int maxFrameLength) throws IOException {
    if (maxFrameLength < 16) {
      throw new IllegalArgumentException("max frame length too small");
    }
    this.socket = socket;
    this.raw = raw;
    this.tls = socket instanceof SSLSocket;
    this.maxFrameLength = maxFrameLength;
    socket.setTcpNoDelay(true);
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
  }

  /**
   * Connects to a key host.
   *
   * @throws TransportException {@code TIMEOUT} if the connect takes longer than {@code
   *     connectTimeout}, {@code TRANSPORT_FAILURE} if it is refused or fails
   */
  public static TcpTransport connect(
      String host, int port, Duration connectTimeout, int maxFrameLength)
      throws TransportException {
    Objects.requireNonNull(host, "host");
    Socket s = new Socket();
    try {
      s.connect(
          new InetSocketAddress(host, port),
          Math.toIntExact(Math.max(1, connectTimeout.toMillis())));
      return new TcpTransport(s, maxFrameLength);
    } catch (SocketTimeoutException e) {
      closeQuietly(s);
      throw new TransportException(
          ErrorCode.TIMEOUT, "connect to " + host + ":" + port + " timed out");
    } catch (IOException e) {
      closeQuietly(s);
      throw new TransportException(
          ErrorCode.TRANSPORT_FAILURE,
          "cannot connect to " + host + ":" + port + ": " + e.getMessage());
    }
  }

  /**
   * Connects to a key host over TLS 1.3 (docs/SECURITY.md A3): the TCP connect and the TLS
   * handshake together must be done within {@code timeout} of the call, however the host spreads
   * its bytes. The host's certificate must chain to the CAs of {@code tls} and, unless turned off
   * there, name {@code host} (a DNS name or IP address in its subjectAltName); this side presents
   * the identity of {@code tls} if it has one (mutual TLS).
   *
   * @param tls null for plain TCP, as {@link #connect(String, int, Duration, int)}
   * @throws TransportException {@code TIMEOUT} if the connect or the TLS handshake takes longer
   *     than {@code timeout}, {@code TLS_FAILURE} if TLS is refused (certificate, host name,
   *     protocol version), {@code TRANSPORT_FAILURE} if the connect is refused or fails
   */
  public static TcpTransport connect(
      String host, int port, Duration timeout, int maxFrameLength, TlsSettings tls)
      throws TransportException {
    if (tls == null) {
      return connect(host, port, timeout, maxFrameLength);
    }
    Objects.requireNonNull(host, "host");
    SSLContext ctx = tls.sslContext();
    javax.net.ssl.SSLParameters params = tls.clientParameters(ctx);
    long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
    TcpTransport plain = connect(host, port, timeout, maxFrameLength);
    Socket s = plain.socket;
    String where = "TLS handshake with " + host + ":" + port;
    AtomicBoolean fired = new AtomicBoolean();
    java.util.concurrent.ScheduledFuture<?> timer = null;
    try {
      SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(s, host, port, true);
      ssl.setUseClientMode(true);
      ssl.setSSLParameters(params);
      timer = closeAt(s, deadline, fired);
      ssl.setSoTimeout(millisLeft(deadline));
      ssl.startHandshake();
      timer.cancel(false);
      if (fired.get()) {
        throw new SocketTimeoutException("deadline passed");
      }
      return new TcpTransport(ssl, s, maxFrameLength);
    } catch (IOException e) {
      if (timer != null) {
        timer.cancel(false);
      }
      closeQuietly(s);
      if (fired.get() || e instanceof SocketTimeoutException) {
        throw new TransportException(
            ErrorCode.TIMEOUT, where + " not done within " + timeout.toMillis() + " ms");
      }
      throw TlsSettings.failure(e, where);
    }
  }

  /** Connects with a 10 s connect timeout and the default maximum frame. */
  public static TcpTransport connect(String host, int port) throws TransportException {
    return connect(host, port, Duration.ofSeconds(10), DEFAULT_MAX_FRAME_LENGTH);
  }

  /** Wraps an accepted or connected socket; the transport owns it from now on. */
  public static TcpTransport wrap(Socket socket, int maxFrameLength) throws TransportException {
    try {
      return new TcpTransport(socket, maxFrameLength);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new TransportException(
          ErrorCode.TRANSPORT_FAILURE, "cannot use connection: " + e.getMessage());
    }
  }

  @Override
  public void send(byte[] frame) throws TransportException {
    Transport.checkOutgoing(frame, maxFrameLength);
    try {
      out.writeInt(frame.length);
      out.write(frame);
      out.flush();
    } catch (IOException e) {
      if (tls && !(e instanceof SSLException)) {
        // TLS 1.3: a host that refused this side's client certificate did so after the handshake
        // ended here; its alert may be waiting, while the write broke on the connection it closed
        e = pendingAlert(e);
      }
      close();
      if (tls && e instanceof SSLException) {
        throw TlsSettings.failure(e, "connection broke while sending");
      }
      throw new TransportException(
          ErrorCode.TRANSPORT_FAILURE, "connection broke while sending: " + e.getMessage());
    }
  }

  /**
   * Receives one frame, all of it within {@code timeout} from now: each read waits only for what is
   * left of that time, so the deadline holds however the peer spreads its bytes.
   *
   * @throws TransportException {@code TIMEOUT} if the whole frame has not arrived in time, {@code
   *     FRAME_TOO_LARGE} (decided from the length, before the body is read), {@code
   *     TRANSPORT_FAILURE}
   * @throws MalformedTokenException {@code MALFORMED_FRAME} for a length of zero or less
   */
  @Override
  public byte[] receive(Duration timeout) throws TransportException, MalformedTokenException {
    if (closed) {
      throw new TransportException(ErrorCode.TRANSPORT_FAILURE, "connection is closed");
    }
    long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
    AtomicBoolean fired = new AtomicBoolean();
    java.util.concurrent.ScheduledFuture<?> timer = tls ? closeAt(raw, deadline, fired) : null;
    try {
      byte[] prefix = new byte[4];
      readFully(prefix, deadline);
      int length =
          ((prefix[0] & 0xFF) << 24)
              | ((prefix[1] & 0xFF) << 16)
              | ((prefix[2] & 0xFF) << 8)
              | (prefix[3] & 0xFF);
      if (length <= 0) {
        close();
        throw new MalformedTokenException(
            ErrorCode.MALFORMED_FRAME, "peer announced a frame of " + length + " bytes");
      }
      if (length > maxFrameLength) {
        close();
        throw new TransportException(
            ErrorCode.FRAME_TOO_LARGE,
            "peer announced a frame of " + length + " bytes (maximum " + maxFrameLength + ")");
      }
      byte[] frame = new byte[length];
      readFully(frame, deadline);
      return frame;
    } catch (IOException e) {
      close();
      if (e instanceof SocketTimeoutException || fired.get()) {
        throw new TransportException(
            ErrorCode.TIMEOUT, "no whole frame within " + timeout.toMillis() + " ms");
      }
      if (e instanceof EOFException) {
        throw new TransportException(ErrorCode.TRANSPORT_FAILURE, "peer closed the connection");
      }
      if (tls && e instanceof SSLException) { // e.g. the host required a client certificate
        throw TlsSettings.failure(e, "connection broke while receiving");
      }
      throw new TransportException(
          ErrorCode.TRANSPORT_FAILURE, "connection broke while receiving: " + e.getMessage());
    } finally {
      if (timer != null) {
        timer.cancel(false);
      }
    }
  }

  /**
   * The TLS alert the peer sent before it closed, if one is there within 500 ms; else {@code e}.
   */
  private IOException pendingAlert(IOException e) {
    try {
      socket.setSoTimeout(500);
      socket.getInputStream().read();
    } catch (SSLException alert) {
      return alert;
    } catch (IOException | RuntimeException ignored) {
      // no alert: the connection simply broke
    }
    return e;
  }

  private static int millisLeft(long deadline) {
    long left = deadline - System.nanoTime();
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
  }

  /**
   * Closes the TCP socket {@code s} at {@code deadline} ({@link System#nanoTime}), unless
   * cancelled.
   */
  private static java.util.concurrent.ScheduledFuture<?> closeAt(
      Socket s, long deadline, AtomicBoolean fired) {
    return Deadlines.TIMER.schedule(
        () -> {
          fired.set(true);
          closeQuietly(s);
        },
        Math.max(0, deadline - System.nanoTime()),
        TimeUnit.NANOSECONDS);
  }

  /** One daemon thread, created on first TLS use, that closes connections at their deadlines. */
  private static final class Deadlines {
    static final ScheduledThreadPoolExecutor TIMER;

    static {
      ThreadFactory f =
          r -> {
            Thread t = new Thread(r, "tls-deadlines");
            t.setDaemon(true);
            return t;
          };
      TIMER = new ScheduledThreadPoolExecutor(1, f);
      TIMER.setRemoveOnCancelPolicy(true);
    }
  }

  /**
   * Fills {@code b}, each read waiting at most until {@code deadline} ({@link System#nanoTime}).
   */
  private void readFully(byte[] b, long deadline) throws IOException {
    int off = 0;
    while (off < b.length) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("deadline passed");
      }
      // at least 1 ms: 0 would mean no timeout at all
      socket.setSoTimeout(millisLeft(deadline));
      int n = in.read(b, off, b.length - off);
      if (n < 0) {
        throw new EOFException();
      }
      off += n;
    }
  }

  @Override
  public int maxFrameLength() {
    return maxFrameLength;
  }

  /** The peer's address, for logs. */
  public String peer() {
    return String.valueOf(socket.getRemoteSocketAddress());
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      closeQuietly(socket); // over TLS, a close_notify first (it fits the socket's buffer)
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing more to do with a socket that will not close
    }
  }

  @Override
  public String toString() {
    return "TcpTransport[" + peer() + (tls ? ", TLS" : "") + (closed ? ", closed" : "") + "]";
  }
}
