package dev.keytransfer.jmh;

import dev.keytransfer.bench.FullHandshake;
import dev.keytransfer.bench.HostSide;
import dev.keytransfer.bench.TerminalSide;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Complete two-pass handshakes of each side (key-transfer-bench: {@link HostSide}, {@link
 * TerminalSide}, {@link FullHandshake}), each thread with its own worker; every session's outcome
 * is checked by the harness, so a broken run fails instead of measuring errors.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HandshakeBench {
  /** One thread's host-side worker (a scripted terminal of its own). */
  @State(Scope.Thread)
  public static class HostWorker {
    HostSide.Worker w;

    @Setup(Level.Trial)
    public void setUp(BenchState s, ThreadParams threads) throws Exception {
      w = new HostSide(s.fixtures).worker(threads.getThreadIndex());
    }
  }

  /** One thread's terminal with its own stores; it records its replayed host here, not timed. */
  @State(Scope.Thread)
  public static class TerminalWorker {
    TerminalSide.Worker w;

    @Setup(Level.Trial)
    public void setUp(BenchState s, ThreadParams threads) throws Exception {
      w = new TerminalSide(s.fixtures).worker(threads.getThreadIndex());
    }
  }

  /** One thread's terminal (its own pool terminal) and host sessions. */
  @State(Scope.Thread)
  public static class FullWorker {
    FullHandshake.Worker w;

    @Setup(Level.Trial)
    public void setUp(BenchState s, ThreadParams threads) throws Exception {
      w = new FullHandshake(s.fixtures).worker(threads.getThreadIndex());
    }
  }

  @Benchmark
  public Object host(BenchState s, HostWorker w) throws Exception {
    return w.w.handshake();
  }

  @Benchmark
  public Object terminal(BenchState s, TerminalWorker w) throws Exception {
    return w.w.handshake();
  }

  @Benchmark
  public Object full(BenchState s, FullWorker w) throws Exception {
    return w.w.handshake();
  }
}
