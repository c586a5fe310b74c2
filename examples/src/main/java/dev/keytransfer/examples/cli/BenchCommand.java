package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.DeliveryLimit;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.examples.Fleet;
import dev.keytransfer.examples.cli.BenchLedgers.Call;
import dev.keytransfer.examples.cli.BenchLedgers.Ledger;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Measures handshakes per second and latency percentiles for N terminals starting at once against
 * one host. Enrollment (key generation, CSR, certificate) happens before and is not timed; warm-up
 * rounds run before the measured rounds.
 *
 * <p>With {@code --compare-ledgers} the same host and the same terminals run on each ledger in turn
 * (in memory, H2, and PostgreSQL if given), one round each in a rotating order, so that drift (JIT,
 * heat, other load) falls on every ledger alike; each ledger gets the same warm-up.
 *
 * <p>The host has no delivery limit: the same terminals get a key round after round. Each session
 * looks up the terminal's earlier deliveries, so a long history per terminal costs more than a real
 * terminal's few keys would; {@code --enroll} spreads the rounds over more terminals.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure S2-S4 handshakes per second and p50/p99 latency for N simultaneous terminals.")
final class BenchCommand implements Callable<Integer> {
  /** Where {@code --compare-ledgers} finds PostgreSQL without {@code --postgres}. */
  static final String PG_URL_ENV = "KEYTRANSFER_TEST_PG_URL";

