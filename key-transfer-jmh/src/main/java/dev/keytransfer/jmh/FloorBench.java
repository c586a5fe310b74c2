package dev.keytransfer.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/** The crypto floor of each side: one op-set per call ({@code dev.keytransfer.bench.Floor}). */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FloorBench {
  @Benchmark
  public int host(BenchState s) throws Exception {
    return s.floor.hostFloor();
  }

  @Benchmark
  public int terminal(BenchState s) throws Exception {
    return s.floor.terminalFloor();
  }

  @Benchmark
  public int full(BenchState s) throws Exception {
    return s.floor.fullFloor();
  }
}
