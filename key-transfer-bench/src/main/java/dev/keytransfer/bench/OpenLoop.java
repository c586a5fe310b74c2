package dev.keytransfer.bench;

import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.netty.NettyKeyServer;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Terminals arriving at a steady rate, over loopback TCP, at the fixtures' host served on {@link
 * NettyKeyServer} (its handshake pool one thread per core): the latency a terminal sees at a given
 * load, rather than the throughput of a closed loop.
 *
 * <p>Arrivals are scheduled at a fixed interval (1/rate) from the start; each one is handed at its
 * time to a thread of an unbounded pool, so a slow handshake never delays the next arrival, and its
 * latency is measured from its <b>scheduled</b> arrival time to the installed key: time lost
 * anywhere (a late scheduler, a busy client thread, the host's queue) counts against the latency,
 * with no coordinated omission. The terminals run in this JVM on the same provider, with real
 * validation and decryption, so their work competes with the host's for the same cores (as in the
 * full-handshake measurement the rate is derived from). Sessions running at once use distinct
 * enrolled credentials, each with new stores; if all are in use an arrival waits, and that wait is
 * in its latency (reported as {@code credentialWaits}). Every session must install its key, or the
 * run fails.
 */
public final class OpenLoop {
  /** Credentials enrolled for the open loop at least. */
  public static final int CREDENTIALS = 8;

  /**
   * @param ratePerSecond the offered rate
   * @param arrivals sessions started (all completed)
   * @param credentialWaits arrivals that had to wait for a free credential
   */
  public record Result(
      double ratePerSecond,
      long arrivals,
      double p50Ms,
      double p99Ms,
      double maxMs,
      long credentialWaits) {
    /** True if the 99th percentile is under {@code ms}. */
    public boolean p99Under(double ms) {
      return p99Ms < ms;
    }
  }

  private OpenLoop() {}

  /**
   * The rate the open loop's set-up sustains: {@code clients} terminals in a closed loop (each
   * starts its next session when the last one has its key) over loopback TCP to the same server,
   * for {@code duration}. The open loop's rate is derived from this, not from the in-memory
   * full-handshake figure, which has no TCP, no event loop and no hand-over between threads.
   */
  public static double closedLoopCapacity(Fixtures f, int clients, Duration duration)
      throws KeyTransferException, InterruptedException {
    BlockingQueue<Integer> free = credentials(f, Math.max(CREDENTIALS, clients));
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long[] waits = new long[1];
    try (NettyKeyServer<DeliveryReceipt> server = server(f)) {
      server.start();
      int port = server.port();
      f.ledger().reset();
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      List<Future<Long>> runs = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        runs.add(
            pool.submit(
                () -> {
                  long n = 0;
                  while (System.nanoTime() < end) {
                    arrive(f, free, port, System.nanoTime(), waits);
                    n++;
                  }
                  return n;
                }));
      }
      long sessions = 0;
      for (Future<Long> r : runs) {
        try {
          sessions += r.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          throw new IllegalStateException("a closed-loop session failed: " + e.getCause(), e);
        } catch (TimeoutException e) {
          throw new IllegalStateException("the closed loop did not finish", e);
        }
      }
      return sessions / ((System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  /** At least {@code n} enrolled terminals, each free for one session at a time. */
  private static BlockingQueue<Integer> credentials(Fixtures f, int n) throws KeyTransferException {
    while (f.terminalCount() < n) {
      f.addTerminal();
    }
    BlockingQueue<Integer> free = new ArrayBlockingQueue<>(f.terminalCount());
    for (int i = 0; i < f.terminalCount(); i++) {
      free.add(i);
    }
    return free;
  }

  private static NettyKeyServer<DeliveryReceipt> server(Fixtures f) {
    return NettyKeyServer.builder()
        .port(0)
        .threads(Runtime.getRuntime().availableProcessors())
        .maxConnectionsPerAddress(100_000)
        .maxConnections(100_000)
        .build(f.host()::openSession);
  }

  /** Offers {@code ratePerSecond} arrivals per second for {@code duration}. */
  public static Result run(
      Fixtures f, double ratePerSecond, Duration duration, PrintStream progress)
      throws KeyTransferException, InterruptedException {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("the rate must be positive");
    }
    BlockingQueue<Integer> free = credentials(f, CREDENTIALS);
    long interval = Math.max(1, (long) (1e9 / ratePerSecond));
    ExecutorService clients = Executors.newCachedThreadPool();
    List<Future<Long>> runs = new ArrayList<>();
    long[] waits = new long[1];
    try (NettyKeyServer<DeliveryReceipt> server = server(f)) {
      server.start();
      int port = server.port();
      f.ledger().reset();
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      long nextReport = start + 1_000_000_000L;
      for (long i = 0; ; i++) {
        long scheduled = start + i * interval;
        if (scheduled >= end) {
          break;
        }
        long now;
        while ((now = System.nanoTime()) < scheduled) {
          LockSupport.parkNanos(scheduled - now);
        }
        runs.add(clients.submit(() -> arrive(f, free, port, scheduled, waits)));
        if (now >= nextReport) {
          progress.printf(
              Locale.ROOT,
              "open loop %s at %.1f/s: %.1f s of %.1f, %d arrivals%n",
              f.crypto().name() + (f.mode() == Mode.RSA ? "" : " " + f.mode().label()),
              ratePerSecond,
              (now - start) / 1e9,
              duration.toNanos() / 1e9,
              runs.size());
          progress.flush();
          nextReport += 1_000_000_000L;
        }
      }
      long[] latencies = new long[runs.size()];
      for (int i = 0; i < latencies.length; i++) {
        try {
          latencies[i] = runs.get(i).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          throw new IllegalStateException("an open-loop session failed: " + e.getCause(), e);
        } catch (TimeoutException e) {
          throw new IllegalStateException("an open-loop session did not finish in 60 s", e);
        }
      }
      Arrays.sort(latencies);
      synchronized (waits) {
        return new Result(
            ratePerSecond,
            latencies.length,
            ms(percentile(latencies, 50)),
            ms(percentile(latencies, 99)),
            ms(latencies.length == 0 ? 0 : latencies[latencies.length - 1]),
            waits[0]);
      }
    } finally {
      clients.shutdownNow();
    }
  }

  private static long arrive(
      Fixtures f, BlockingQueue<Integer> free, int port, long scheduled, long[] waits)
      throws KeyTransferException, InterruptedException {
    Integer credential = free.poll();
    if (credential == null) {
      synchronized (waits) {
        waits[0]++;
      }
      credential = free.take();
    }
    try {
      ReceivingTerminal device = f.freshTerminal(credential);
      KeyTransferTerminal terminal =
          KeyTransferTerminal.builder()
              .receivingTerminal(device)
              .cryptoProvider(f.crypto())
              .validationPolicy(f.terminalPolicy())
              .build();
      KeyReceipt r;
      try (TcpTransport t =
          TcpTransport.connect(
              "127.0.0.1", port, Duration.ofSeconds(30), TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
        r = terminal.receiveKey(t);
      }
      long done = System.nanoTime();
      if (!r.kcv().matches(f.kcvOf(credential))) {
        throw new IllegalStateException("terminal installed another key than the host issued");
      }
      Checks.installed(device, f.kcvOf(credential));
      return done - scheduled;
    } finally {
      free.add(credential);
    }
  }

  private static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  private static double ms(long ns) {
    return ns / 1e6;
  }
}