  @Option(
      names = "--terminals",
      split = ",",
      defaultValue = "1,10,200",
      description = "Terminal counts to measure, comma separated (default: ${DEFAULT-VALUE}).")
  int[] counts;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "Measured rounds per count (and per ledger) (default: ${DEFAULT-VALUE}).")
  int rounds;

  /**
   * Warm-up rounds per ledger when comparing: 2,000 sessions of 20 terminals. The JDBC ledgers' own
   * code (H2, the PostgreSQL driver, the pool) is warmed only by their own rounds; on H2 the first
   * few hundred sessions cost several times what they cost once compiled.
   */
  static final int COMPARE_WARMUP = 100;

  @Option(
      names = "--warmup",
      paramLabel = "ROUNDS",
      description =
          "Warm-up rounds (per ledger) of up to 20 terminals, not reported (default: 1, or "
              + COMPARE_WARMUP
              + " with --compare-ledgers).")
  Integer warmupOption;

  int warmup;

  @Option(
      names = "--enroll",
      paramLabel = "N",
      description =
          "Terminals to enroll (default: the largest count); each round takes the next ones in"
              + " turn, which keeps each terminal's ledger history (looked up every session)"
              + " shorter.")
  Integer enroll;

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

  @Option(
      names = "--ledger",
      paramLabel = "memory|h2|JDBC_URL",
      description =
          "The host's ledger: in memory, an H2 file database in a temporary directory, or a JDBC"
              + " URL (PostgreSQL: in a fresh schema, dropped afterwards) (default: memory).")
  String ledger;

  @Option(
      names = "--compare-ledgers",
      description =
          "Measure the same fleet on the in-memory, H2 and (with --postgres or "
              + PG_URL_ENV
              + ") PostgreSQL ledgers, rounds interleaved, with the ratio of each to in-memory.")
  boolean compare;

  @Option(
      names = "--postgres",
      paramLabel = "JDBC_URL|none",
      description =
          "PostgreSQL for --compare-ledgers (default: $" + PG_URL_ENV + " if set; none: skip).")
  String postgres;

  @Option(names = "--json", description = "Print the results as one JSON object.")
  boolean json;

  @Mixin ProviderOption provider;

  @Spec CommandSpec spec;

  /** One measured cell: a ledger at a terminal count. */
  private record Result(
      Ledger ledger,
      int terminals,
      int handshakes,
      double perSecond,
      long p50,
      long p99,
      long max,
      long[] callCounts,
      long[] callNanos) {
    double meanMs(Call c) {
      long n = callCounts[c.ordinal()];
      return n == 0 ? 0 : ms(callNanos[c.ordinal()]) / n;
    }

    double perHandshake(Call c) {
      return (double) callCounts[c.ordinal()] / handshakes;
    }

    /** Ledger time per handshake, ms (under concurrency: including waits for the chain lock). */
    double ledgerMs() {
      long total = 0;
      for (long n : callNanos) {
        total += n;
      }
      return ms(total) / handshakes;
    }
  }

  @Override
  public Integer call() throws KeyTransferException, InterruptedException {
    int max = Arrays.stream(counts).max().orElse(1);
    warmup = warmupOption != null ? warmupOption : compare ? COMPARE_WARMUP : 1;
    if (rounds < 1
        || warmup < 0
        || Arrays.stream(counts).anyMatch(c -> c < 1 || c > 5000)
        || (enroll != null && (enroll < max || enroll > 5000))) {
      throw new ParameterException(
          spec.commandLine(),
          "--rounds >= 1, --warmup >= 0, terminal counts 1..5000 and --enroll from the largest"
              + " count to 5000");
    }
    OptionChecks.range(spec, "--server-threads", serverThreads, 1, 1024);
    if (ledger != null
        && !ledger.equals("memory")
        && !ledger.equals("h2")
        && !ledger.startsWith("jdbc:")) {
      throw new ParameterException(
          spec.commandLine(), "--ledger is memory, h2 or a JDBC URL, not '" + ledger + "'");
    }
    if (compare && ledger != null) {
      throw new ParameterException(
          spec.commandLine(), "--compare-ledgers chooses the ledgers itself; drop --ledger");
    }
    if (!compare && postgres != null) {
      throw new ParameterException(spec.commandLine(), "--postgres needs --compare-ledgers");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter progress = json ? spec.commandLine().getErr() : out;
    List<Ledger> ledgers = new ArrayList<>();
    try {
      if (compare) {
        ledgers.add(BenchLedgers.open("memory", "memory"));
        ledgers.add(BenchLedgers.open("h2", "h2"));
        String pg = postgres != null ? postgres : System.getenv(PG_URL_ENV);
        if (pg != null && !pg.isBlank() && !pg.equals("none")) {
          if (!pg.startsWith("jdbc:postgresql:")) {
            throw new ParameterException(
                spec.commandLine(), "--postgres is a jdbc:postgresql: URL or none");
          }
          ledgers.add(BenchLedgers.open(pg, "postgres"));
        }
      } else {
        String l = ledger == null ? "memory" : ledger;
        ledgers.add(BenchLedgers.open(l, l.startsWith("jdbc:") ? "jdbc" : l));
      }
      return run(out, progress, ledgers, enroll == null ? max : enroll);
    } finally {
      for (Ledger l : ledgers) {
        l.close();
      }
    }
  }

  private int run(PrintWriter out, PrintWriter progress, List<Ledger> ledgers, int enrolled)
      throws KeyTransferException, InterruptedException {
    BenchLedgers.Switch hostLedger = new BenchLedgers.Switch(ledgers.get(0));
    Fleet.Builder setup =
        Fleet.builder()
            .transport(transport)
            .serverThreads(serverThreads)
            .ledger(hostLedger)
            .deliveryLimit(DeliveryLimit.unlimitedForTesting())
            .cryptoProvider(provider.open());
    List<Result> results = new ArrayList<>();
    try (Fleet fleet = setup.build()) {
      progress.println("enrolling " + enrolled + " terminals (not timed)...");
      progress.flush();
      fleet.enroll(enrolled, d -> {});
      if (!json) {
        out.printf(
            "provider=%s transport=%s server-threads=%d rounds=%d warmup=%d enrolled=%d cores=%d"
                + " java=%s%n",
            fleet.cryptoProvider().name(),
            transport,
            serverThreads,
            rounds,
            warmup,
            enrolled,
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"));
        for (Ledger l : ledgers) {
          out.printf("ledger %s: %s%n", l.label, l.where);
        }
        out.println(
            compare
                ? "terminals  ledger     handshakes/s    p50 ms    p99 ms    max ms  vs memory"
                : "terminals  handshakes/s    p50 ms    p99 ms    max ms");
        out.flush();
      }
      int warm = Math.min(enrolled, 20);
      for (int w = 0; w < warmup; w++) {
        for (Ledger l : ledgers) {
          hostLedger.use(l);
          round(fleet, w * warm, warm);
        }
      }
      for (int n : counts) {
        List<List<Long>> latencies = new ArrayList<>();
        long[] wall = new long[ledgers.size()];
        for (Ledger l : ledgers) {
          latencies.add(new ArrayList<>());
          l.resetCounters();
        }
        for (int r = 0; r < rounds; r++) {
          for (int k = 0; k < ledgers.size(); k++) {
            int i = (r + k) % ledgers.size(); // each cycle starts with the next ledger
            hostLedger.use(ledgers.get(i));
            long start = System.nanoTime();
            latencies.get(i).addAll(round(fleet, r * n, n));
            wall[i] += System.nanoTime() - start;
          }
        }
        Result memory = null;
        for (int i = 0; i < ledgers.size(); i++) {
          Result res = result(ledgers.get(i), n, latencies.get(i), wall[i]);
          results.add(res);
          if (i == 0) {
            memory = res;
          }
          if (!json) {
            printRow(out, res, compare && i > 0 ? memory : null);
          }
        }
      }
    }
    if (json) {
      out.println(json(results, enrolled));
    } else if (compare) {
      printCalls(out, results);
    }
    out.flush();
    return 0;
  }

  private Result result(Ledger l, int n, List<Long> latencies, long wall) {
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] calls = new long[Call.values().length];
    long[] nanos = new long[calls.length];
    for (Call c : Call.values()) {
      calls[c.ordinal()] = l.calls(c);
      nanos[c.ordinal()] = l.nanos(c);
    }
    return new Result(
        l,
        n,
        sorted.length,
        sorted.length / (wall / 1e9),
        percentile(sorted, 50),
        percentile(sorted, 99),
        sorted[sorted.length - 1],
        calls,
        nanos);
  }

  private void printRow(PrintWriter out, Result r, Result memory) {
    if (!compare) {
      out.printf(
          "%9d  %12.1f  %8.1f  %8.1f  %8.1f%n",
          r.terminals(), r.perSecond(), ms(r.p50()), ms(r.p99()), ms(r.max()));
    } else {
      out.printf(
          "%9d  %-9s  %12.1f  %8.1f  %8.1f  %8.1f%s%n",
          r.terminals(),
          r.ledger().label,
          r.perSecond(),
          ms(r.p50()),
          ms(r.p99()),
          ms(r.max()),
          memory == null
              ? ""
              : String.format(
                  "  %.2fx p50  %.2fx p99  %.2fx handshakes/s",
                  (double) r.p50() / memory.p50(),
                  (double) r.p99() / memory.p99(),
                  r.perSecond() / memory.perSecond()));
    }
    out.flush();
  }

  /** Where each ledger's time goes: calls per handshake and mean time per call. */
  private static void printCalls(PrintWriter out, List<Result> results) {
    List<Call> made =
        Arrays.stream(Call.values())
            .filter(c -> results.stream().anyMatch(r -> r.callCounts()[c.ordinal()] > 0))
            .toList();
    out.println();
    out.println("ledger calls per handshake x mean ms per call, in the measured rounds:");
    StringBuilder head = new StringBuilder("terminals  ledger   ");
    for (Call c : made) {
      head.append(String.format("  %15s", c.name()));
    }
    out.println(head.append("  ms/handshake"));
    for (Result r : results) {
      StringBuilder row =
          new StringBuilder(String.format("%9d  %-9s", r.terminals(), r.ledger().label));
      for (Call c : made) {
        row.append(String.format("  %4.1f x %8.3f", r.perHandshake(c), r.meanMs(c)));
      }
      out.println(row.append(String.format("  %12.3f", r.ledgerMs())));
    }
  }

  private String json(List<Result> results, int enrolled) {
    StringBuilder b = new StringBuilder();
    b.append("{\"provider\":\"")
        .append(provider.name)
        .append("\",\"transport\":\"")
        .append(transport)
        .append("\",\"serverThreads\":")
        .append(serverThreads)
        .append(",\"rounds\":")
        .append(rounds)
        .append(",\"warmup\":")
        .append(warmup)
        .append(",\"enrolled\":")
        .append(enrolled)
        .append(",\"cores\":")
        .append(Runtime.getRuntime().availableProcessors())
        .append(",\"java\":\"")
        .append(jsonText(System.getProperty("java.version")))
        .append("\",\"results\":[");
    Result memory = null;
    String sep = "";
    for (Result r : results) {
      if (r.ledger() == results.get(0).ledger()) {
        memory = r;
      }
      b.append(sep)
          .append("{\"ledger\":\"")
          .append(r.ledger().label)
          .append("\",\"terminals\":")
          .append(r.terminals())
          .append(",\"handshakes\":")
          .append(r.handshakes())
          .append(",\"handshakesPerSecond\":")
          .append(num(r.perSecond()))
          .append(",\"p50Ms\":")
          .append(num(ms(r.p50())))
          .append(",\"p99Ms\":")
          .append(num(ms(r.p99())))
          .append(",\"maxMs\":")
          .append(num(ms(r.max())))
          .append(",\"ledgerMsPerHandshake\":")
          .append(num(r.ledgerMs()));
      if (compare && memory != null && memory != r) {
        b.append(",\"vsMemory\":{\"p50\":")
            .append(num((double) r.p50() / memory.p50()))
            .append(",\"p99\":")
            .append(num((double) r.p99() / memory.p99()))
            .append(",\"handshakesPerSecond\":")
            .append(num(r.perSecond() / memory.perSecond()))
            .append('}');
      }
      b.append(",\"ledgerCalls\":{");
      String callSep = "";
      for (Call c : Call.values()) {
        b.append(callSep)
            .append('"')
            .append(c.name())
            .append("\":{\"perHandshake\":")
            .append(num(r.perHandshake(c)))
            .append(",\"meanMs\":")
            .append(num(r.meanMs(c)))
            .append('}');
        callSep = ",";
      }
      b.append("}}");
      sep = ",";
    }
    return b.append("]}").toString();
  }

  private static String num(double d) {
    return String.format(Locale.ROOT, "%.4f", d);
  }

  private static String jsonText(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /**
   * N terminals start together, the enrolled ones from {@code first} on (wrapping around); returns
   * each one's handshake latency in ns.
   */
  private static List<Long> round(Fleet fleet, int first, int n)
      throws InterruptedException, KeyTransferException {
    ExecutorService clients = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Long>> runs = new ArrayList<>();
    List<ReceivingTerminal> all = fleet.terminals();
    for (int k = 0; k < n; k++) {
      ReceivingTerminal device = all.get((first + k) % all.size());
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
