package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.examples.Fleet;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Measures handshakes per second and latency percentiles for N terminals starting at once against
 * one host. Enrollment (key generation, CSR, certificate) happens before and is not timed; one
 * warm-up round runs before the measured rounds.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure S2-S4 handshakes per second and p50/p99 latency for N simultaneous terminals.")
final class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--terminals",
      split = ",",
      defaultValue = "1,10,200",
      description = "Terminal counts to measure, comma separated (default: ${DEFAULT-VALUE}).")
  int[] counts;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "Measured rounds per count (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--transport",
      defaultValue = "tcp",
      description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Fleet.Transport transport;

  @Option(
      names = "--server-threads",
      defaultValue = "8",
      description = "Host session threads (default: ${DEFAULT-VALUE}).")
  int serverThreads;

  @Mixin ProviderOption provider;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws KeyTransferException, InterruptedException {
    if (rounds < 1 || Arrays.stream(counts).anyMatch(c -> c < 1 || c > 5000)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--rounds >= 1 and terminal counts 1..5000");
    }
    PrintWriter out = spec.commandLine().getOut();
    int max = Arrays.stream(counts).max().orElse(1);
    Fleet.Builder setup =
        Fleet.builder()
            .transport(transport)
            .serverThreads(serverThreads)
            .cryptoProvider(provider.open());
    try (Fleet fleet = setup.build()) {
      out.println("enrolling " + max + " terminals (not timed)...");
      out.flush();
      fleet.enroll(max, d -> {});
      out.printf(
          "provider=%s transport=%s server-threads=%d rounds=%d cores=%d java=%s%n",
          fleet.cryptoProvider().name(),
          transport,
          serverThreads,
          rounds,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));
      out.println("terminals  handshakes/s    p50 ms    p99 ms    max ms");
      round(fleet, Math.min(max, 20)); // warm-up, not reported
      for (int n : counts) {
        List<Long> latencies = new ArrayList<>();
        long wall = 0;
        for (int r = 0; r < rounds; r++) {
          long start = System.nanoTime();
          latencies.addAll(round(fleet, n));
          wall += System.nanoTime() - start;
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        double perSecond = (double) n * rounds / (wall / 1e9);
        out.printf(
            "%9d  %12.1f  %8.1f  %8.1f  %8.1f%n",
            n,
            perSecond,
            ms(percentile(sorted, 50)),
            ms(percentile(sorted, 99)),
            ms(sorted[sorted.length - 1]));
        out.flush();
      }
    }
    return 0;
  }

  /** N terminals start together; returns each one's handshake latency in ns. */
  private static List<Long> round(Fleet fleet, int n)
      throws InterruptedException, KeyTransferException {
    ExecutorService clients = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Long>> runs = new ArrayList<>();
    for (ReceivingTerminal device : fleet.terminals().subList(0, n)) {
      runs.add(
          clients.submit(
              () -> {
                go.await();
                long t0 = System.nanoTime();
                fleet.fetch(device);
                return System.nanoTime() - t0;
              }));
    }
    go.countDown();
    List<Long> out = new ArrayList<>();
    try {
      for (Future<Long> f : runs) {
        out.add(f.get());
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KeyTransferException k) {
        throw k;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      clients.shutdownNow();
    }
    return out;
  }

  private static long percentile(long[] sorted, int p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  private static double ms(long ns) {
    return ns / 1e6;
  }
}
