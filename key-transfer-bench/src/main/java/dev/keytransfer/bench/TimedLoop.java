package dev.keytransfer.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one operation per thread, all threads at once, for a fixed time, and counts: the measurement
 * loop of the {@code keytransfer bench} command (JMH has its own). The threads start together on a
 * latch; each runs its own operation (its own worker: per-thread state) until the deadline; the
 * rate is the operations completed over the wall time from the start to the last thread's finish (a
 * thread finishes the operation in flight at the deadline, which is counted).
 */
public final class TimedLoop implements AutoCloseable {
  /** One operation of one thread. */
  @FunctionalInterface
  public interface Op {
    void run() throws Exception;
  }

  /** Operations done and the wall time they took. */
  public record Count(long ops, long nanos) {
    public double perSecond() {
      return nanos == 0 ? 0 : ops / (nanos / 1e9);
    }

    public Count plus(Count o) {
      return new Count(ops + o.ops, nanos + o.nanos);
    }
  }

  private final ExecutorService pool;
  private final int threads;

  public TimedLoop(int threads) {
    this.threads = threads;
    this.pool = Executors.newFixedThreadPool(threads);
  }

  public int threads() {
    return threads;
  }

  /**
   * Runs {@code ops.get(i)} on thread i for {@code nanos}; any failure of an operation fails the
   * whole run (the harness's outcome checks throw).
   */
  public Count run(List<Op> ops, long nanos) throws InterruptedException {
    if (ops.size() != threads) {
      throw new IllegalArgumentException(ops.size() + " operations for " + threads + " threads");
    }
    CountDownLatch go = new CountDownLatch(1);
    long[] start = new long[1];
    List<Future<long[]>> runs = new ArrayList<>();
    for (Op op : ops) {
      runs.add(
          pool.submit(
              () -> {
                go.await();
                long deadline = start[0] + nanos;
                long n = 0;
                do {
                  op.run();
                  n++;
                } while (System.nanoTime() < deadline);
                return new long[] {n, System.nanoTime()};
              }));
    }
    start[0] = System.nanoTime();
    go.countDown();
    long total = 0;
    long end = start[0];
    try {
      for (Future<long[]> f : runs) {
        long[] r = f.get();
        total += r[0];
        end = Math.max(end, r[1]);
      }
    } catch (ExecutionException e) {
      for (Future<long[]> f : runs) {
        f.cancel(true);
      }
      throw new IllegalStateException("a measured operation failed: " + e.getCause(), e.getCause());
    }
    return new Count(total, end - start[0]);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
