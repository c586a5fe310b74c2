package dev.keytransfer.transport.tcp;

import dev.keytransfer.core.ErrorCode;
import dev.keytransfer.core.InternalErrorException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.TransportException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simple blocking TCP server for the distribution terminal: accepts connections on one thread and
 * serves each on a worker pool with a {@link SessionHandler} (typically {@code host::serve}), one
 * log line per session. Frame size and deadlines are enforced by {@link TcpTransport} (the whole
 * frame within the step timeout) and the host's session driver (the session timeout). A failing
 * accept (out of file descriptors) is retried after a pause, logged at most once per 10 s.
 *
 * <p>Each connection holds a worker thread for as long as its session lasts, waiting included, so
 * as many silent or slow peers as there are threads delay every other terminal by up to the session
 * timeout. That suits a host on a network it trusts, tests and embedding without extra libraries; a
 * host that untrusted peers can reach runs {@code NettyKeyServer} (module key-transfer-netty),
 * which holds no thread while a peer is silent and caps connections (docs/SECURITY.md A3).
 *
 * <pre>{@code
 * try (TcpKeyServer server = TcpKeyServer.builder().port(9400).threads(8).build(host::serve)) {
 *   server.start();
 *   ...
 * }
 * }</pre>
 *
 * @param <R> what a successful session returns
 */
public final class TcpKeyServer<R> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TcpKeyServer.class);

  /** The outcome of one served connection, for listeners. */
  public record SessionOutcome<R>(
      String peer, R result, KeyTransferException failure, Duration elapsed) {
    public boolean succeeded() {
      return failure == null;
    }
  }

  private final InetAddress bindAddress;
  private final int requestedPort;
  private final int threads;
  private final int backlog;
  private final int maxFrameLength;
  private final SessionHandler<R> handler;
  private final Consumer<SessionOutcome<R>> listener;
  private final Set<Socket> active = ConcurrentHashMap.newKeySet();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private ServerSocket serverSocket;
  private ExecutorService workers;
  private Thread acceptor;
  private volatile boolean running;

  private TcpKeyServer(Builder b, SessionHandler<R> handler, Consumer<SessionOutcome<R>> listener) {
    this.bindAddress = b.bindAddress;
    this.requestedPort = b.port;
    this.threads = b.threads;
    this.backlog = b.backlog;
    this.maxFrameLength = b.maxFrameLength;
    this.handler = Objects.requireNonNull(handler, "handler");
    this.listener = listener;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds and starts accepting. */
  public synchronized TcpKeyServer<R> start() throws KeyTransferException {
    if (running) {
      throw new IllegalStateException("already started");
    }
    try {
      serverSocket = new ServerSocket();
      serverSocket.setReuseAddress(true);
      serverSocket.bind(new InetSocketAddress(bindAddress, requestedPort), backlog);
    } catch (IOException e) {
      throw new TransportException(
          ErrorCode.TRANSPORT_FAILURE,
          "cannot listen on "
              + bindAddress.getHostAddress()
              + ":"
              + requestedPort
              + ": "
              + e.getMessage());
    }
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf =
        r -> {
          Thread t = new Thread(r, "kdh-session-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    workers = Executors.newFixedThreadPool(threads, tf);
    running = true;
    acceptor = new Thread(this::acceptLoop, "kdh-acceptor-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
    log.info(
        "key host listening on {}:{} with {} session threads",
        bindAddress.getHostAddress(),
        port(),
        threads);
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return serverSocket.getLocalPort();
  }

  public long completedSessions() {
    return completed.get();
  }

  public long failedSessions() {
    return failed.get();
  }

  private void acceptLoop() {
    AcceptFailures failures = new AcceptFailures(log);
    while (running) {
      Socket s;
      try {
        s = serverSocket.accept();
        failures.succeeded();
      } catch (IOException e) {
        if (!running || serverSocket.isClosed()) {
          return;
        }
        try {
          failures.failed(e);
        } catch (InterruptedException interrupted) {
          return;
        }
        continue;
      }
      active.add(s);
      try {
        workers.execute(() -> serve(s));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        active.remove(s);
        closeQuietly(s);
      }
    }
  }

  private void serve(Socket s) {
    long start = System.nanoTime();
    String peer = String.valueOf(s.getRemoteSocketAddress());
    R result = null;
    KeyTransferException failure = null;
    try (TcpTransport t = TcpTransport.wrap(s, maxFrameLength)) {
      result = handler.serve(t);
    } catch (KeyTransferException e) {
      failure = e;
    } catch (RuntimeException | Error e) { // every connection ends with one outcome
      failure = new InternalErrorException("session handler failed", e);
    } finally {
      active.remove(s);
      closeQuietly(s);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    if (failure == null) {
      completed.incrementAndGet();
      log.info("session {} completed in {} ms: {}", peer, elapsed.toMillis(), result);
    } else {
      failed.incrementAndGet();
      log.warn("session {} failed in {} ms: {}", peer, elapsed.toMillis(), failure.code());
    }
    if (listener != null) {
      try {
        listener.accept(new SessionOutcome<>(peer, result, failure, elapsed));
      } catch (RuntimeException e) {
        log.warn("session listener failed: {}", e.toString());
      }
    }
  }

  /** Stops accepting, waits up to 5 s for sessions under way, then closes their connections. */
  @Override
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    try {
      serverSocket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
        active.forEach(TcpKeyServer::closeQuietly);
        workers.shutdownNow();
        workers.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      active.forEach(TcpKeyServer::closeQuietly);
      workers.shutdownNow();
    }
    log.info(
        "key host on port {} stopped: {} sessions completed, {} failed",
        serverSocket.getLocalPort(),
        completed.get(),
        failed.get());
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already broken
    }
  }

  /** Builder: defaults loopback, port 0 (any free port), 8 threads, backlog 256, 64 KiB frames. */
  public static final class Builder {
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int port;
    private int threads = 8;
    private int backlog = 256;
    private int maxFrameLength = TcpTransport.DEFAULT_MAX_FRAME_LENGTH;

    private Builder() {}

    public Builder bindAddress(InetAddress a) {
      this.bindAddress = Objects.requireNonNull(a);
      return this;
    }

    /** The port; 0 picks a free one (read it back with {@link TcpKeyServer#port()}). */
    public Builder port(int p) {
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException("port must be 0..65535");
      }
      this.port = p;
      return this;
    }

    public Builder threads(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("threads must be 1..1024");
      }
      this.threads = n;
      return this;
    }

    public Builder backlog(int n) {
      this.backlog = Math.max(1, n);
      return this;
    }

    public Builder maxFrameLength(int n) {
      this.maxFrameLength = n;
      return this;
    }

    public <R> TcpKeyServer<R> build(SessionHandler<R> handler) {
      return new TcpKeyServer<>(this, handler, null);
    }

    /** As {@link #build(SessionHandler)}, calling {@code listener} after every session. */
    public <R> TcpKeyServer<R> build(
        SessionHandler<R> handler, Consumer<SessionOutcome<R>> listener) {
      return new TcpKeyServer<>(this, handler, listener);
    }
  }
}
