package dev.keytransfer.netty;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run the handshakes' CPU work (certificate validation, the key token's RSA, the
 * ledger writes between them): a fixed number of threads and a bounded queue. A new session is
 * admitted only while fewer than {@code queueCapacity} tasks wait; a session already admitted
 * always finds room, since each connection has at most one task queued or running and the queue
 * holds {@code queueCapacity} plus one per allowed connection. So a burst of new terminals is
 * refused at once ({@code PEER_TRY_LATER}) instead of queueing behind work it cannot overtake, and
 * terminals in the middle of their handshake are never refused for it.
 */
final class HandshakePool {
  private final ThreadPoolExecutor executor;
  private final int queueCapacity;

  HandshakePool(int threads, int queueCapacity, int maxConnections, String name) {
    this.queueCapacity = queueCapacity;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            0L,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queueCapacity + maxConnections),
            r -> {
              Thread t = new Thread(r, name + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** True while a new session may be admitted: fewer than the queue capacity tasks are waiting. */
  boolean admitsNewSession() {
    return executor.getQueue().size() < queueCapacity;
  }

  void execute(Runnable task) {
    executor.execute(task);
  }

  /** Tasks waiting now. */
  int queued() {
    return executor.getQueue().size();
  }

  void shutdown(long timeoutMillis) throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
      executor.shutdownNow();
    }
  }
}
