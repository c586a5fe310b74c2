package dev.keytransfer.jmh;

import dev.keytransfer.bench.Fixtures;
import dev.keytransfer.bench.Floor;
import dev.keytransfer.bench.Mode;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.examples.CryptoProviders;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The fixtures of one provider in one mode, shared by the threads of a trial: CA, host, terminal
 * pool, floor (key-transfer-bench). The provider is chosen by name through {@link CryptoProviders};
 * {@link RatioTable} passes every software provider that CryptoProviders lists, so one added there
 * is measured without a change here. The default {@code @Param} list is for {@code java -jar
 * benchmarks.jar} run by hand.
 */
@State(Scope.Benchmark)
public class BenchState {
  @Param({"jca", "bc"})
  public String provider;

  /** The key-exchange mode ({@link Mode}): {@code rsa} (TR-34) or {@code ecdh} (docs/ECDH.md). */
  @Param({"rsa"})
  public String mode;

  CryptoProvider crypto;
  Fixtures fixtures;
  Floor floor;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    crypto = CryptoProviders.create(provider);
    fixtures = Fixtures.create(crypto, Mode.of(mode), Fixtures.DEFAULT_TERMINALS);
    floor = new Floor(fixtures);
  }

  /**
   * The in-memory ledger's scans grow with its entries: each iteration starts with an empty one.
   */
  @Setup(Level.Iteration)
  public void freshLedger() {
    fixtures.ledger().reset();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (crypto instanceof AutoCloseable c) {
      c.close();
    }
  }
}
