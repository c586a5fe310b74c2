package dev.keytransfer.netty;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.TransportException;
import dev.keytransfer.core.handshake.FrameSession;
import dev.keytransfer.core.tls.TlsSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key host's TCP server for networks it does not trust: non-blocking, on Netty. It speaks the
 * framing of {@code TcpTransport} (a 4-byte big-endian length, then the frame), so terminals use
 * {@code TcpTransport} unchanged, and it has the shape of {@code TcpKeyServer}: a builder, {@link
 * #start()}, {@link #port()}, {@link #close()} and a listener told each session's outcome.
 *
 * <pre>{@code
 * try (NettyKeyServer<DeliveryReceipt> server =
 *     NettyKeyServer.builder().port(9400).build(host::openSession)) {
 *   server.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>What a peer can take is bounded (docs/SECURITY.md A3):
 *
 * <ul>
 *   <li><b>Threads.</b> One thread accepts and a few network threads move the bytes; no thread
 *       waits for a peer's next frame. The handshakes' CPU work (certificate validation, the key
 *       token's RSA, ledger writes) runs on a pool of {@link Builder#threads} threads, one per core
 *       by default, each session's steps one after another. A new terminal is admitted while fewer
 *       than {@link Builder#queueCapacity} tasks wait; beyond that it is refused at once with the
 *       public {@code PEER_TRY_LATER} (an {@code ABORT} frame; outcome {@code HOST_BUSY}), rather
 *       than waiting behind work it cannot overtake. A terminal already in its handshake is never
 *       refused for load.
 *   <li><b>Deadlines</b>, all absolute, none moved by a byte arriving: a frame must be whole within
 *       {@link Builder#frameTimeout} of its first byte; each frame must be whole within {@link
 *       Builder#stepTimeout} of the host being ready for it (after accept, after each answer); the
 *       session must be over within {@link Builder#sessionTimeout} of accept. A peer that drips one
 *       byte at a time, or says nothing, is closed at the first of them ({@code TIMEOUT}).
 *   <li><b>Frames.</b> The length is checked as soon as its 4 bytes are in, before any body is
 *       kept: zero is {@code MALFORMED_FRAME}, above {@link Builder#maxFrameLength} {@code
 *       FRAME_TOO_LARGE}; the connection is closed at once.
 *   <li><b>Connections.</b> At most {@link Builder#maxConnections} open, and {@link
 *       Builder#maxConnectionsPerAddress} from one source address; one more is closed at once
 *       (reset, no frame read) and counted ({@link #refusedConnections()}).
 *   <li><b>Accept failures</b> (out of file descriptors): accepting pauses, 10 ms doubling to 1 s,
 *       and at most one log line per 10 s counts the failures not logged.
 *   <li><b>TLS</b>, optional ({@link Builder#tls}): TLS 1.3 only, on the JDK's TLS (no native
 *       library), a client certificate required when the settings trust client CAs. The TLS
 *       handshake counts against the same deadlines: it is part of the wait for the first frame
 *       (step and session deadlines from accept) and must itself be done within {@link
 *       Builder#frameTimeout}, so a peer that never finishes it, or drips it, is closed ({@code
 *       TIMEOUT}); a refused TLS handshake is {@code TLS_FAILURE}. Neither opens a session.
 * </ul>
 *
 * <p>Every connection within the caps ends with exactly one {@link SessionOutcome}: the session's
 * result, or the {@link KeyTransferException} with the stable code that ended it. The session is
 * the one {@code KeyTransferHost.serve} runs (through {@link FrameSession}), failed with the same
 * codes at the same points, so the ledger and the audit record are what the blocking path leaves.
 * The listener is called on a network thread and must not block.
 *
 * @param <R> what a successful session returns (a delivery receipt)
 */
public final class NettyKeyServer<R> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NettyKeyServer.class);
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** The default maximum frame, as {@code TcpTransport}'s: 64 KiB. */
  public static final int DEFAULT_MAX_FRAME_LENGTH = 64 * 1024;

  /**
   * The outcome of one connection, for listeners.
   *
   * @param peer the peer's address, for logs
   * @param result what the session returned; null if it failed
   * @param failure why it failed; null if it succeeded
   * @param elapsed from accept to the outcome
   */
  public record SessionOutcome<R>(
      String peer, R result, KeyTransferException failure, Duration elapsed) {
    public boolean succeeded() {
      return failure == null;
    }
  }

  private final InetAddress bindAddress;
  private final int requestedPort;
  private final int threads;
  private final int ioThreads;
  private final int queueCapacity;
  private final int backlog;
  private final int maxFrameLength;
  private final int maxConnections;
  private final int maxConnectionsPerAddress;
  private final Duration stepTimeout;
  private final Duration frameTimeout;
  private final Duration sessionTimeout;
  private final long closeGraceMillis;
  private final SslContext tls;
  private final Supplier<FrameSession<R>> sessions;
  private final Consumer<SessionOutcome<R>> listener;
  private final ConnectionLimiter limiter;
  private final AcceptBackoff acceptBackoff = new AcceptBackoff(log, LOG_EVERY_NANOS);
  private final LogThrottle busyLog = new LogThrottle(LOG_EVERY_NANOS);
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong busy = new AtomicLong();
  private final AtomicLong unfinished = new AtomicLong();
  private final Object unfinishedLock = new Object();
  private HandshakePool pool;
  private EventLoopGroup acceptGroup;
  private EventLoopGroup ioGroup;
  private ChannelGroup connections;
  private Channel listening;
  private int port;
  private boolean running;

  private NettyKeyServer(
      Builder b, Supplier<FrameSession<R>> sessions, Consumer<SessionOutcome<R>> listener) {
    this.bindAddress = b.bindAddress;
    this.requestedPort = b.port;
    this.threads = b.threads;
    this.ioThreads = b.ioThreads;
    this.queueCapacity = b.queueCapacity > 0 ? b.queueCapacity : 32 * b.threads;
    this.backlog = b.backlog;
    this.maxFrameLength = b.maxFrameLength;
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
    this.stepTimeout = b.stepTimeout;
    this.frameTimeout = b.frameTimeout;
    this.sessionTimeout = b.sessionTimeout;
    this.closeGraceMillis = b.closeGrace.toMillis();
    this.tls = b.tls == null ? null : sslContext(b.tls);
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.listener = listener;
    this.limiter = new ConnectionLimiter(maxConnections, maxConnectionsPerAddress);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Netty's server context for the settings: the JDK's TLS, TLS 1.3 only. */
  private static SslContext sslContext(TlsSettings settings) {
    if (!settings.hasIdentity()) {
      throw new IllegalArgumentException("a TLS server needs a certificate and its private key");
    }
    SslContextBuilder b =
        SslContextBuilder.forServer(settings.keyManagerFactory())
            .sslProvider(SslProvider.JDK)
            .protocols(TlsSettings.PROTOCOL);
    if (settings.requiresClientCertificate() && settings.trustedCertificates().isEmpty()) {
      // client certificates from any public CA would be admitted: name the CAs instead
      throw new IllegalArgumentException(
          "a TLS server does not take the JDK's default CAs for client certificates");
    }
    if (settings.requiresClientCertificate()) {
      b.trustManager(settings.trustManagerFactory()).clientAuth(ClientAuth.REQUIRE);
    }
    try {
      return b.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot use the TLS settings: " + e.getMessage(), e);
    }
  }

  /**
   * Binds and starts accepting.
   *
   * @throws TransportException {@code TRANSPORT_FAILURE} if the address cannot be bound
   */
  public synchronized NettyKeyServer<R> start() throws KeyTransferException {
    if (running || pool != null) {
      throw new IllegalStateException("already started");
    }
    pool = new HandshakePool(threads, queueCapacity, maxConnections, "kdh-handshake");
    acceptGroup =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("kdh-accept", true), NioIoHandler.newFactory());
    ioGroup =
        new MultiThreadIoEventLoopGroup(
            ioThreads, new DefaultThreadFactory("kdh-io", true), NioIoHandler.newFactory());
    connections = new DefaultChannelGroup("kdh-connections", GlobalEventExecutor.INSTANCE);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptGroup, ioGroup)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, backlog)
            .option(ChannelOption.SO_REUSEADDR, true)
            .handler(acceptBackoff)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    admit(ch);
                  }
                });
    try {
      listening =
          bootstrap.bind(new InetSocketAddress(bindAddress, requestedPort)).sync().channel();
    } catch (Exception e) {
      stopThreads();
      pool = null;
      throw new TransportException(
          ErrorCode.TRANSPORT_FAILURE,
          "cannot listen on "
              + bindAddress.getHostAddress()
              + ":"
              + requestedPort
              + ": "
              + e.getMessage());
    }
    port = ((InetSocketAddress) listening.localAddress()).getPort();
    running = true;
    log.info(
        "key host listening on {}:{}{}: {} handshake threads (queue {}), at most {} connections, {}"
            + " per address; deadlines: frame {} ms, step {} ms, session {} ms",
        bindAddress.getHostAddress(),
        port,
        tls == null ? "" : " (TLS 1.3)",
        threads,
        queueCapacity,
        maxConnections,
        maxConnectionsPerAddress,
        frameTimeout.toMillis(),
        stepTimeout.toMillis(),
        sessionTimeout.toMillis());
    return this;
  }

  /** A new connection: within the caps it gets its handlers, otherwise it is closed at once. */
  private void admit(SocketChannel ch) {
    InetAddress address = ch.remoteAddress().getAddress();
    if (!limiter.tryAcquire(address)) {
      // no frame is read: a reset now frees the descriptor and leaves no TIME_WAIT here
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
      ch.close();
      return;
    }
    ch.closeFuture().addListener((ChannelFutureListener) f -> limiter.release(address));
    connections.add(ch);
    FrameDecoder decoder = new FrameDecoder(maxFrameLength, frameTimeout);
    if (tls != null) {
      SslHandler ssl = tls.newHandler(ch.alloc());
      // the TLS handshake is bytes before the first frame: as a frame, whole within frameTimeout
      ssl.setHandshakeTimeoutMillis(Math.min(frameTimeout.toMillis(), stepTimeout.toMillis()));
      ssl.setCloseNotifyFlushTimeoutMillis(1_000);
      ch.pipeline().addLast("tls", ssl);
    }
    ch.pipeline()
        .addLast("frames", decoder)
        .addLast("session", new HostConnection<>(this, decoder));
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return port;
  }

  /** Sessions that completed. */
  public long completedSessions() {
    return completed.get();
  }

  /** Connections within the caps whose session failed, those refused as busy included. */
  public long failedSessions() {
    return failed.get();
  }

  /** New terminals refused at once with {@code PEER_TRY_LATER} because the pool was full. */
  public long busyRefusals() {
    return busy.get();
  }

  /** Connections closed at once, unread, because a connection cap was reached. */
  public long refusedConnections() {
    return limiter.refused();
  }

  /** Accepts that failed (out of file descriptors, mostly). */
  public long acceptFailures() {
    return acceptBackoff.failures();
  }

  /** Connections open now, within the caps. */
  public int openConnections() {
    return limiter.open();
  }

  HandshakePool pool() {
    return pool;
  }

  FrameSession<R> openSession() {
    return Objects.requireNonNull(sessions.get(), "session");
  }

  int maxFrameLength() {
    return maxFrameLength;
  }

  Duration stepTimeout() {
    return stepTimeout;
  }

  Duration sessionTimeout() {
    return sessionTimeout;
  }

  Duration frameTimeout() {
    return frameTimeout;
  }

  void connectionOpened() {
    unfinished.incrementAndGet();
  }

  void refusedBusy() {
    busy.incrementAndGet();
    long notLogged = busyLog.tryLog();
    if (notLogged >= 0) {
      log.warn(
          "handshake queue full ({} waiting): new terminals refused with PEER_TRY_LATER{}",
          pool.queued(),
          LogThrottle.notLogged(notLogged));
    }
  }

  /** One connection's outcome: counted, logged, passed to the listener. Exactly once each. */
  void report(
      String peer, R result, KeyTransferException failure, Duration elapsed, boolean hadSession) {
    if (failure == null) {
      completed.incrementAndGet();
      log.info("session {} completed in {} ms: {}", peer, elapsed.toMillis(), result);
    } else {
      failed.incrementAndGet();
      if (hadSession) {
        log.warn("session {} failed in {} ms: {}", peer, elapsed.toMillis(), failure.code());
      } else { // no whole frame, or refused busy: scans and floods cost no log line each
        log.debug("connection {} ended in {} ms: {}", peer, elapsed.toMillis(), failure.code());
      }
    }
    if (listener != null) {
      try {
        listener.accept(new SessionOutcome<>(peer, result, failure, elapsed));
      } catch (RuntimeException e) {
        log.warn("session listener failed: {}", e.toString());
      }
    }
    if (unfinished.decrementAndGet() == 0) {
      synchronized (unfinishedLock) {
        unfinishedLock.notifyAll();
      }
    }
  }

  /**
   * Stops accepting, waits up to the close grace (5 s by default) for the sessions under way, then
   * closes their connections (their sessions fail with {@code TRANSPORT_FAILURE}, each with its
   * outcome), and stops the threads.
   */
  @Override
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    listening.close().syncUninterruptibly();
    try {
      awaitUnfinished(closeGraceMillis);
      connections.close().awaitUninterruptibly(5_000);
      awaitUnfinished(5_000);
      pool.shutdown(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopThreads();
    log.info(
        "key host on port {} stopped: {} sessions completed, {} failed ({} refused busy), {}"
            + " connections over the caps, {} failed accepts",
        port,
        completed.get(),
        failed.get(),
        busy.get(),
        limiter.refused(),
        acceptBackoff.failures());
  }

  private void awaitUnfinished(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (unfinishedLock) {
      while (unfinished.get() > 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return;
        }
        unfinishedLock.wait(Math.min(left, 50));
      }
    }
  }

  private void stopThreads() {
    if (ioGroup != null) {
      ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    if (acceptGroup != null) {
      acceptGroup
          .shutdownGracefully(0, 2, TimeUnit.SECONDS)
          .awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Builder. Defaults: loopback, port 0 (any free port), one handshake thread per core with a queue
   * of 32 tasks per thread, 1024 connections and 64 per source address, backlog 1024, 64 KiB
   * frames, deadlines of 10 s per frame, 30 s per step and 60 s per session.
   */
  public static final class Builder {
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int port;
    private int threads = Runtime.getRuntime().availableProcessors();
    private int ioThreads = Math.min(2, Runtime.getRuntime().availableProcessors());
    private int queueCapacity;
    private int backlog = 1024;
    private int maxFrameLength = DEFAULT_MAX_FRAME_LENGTH;
    private int maxConnections = 1024;
    private int maxConnectionsPerAddress = 64;
    private Duration frameTimeout = Duration.ofSeconds(10);
    private Duration stepTimeout = Duration.ofSeconds(30);
    private Duration sessionTimeout = Duration.ofSeconds(60);
    private Duration closeGrace = Duration.ofSeconds(5);
    private TlsSettings tls;

    private Builder() {}

    /**
     * Serve over TLS 1.3 with this identity; if the settings trust CAs, every terminal must present
     * a client certificate issued under one of them (mutual TLS). Null (the default) is plain TCP.
     * The TR-34 tokens are protected end to end either way.
     *
     * @throws IllegalArgumentException at {@code build} if the settings have no identity
     */
    public Builder tls(TlsSettings settings) {
      this.tls = settings;
      return this;
    }

    public Builder bindAddress(InetAddress a) {
      this.bindAddress = Objects.requireNonNull(a);
      return this;
    }

    /** The port; 0 picks a free one (read it back with {@link NettyKeyServer#port()}). */
    public Builder port(int p) {
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException("port must be 0..65535");
      }
      this.port = p;
      return this;
    }

    /**
     * Threads of the handshake pool, which runs the CPU work of the sessions (default: one per
     * core). No thread waits for a peer, so more threads than cores buy nothing unless the ledger
     * or a key token's signature waits on something remote (a database, an HSM).
     */
    public Builder threads(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("threads must be 1..1024");
      }
      this.threads = n;
      return this;
    }

    /** Network threads moving the bytes (default: 2, or 1 on one core). */
    public Builder ioThreads(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("io threads must be 1..64");
      }
      this.ioThreads = n;
      return this;
    }

    /**
     * How many handshake tasks may wait before new terminals are refused with {@code
     * PEER_TRY_LATER} (default: 32 per handshake thread).
     */
    public Builder queueCapacity(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("queue capacity must be positive");
      }
      this.queueCapacity = n;
      return this;
    }

    public Builder backlog(int n) {
      this.backlog = Math.max(1, n);
      return this;
    }

    public Builder maxFrameLength(int n) {
      if (n < 16) {
        throw new IllegalArgumentException("max frame length too small");
      }
      this.maxFrameLength = n;
      return this;
    }

    /** Connections open at once; one more is closed at once (default 1024). */
    public Builder maxConnections(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("max connections must be positive");
      }
      this.maxConnections = n;
      return this;
    }

    /**
     * Connections open at once from one source address (default 64). Terminals behind one NAT share
     * an address: raise it for them.
     */
    public Builder maxConnectionsPerAddress(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("max connections per address must be positive");
      }
      this.maxConnectionsPerAddress = n;
      return this;
    }

    /** How long a frame may take from its first byte to its last (default 10 s). */
    public Builder frameTimeout(Duration d) {
      this.frameTimeout = positive(d, "frame");
      return this;
    }

    /**
     * How long the host waits for a whole frame once it is ready for it: after accept, and after
     * each answer (default 30 s).
     */
    public Builder stepTimeout(Duration d) {
      this.stepTimeout = positive(d, "step");
      return this;
    }

    /** How long a session may take from accept to its last frame (default 60 s). */
    public Builder sessionTimeout(Duration d) {
      this.sessionTimeout = positive(d, "session");
      return this;
    }

    /**
     * How long {@link NettyKeyServer#close()} waits for the sessions under way before it closes
     * their connections (default 5 s).
     */
    public Builder closeGrace(Duration d) {
      Objects.requireNonNull(d, "close grace");
      if (d.isNegative()) {
        throw new IllegalArgumentException("close grace must not be negative");
      }
      this.closeGrace = d;
      return this;
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what + " timeout");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " timeout must be positive");
      }
      return d;
    }

    /**
     * A server whose sessions come from {@code sessions}, one per connection, typically {@code
     * host::openSession} of a {@code KeyTransferHost}.
     */
    public <R> NettyKeyServer<R> build(Supplier<FrameSession<R>> sessions) {
      return new NettyKeyServer<>(this, sessions, null);
    }

    /** As {@link #build(Supplier)}, calling {@code listener} with every connection's outcome. */
    public <R> NettyKeyServer<R> build(
        Supplier<FrameSession<R>> sessions, Consumer<SessionOutcome<R>> listener) {
      return new NettyKeyServer<>(this, sessions, listener);
    }
  }
}
