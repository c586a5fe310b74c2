package dev.keytransfer.examples.cli;

import dev.keytransfer.bench.ColdStart;
import dev.keytransfer.bench.Fixtures;
import dev.keytransfer.bench.Floor;
import dev.keytransfer.bench.FullHandshake;
import dev.keytransfer.bench.HostSide;
import dev.keytransfer.bench.Mode;
import dev.keytransfer.bench.OpenLoop;
import dev.keytransfer.bench.TerminalSide;
import dev.keytransfer.bench.TimedLoop;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.DeliveryLimit;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.examples.CryptoProviders;
import dev.keytransfer.examples.Fleet;
import dev.keytransfer.examples.cli.BenchLedgers.Call;
import dev.keytransfer.examples.cli.BenchLedgers.Ledger;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Measures each side of the two-pass handshake as a ratio to its crypto floor, measured in the same
 * run (README "Performance"): for each provider, mode ({@code --mode}: TR-34's RSA, the ECDH mode
 * of docs/ECDH.md, or both), side (host, terminal, full) and thread count, complete handshakes per
 * second on the harness of key-transfer-bench ({@link HostSide}, {@link TerminalSide}, {@link
 * FullHandshake}), the floor per second ({@link Floor}: the raw public-key operations that side
 * cannot do without) on the same threads, in alternating rounds so that drift (JIT, heat, other
 * load) hits both, and their ratio; with both modes, each ecdh cell's handshakes per second over
 * its rsa twin's. Warm-up and measurement go by time. Then a cold terminal in a fresh JVM ({@link
 * ColdStart}) and an open loop at half the capacity measured over TCP to the production server
 * ({@link OpenLoop}).
 *
 * <p>With {@code --ledger} or {@code --compare-ledgers} it measures the host's ledger instead: N
 * terminals start at once against one host ({@link Fleet}), round after round, on each ledger in
 * turn (in memory, H2, and PostgreSQL if given), one round each in a rotating order, so that drift
 * falls on every ledger alike; each ledger gets the same warm-up. The host has no delivery limit:
 * the same terminals get a key round after round; {@code --enroll} spreads the rounds over more
 * terminals, which keeps each one's ledger history (looked up every session) shorter.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure each side of the handshake as a ratio to its crypto floor (same run), a cold"
            + " terminal and an open loop; or, with --ledger / --compare-ledgers, the ledger's"
            + " cost.")
final class BenchCommand implements Callable<Integer> {
  /** Where {@code --compare-ledgers} finds PostgreSQL without {@code --postgres}. */
  static final String PG_URL_ENV = "KEYTRANSFER_TEST_PG_URL";

  @Option(
      names = "--terminals",
      split = ",",
      defaultValue = "1,10,200",
      description =
          "With --ledger/--compare-ledgers: terminal counts to measure, comma separated"
              + " (default: ${DEFAULT-VALUE}).")
  int[] counts;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description =
          "With --ledger/--compare-ledgers: measured rounds per count and ledger (default:"
              + " ${DEFAULT-VALUE}).")
  int rounds;

  /**
   * Warm-up rounds per ledger when comparing: 10,000 sessions of 20 terminals. The JDBC ledgers'
   * own code (H2, the PostgreSQL driver, the pool) is warmed only by their own rounds; on H2 the
   * first few hundred sessions cost several times what they cost once compiled, and C2 keeps
   * compiling (a quarter of a core) for about the first 30 s of sessions on two cores.
   */
  static final int COMPARE_WARMUP = 500;

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

  @Option(
      names = "--provider",
      split = ",",
      paramLabel = "NAME[,NAME...]",
      description =
          "Crypto providers to measure, comma separated (default: every software provider"
              + " CryptoProviders knows, not pkcs11; with --ledger/--compare-ledgers one, default"
              + " bc).")
  List<String> providers;

  @Option(
      names = "--seconds",
      defaultValue = "3",
      description =
          "Measured seconds per cell, handshakes and floor each (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--warmup-seconds",
      description = "Warm-up seconds per cell, not reported (default: as --seconds).")
  Double warmupSeconds;

  @Option(
      names = "--threads",
      split = ",",
      defaultValue = "1,2",
      description = "Thread counts, comma separated (default: ${DEFAULT-VALUE}).")
  int[] threads;

  /** The sides of the handshake that can be measured. */
  enum Side {
    host,
    terminal,
    full
  }

  @Option(
      names = "--sides",
      split = ",",
      defaultValue = "host,terminal,full",
      description = "${COMPLETION-CANDIDATES}, comma separated (default: ${DEFAULT-VALUE}).")
  List<Side> sides;

  @Option(
      names = "--mode",
      split = ",",
      defaultValue = "rsa",
      paramLabel = "rsa|ecdh[,...]",
      description =
          "Key-exchange modes to measure, comma separated: rsa (TR-34), ecdh (P-256 keys,"
              + " docs/ECDH.md); with both, each provider's ecdh/rsa handshake ratio per side"
              + " (default: ${DEFAULT-VALUE}).")
  List<String> modes;

  @Option(
      names = "--cold-runs",
      defaultValue = "3",
      description = "Fresh JVMs for the cold terminal, 0 for none (default: ${DEFAULT-VALUE}).")
  int coldRuns;

  @Option(
      names = "--no-open-loop",
      description = "Skip the open loop (and the closed loop over TCP that sets its rate).")
  boolean noOpenLoop;

  /** The open loop's p99 target. */
  static final double OPEN_LOOP_P99_TARGET_MS = 20;

  @Spec CommandSpec spec;

  private String ledgerProvider;

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
  public Integer call() throws KeyTransferException, InterruptedException, IOException {
    if (ledger != null || compare || closedLoopOptionGiven()) {
      return callLedgers();
    }
    if (postgres != null) {
      throw new ParameterException(spec.commandLine(), "--postgres needs --compare-ledgers");
    }
    return callRatios();
  }

  /** The closed-loop fleet mode's own options select it too (as before the ratio mode). */
  private boolean closedLoopOptionGiven() {
    var parsed = spec.commandLine().getParseResult();
    for (String o :
        List.of(
            "--terminals", "--rounds", "--warmup", "--enroll", "--transport", "--server-threads")) {
      if (parsed.hasMatchedOption(o)) {
        return true;
      }
    }
    return false;
  }

  private Integer callLedgers() throws KeyTransferException, InterruptedException {
    if (providers != null && providers.size() != 1) {
      throw new ParameterException(
          spec.commandLine(), "--ledger and --compare-ledgers take one --provider");
    }
    ledgerProvider = providers == null ? "bc" : providers.get(0);
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
            .cryptoProvider(openProvider(ledgerProvider));
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
        .append(jsonText(ledgerProvider))
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

  /** A JSON string's content: quotes, backslashes and control characters escaped. */
  static String jsonText(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
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

  // --- the ratio mode: each side against its crypto floor, same run ---

  /** What one set of fixtures measures on: a provider in a mode. */
  private record Unit(String provider, Mode mode) {
    /** The progress label: the provider, and the mode unless it is rsa. */
    String label() {
      return mode == Mode.RSA ? provider : provider + " " + mode.label();
    }
  }

  /** One measured cell: a side on one provider in one mode at one thread count. */
  private record Cell(
      Unit unit, Side side, int threads, TimedLoop.Count handshakes, TimedLoop.Count floor) {
    double ratio() {
      return handshakes.perSecond() / floor.perSecond();
    }

    String provider() {
      return unit.provider();
    }
  }

  /** Default providers: every name CryptoProviders knows that needs no token. */
  static List<String> defaultProviders() {
    return CryptoProviders.NAMES.stream().filter(n -> !n.equals("pkcs11")).toList();
  }

  private CryptoProvider openProvider(String name) throws KeyTransferException {
    return ProviderOption.open(spec, name);
  }

  private Integer callRatios() throws KeyTransferException, InterruptedException, IOException {
    if (!(seconds > 0) || seconds > 3600) {
      throw new ParameterException(spec.commandLine(), "--seconds is more than 0, at most 3600");
    }
    double warm = warmupSeconds == null ? seconds : warmupSeconds;
    if (!(warm >= 0) || warm > 3600) {
      throw new ParameterException(spec.commandLine(), "--warmup-seconds is 0 to 3600");
    }
    for (int t : threads) {
      OptionChecks.range(spec, "--threads", t, 1, 64);
    }
    OptionChecks.range(spec, "--cold-runs", coldRuns, 0, 50);
    List<String> names = providers == null ? defaultProviders() : providers;
    for (String n : names) {
      if (!CryptoProviders.NAMES.contains(n)) {
        throw new ParameterException(
            spec.commandLine(),
            "--provider must be one of "
                + String.join(", ", CryptoProviders.NAMES)
                + ", not '"
                + n
                + "'");
      }
    }
    List<Mode> modeList = new ArrayList<>();
    for (String m : modes) {
      try {
        Mode mode = Mode.of(m.strip());
        if (!modeList.contains(mode)) {
          modeList.add(mode);
        }
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(), "--mode is rsa, ecdh or both, not '" + m + "'");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter progress = spec.commandLine().getErr();
    int maxThreads = Arrays.stream(threads).max().orElse(1);
    List<Cell> cells = new ArrayList<>();
    Map<Unit, OpenLoop.Result> openLoops = new java.util.LinkedHashMap<>();
    Map<String, CryptoProvider> opened = new java.util.LinkedHashMap<>();
    Map<Unit, Fixtures> fixtures = new java.util.LinkedHashMap<>();
    try {
      for (String name : names) {
        opened.put(name, openProvider(name));
        for (Mode mode : modeList) {
          Unit u = new Unit(name, mode);
          progress.printf(
              "%s: enrolling the CA, the host and the terminals (not timed)%n", u.label());
          progress.flush();
          fixtures.put(
              u,
              Fixtures.create(
                  opened.get(name), mode, Math.max(Fixtures.DEFAULT_TERMINALS, maxThreads)));
        }
      }
      // every provider's code warm before the first figure: the JIT compiles what the first cell
      // shares with the others (codec, validation, state machines) while it runs, which would
      // otherwise slow only the first provider measured
      for (Map.Entry<Unit, Fixtures> e : fixtures.entrySet()) {
        for (Side side : sides) {
          warmUp(progress, e.getKey(), side, e.getValue(), warm);
        }
      }
      measureAll(progress, names, modeList, fixtures, warm, cells, openLoops);
    } finally {
      for (CryptoProvider crypto : opened.values()) {
        if (crypto instanceof AutoCloseable c) {
          try {
            c.close();
          } catch (Exception e) {
            // nothing more to do at the end of the run
          }
        }
      }
    }
    ColdStart.Result cold = null;
    if (coldRuns > 0) {
      progress.printf("cold terminal: %d fresh JVMs%n", coldRuns);
      progress.flush();
      cold =
          ColdStart.measure(
              System.getProperty("java.class.path"),
              coldRuns,
              new PrintStream(new WriterStream(progress), true));
    }
    if (json) {
      out.println(ratioJson(cells, openLoops, cold, warm));
    } else {
      printRatios(out, cells, openLoops, cold, warm);
    }
    out.flush();
    return 0;
  }

  /**
   * Each provider's cells in turn, the modes of one side and thread count one after the other (so
   * that the ecdh/rsa ratio compares cells measured minutes apart at most), then its open loops.
   */
  private void measureAll(
      PrintWriter progress,
      List<String> names,
      List<Mode> modeList,
      Map<Unit, Fixtures> fixtures,
      double warm,
      List<Cell> cells,
      Map<Unit, OpenLoop.Result> openLoops)
      throws KeyTransferException, InterruptedException {
    for (String name : names) {
      Map<Mode, Floor> floors = new java.util.EnumMap<>(Mode.class);
      for (Mode mode : modeList) {
        floors.put(mode, new Floor(fixtures.get(new Unit(name, mode))));
      }
      for (Side side : sides) {
        for (int t : threads) {
          for (Mode mode : modeList) {
            Unit u = new Unit(name, mode);
            cells.add(cell(progress, u, side, t, fixtures.get(u), floors.get(mode), warm));
          }
        }
      }
      if (noOpenLoop) {
        continue;
      }
      for (Mode mode : modeList) {
        Unit u = new Unit(name, mode);
        Fixtures f = fixtures.get(u);
        Duration d = Duration.ofNanos((long) (seconds * 1e9));
        int clients = 2 * Runtime.getRuntime().availableProcessors();
        progress.printf(
            Locale.ROOT,
            "%s: capacity over TCP, %d terminals in a closed loop for %.1f s%n",
            u.label(),
            clients,
            seconds);
        progress.flush();
        OpenLoop.closedLoopCapacity(f, clients, d); // warm-up of the TCP path
        double capacity = OpenLoop.closedLoopCapacity(f, clients, d);
        progress.printf(
            Locale.ROOT,
            "%s: open loop at %.1f terminals/s (half the %.1f/s capacity over TCP) for %.1f s%n",
            u.label(),
            capacity / 2,
            capacity,
            seconds);
        progress.flush();
        openLoops.put(
            u, OpenLoop.run(f, capacity / 2, d, new PrintStream(new WriterStream(progress), true)));
      }
    }
  }

  /** One thread of {@code side}'s handshakes and floor for {@code warm} seconds, not reported. */
  private void warmUp(PrintWriter progress, Unit unit, Side side, Fixtures f, double warm)
      throws KeyTransferException, InterruptedException {
    progress.printf(Locale.ROOT, "[%s %s] warming up %.1f s%n", unit.label(), side, warm);
    progress.flush();
    cell(progress, unit, side, 1, f, new Floor(f), 0, warm);
  }

  /** Warm-up, then measurement rounds alternating handshakes and floor until each had its time. */
  private Cell cell(
      PrintWriter progress, Unit unit, Side side, int t, Fixtures f, Floor floor, double warm)
      throws KeyTransferException, InterruptedException {
    return cell(progress, unit, side, t, f, floor, warm, seconds);
  }

  private Cell cell(
      PrintWriter progress,
      Unit unit,
      Side side,
      int t,
      Fixtures f,
      Floor floor,
      double warm,
      double measureSeconds)
      throws KeyTransferException, InterruptedException {
    String label = unit.label() + " " + side + " threads=" + t;
    List<TimedLoop.Op> hand = new ArrayList<>();
    List<TimedLoop.Op> base = new ArrayList<>();
    for (int i = 0; i < t; i++) {
      switch (side) {
        case host -> {
          HostSide.Worker w = new HostSide(f).worker(i);
          hand.add(w::handshake);
          base.add(floor::hostFloor);
        }
        case terminal -> {
          TerminalSide.Worker w = new TerminalSide(f).worker(i);
          hand.add(w::handshake);
          base.add(floor::terminalFloor);
        }
        case full -> {
          FullHandshake.Worker w = new FullHandshake(f).worker(i);
          hand.add(w::handshake);
          base.add(floor::fullFloor);
        }
      }
    }
    long total = (long) (measureSeconds * 1e9);
    long slice = Math.min(500_000_000L, total);
    TimedLoop.Count h = new TimedLoop.Count(0, 0);
    TimedLoop.Count fl = new TimedLoop.Count(0, 0);
    try (TimedLoop loop = new TimedLoop(t)) {
      long warmNanos = (long) (warm * 1e9);
      long warmed = 0;
      while (warmed < warmNanos) {
        f.ledger().reset();
        warmed += loop.run(hand, slice).nanos();
        loop.run(base, slice);
        progress.printf(
            Locale.ROOT, "[%s] warm-up %.1f/%.1f s%n", label, warmed / 1e9, warmNanos / 1e9);
        progress.flush();
      }
      for (int round = 0; h.nanos() < total || fl.nanos() < total; round++) {
        f.ledger().reset(); // the in-memory ledger's scans would grow with the run
        if (round % 2 == 0) {
          h = h.plus(loop.run(hand, slice));
          fl = fl.plus(loop.run(base, slice));
        } else {
          fl = fl.plus(loop.run(base, slice));
          h = h.plus(loop.run(hand, slice));
        }
        progress.printf(
            Locale.ROOT,
            "[%s] measure %.1f/%.1f s: %d handshakes, %d floor op-sets%n",
            label,
            h.nanos() / 1e9,
            total / 1e9,
            h.ops(),
            fl.ops());
        progress.flush();
      }
    }
    return new Cell(unit, side, t, h, fl);
  }

  /**
   * An ecdh cell's handshakes per second over those of the rsa cell of the same provider, side and
   * thread count (same run), or NaN for an rsa cell or without its rsa twin.
   */
  private static double ecdhVsRsa(List<Cell> cells, Cell c) {
    if (c.unit().mode() != Mode.ECDH) {
      return Double.NaN;
    }
    return cells.stream()
        .filter(
            o ->
                o.unit().equals(new Unit(c.provider(), Mode.RSA))
                    && o.side() == c.side()
                    && o.threads() == c.threads())
        .findFirst()
        .map(o -> c.handshakes().perSecond() / o.handshakes().perSecond())
        .orElse(Double.NaN);
  }

  /** 2-thread/1-thread (N/1) handshake scaling of a cell, or NaN without a 1-thread cell. */
  private static double scaling(List<Cell> cells, Cell c) {
    if (c.threads() == 1) {
      return Double.NaN;
    }
    return cells.stream()
        .filter(o -> o.unit().equals(c.unit()) && o.side() == c.side() && o.threads() == 1)
        .findFirst()
        .map(o -> c.handshakes().perSecond() / o.handshakes().perSecond())
        .orElse(Double.NaN);
  }

  private void printRatios(
      PrintWriter out,
      List<Cell> cells,
      Map<Unit, OpenLoop.Result> openLoops,
      ColdStart.Result cold,
      double warm) {
    out.printf(
        Locale.ROOT,
        "seconds=%.1f warmup=%.1f cores=%d java=%s%n",
        seconds,
        warm,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    out.println("provider  mode  side      threads  handshakes/s     floor/s   ratio  scaling");
    for (Cell c : cells) {
      double sc = scaling(cells, c);
      out.printf(
          Locale.ROOT,
          "%-8s  %-4s  %-8s  %7d  %12.1f  %10.1f  %6.3f  %s%n",
          c.provider(),
          c.unit().mode().label(),
          c.side(),
          c.threads(),
          c.handshakes().perSecond(),
          c.floor().perSecond(),
          c.ratio(),
          Double.isNaN(sc) ? "" : String.format(Locale.ROOT, "%.2fx", sc));
    }
    for (Cell c : cells) {
      double vs = ecdhVsRsa(cells, c);
      if (!Double.isNaN(vs)) {
        out.printf(
            Locale.ROOT,
            "ecdh/rsa %s %s threads=%d: %.2fx handshakes/s%n",
            c.provider(),
            c.side(),
            c.threads(),
            vs);
      }
    }
    for (Map.Entry<Unit, OpenLoop.Result> e : openLoops.entrySet()) {
      OpenLoop.Result r = e.getValue();
      out.printf(
          Locale.ROOT,
          "open loop %s: %.1f terminals/s, %d arrivals, p50 %.1f ms, p99 %.1f ms, max %.1f ms, p99"
              + " < %.0f ms: %s%n",
          e.getKey().label(),
          r.ratePerSecond(),
          r.arrivals(),
          r.p50Ms(),
          r.p99Ms(),
          r.maxMs(),
          OPEN_LOOP_P99_TARGET_MS,
          r.p99Under(OPEN_LOOP_P99_TARGET_MS) ? "yes" : "no");
    }
    if (cold != null) {
      out.printf(
          Locale.ROOT,
          "cold terminal: %.1f ms (median of %s), terminal classes only: %s%s%n",
          cold.medianMs(),
          cold.runsMs(),
          cold.classesOk() ? "yes" : "no",
          cold.classesOk() ? "" : " (loaded " + cold.forbiddenLoaded() + ")");
    }
  }

  private String ratioJson(
      List<Cell> cells, Map<Unit, OpenLoop.Result> openLoops, ColdStart.Result cold, double warm) {
    StringBuilder b = new StringBuilder("{\"results\":[");
    String sep = "";
    for (Cell c : cells) {
      double sc = scaling(cells, c);
      b.append(sep)
          .append("{\"provider\":\"")
          .append(jsonText(c.provider()))
          .append("\",\"mode\":\"")
          .append(c.unit().mode().label())
          .append("\",\"side\":\"")
          .append(c.side())
          .append("\",\"threads\":")
          .append(c.threads())
          .append(",\"handshakes_per_s\":")
          .append(num(c.handshakes().perSecond()))
          .append(",\"floor_per_s\":")
          .append(num(c.floor().perSecond()))
          .append(",\"ratio\":")
          .append(num(c.ratio()))
          .append(",\"handshakes\":")
          .append(c.handshakes().ops())
          .append(",\"floor_op_sets\":")
          .append(c.floor().ops());
      if (!Double.isNaN(sc)) {
        b.append(",\"scaling_vs_1_thread\":").append(num(sc));
      }
      double vs = ecdhVsRsa(cells, c);
      if (!Double.isNaN(vs)) {
        b.append(",\"handshakes_vs_rsa\":").append(num(vs));
      }
      b.append('}');
      sep = ",";
    }
    b.append("],\"cold_terminal_ms\":").append(cold == null ? "null" : num(cold.medianMs()));
    b.append(",\"cold_terminal_classes_ok\":")
        .append(cold == null ? "null" : Boolean.toString(cold.classesOk()));
    b.append(",\"cold_terminal_runs_ms\":[");
    if (cold != null) {
      b.append(String.join(",", cold.runsMs().stream().map(BenchCommand::num).toList()));
    }
    b.append("],\"cold_terminal_forbidden_classes\":[");
    if (cold != null) {
      b.append(
          String.join(
              ",", cold.forbiddenLoaded().stream().map(n -> '"' + jsonText(n) + '"').toList()));
    }
    b.append("],\"open_loop\":[");
    sep = "";
    for (Map.Entry<Unit, OpenLoop.Result> e : openLoops.entrySet()) {
      OpenLoop.Result r = e.getValue();
      b.append(sep)
          .append("{\"provider\":\"")
          .append(jsonText(e.getKey().provider()))
          .append("\",\"mode\":\"")
          .append(e.getKey().mode().label())
          .append("\",\"arrivals_per_s\":")
          .append(num(r.ratePerSecond()))
          .append(",\"arrivals\":")
          .append(r.arrivals())
          .append(",\"p50_ms\":")
          .append(num(r.p50Ms()))
          .append(",\"p99_ms\":")
          .append(num(r.p99Ms()))
          .append(",\"max_ms\":")
          .append(num(r.maxMs()))
          .append(",\"p99_under_20_ms\":")
          .append(r.p99Under(OPEN_LOOP_P99_TARGET_MS))
          .append(",\"credential_waits\":")
          .append(r.credentialWaits())
          .append('}');
      sep = ",";
    }
    b.append("],\"seconds\":")
        .append(num(seconds))
        .append(",\"warmup_seconds\":")
        .append(num(warm))
        .append(",\"cores\":")
        .append(Runtime.getRuntime().availableProcessors())
        .append(",\"java\":\"")
        .append(jsonText(System.getProperty("java.version")))
        .append("\"}");
    return b.toString();
  }

  /** The harness's progress lines (a PrintStream) onto the command's stderr writer. */
  private static final class WriterStream extends java.io.OutputStream {
    private final PrintWriter w;

    WriterStream(PrintWriter w) {
      this.w = w;
    }

    @Override
    public void write(int b) {
      w.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      w.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public void flush() {
      w.flush();
    }
  }
}
