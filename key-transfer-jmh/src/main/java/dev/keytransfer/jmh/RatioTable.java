package dev.keytransfer.jmh;

import dev.keytransfer.examples.CryptoProviders;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link FloorBench} and {@link HandshakeBench} through the JMH Runner (throughput, with the
 * GC profiler) for every software provider that {@link CryptoProviders} lists and each thread
 * count, and prints one markdown table: handshakes/s, floor/s and their ratio per provider, side
 * and threads, the 2-thread/1-thread scaling, and the allocation per handshake against the floor's
 * (README "Performance"). Short defaults; {@code --help} lists the flags that lengthen them.
 */
public final class RatioTable {
  private RatioTable() {}

  private record Key(String provider, String mode, String side, int threads) {}

  public static void main(String[] args) throws Exception {
    // each trial is a fresh fork: with two benchmark threads on two cores the JIT's compiler
    // threads get little CPU, and two 2 s warm-up iterations left the two-thread cells at 1.3-1.6x
    // of one thread while they reach 1.96x after eight (README "Performance")
    int warmupIterations = 8;
    int warmupSeconds = 2;
    int iterations = 3;
    int seconds = 2;
    int forks = 1;
    int[] threads = {1, 2};
    List<String> providers =
        CryptoProviders.NAMES.stream().filter(n -> !n.equals("pkcs11")).toList();
    String sides = "host|terminal|full";
    List<String> modes = List.of("rsa");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--warmup-iterations" -> warmupIterations = Integer.parseInt(args[++i]);
        case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--forks" -> forks = Integer.parseInt(args[++i]);
        case "--threads" ->
            threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--provider" -> providers = List.of(args[++i].split(","));
        case "--sides" -> sides = args[++i].replace(',', '|');
        case "--mode" -> modes = List.of(args[++i].split(","));
        case "-h", "--help" -> {
          System.out.println(
              "RatioTable [--warmup-iterations 8] [--warmup-seconds 2] [--iterations 3]"
                  + " [--seconds 2] [--forks 1] [--threads 1,2] [--provider "
                  + String.join(",", providers)
                  + "] [--sides host,terminal,full] [--mode rsa,ecdh]");
          return;
        }
        default -> {
          System.err.println("unknown flag " + a + " (--help)");
          System.exit(2);
        }
      }
    }
    Map<Key, RunResult> handshakes = new LinkedHashMap<>();
    Map<Key, RunResult> floors = new LinkedHashMap<>();
    for (int t : threads) {
      ChainedOptionsBuilder o =
          new OptionsBuilder()
              .include("dev\\.keytransfer\\.jmh\\.(FloorBench|HandshakeBench)\\.(" + sides + ")$")
              .param("provider", providers.toArray(new String[0]))
              .param("mode", modes.toArray(new String[0]))
              .threads(t)
              .warmupIterations(warmupIterations)
              .warmupTime(TimeValue.seconds(warmupSeconds))
              .measurementIterations(iterations)
              .measurementTime(TimeValue.seconds(seconds))
              .forks(forks)
              .addProfiler(GCProfiler.class)
              .shouldFailOnError(true);
      for (RunResult r : new Runner(o.build()).run()) {
        String bench = r.getParams().getBenchmark();
        String side = bench.substring(bench.lastIndexOf('.') + 1);
        Key k =
            new Key(r.getParams().getParam("provider"), r.getParams().getParam("mode"), side, t);
        (bench.contains(".FloorBench.") ? floors : handshakes).put(k, r);
      }
    }
    System.out.println();
    System.out.println(
        "| provider | mode | side | threads | handshakes/s | floor/s | ratio | 2-thread/1-thread |"
            + " B/handshake | B/floor op-set | alloc ratio |");
    System.out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    List<Key> keys = new ArrayList<>(handshakes.keySet());
    keys.sort(
        java.util.Comparator.comparing(Key::provider)
            .thenComparing(Key::mode, java.util.Comparator.reverseOrder()) // rsa before ecdh
            .thenComparing(Key::side)
            .thenComparingInt(Key::threads));
    for (Key k : keys) {
      RunResult h = handshakes.get(k);
      RunResult f = floors.get(k);
      double hs = h.getPrimaryResult().getScore();
      double fs = f == null ? Double.NaN : f.getPrimaryResult().getScore();
      RunResult one = handshakes.get(new Key(k.provider(), k.mode(), k.side(), 1));
      String scaling =
          k.threads() == 1 || one == null
              ? ""
              : fmt(hs / one.getPrimaryResult().getScore(), "%.2fx");
      double ha = alloc(h);
      double fa = f == null ? Double.NaN : alloc(f);
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %d | %.1f | %s | %s | %s | %s | %s | %s |%n",
          k.provider(),
          k.mode(),
          k.side(),
          k.threads(),
          hs,
          fmt(fs, "%.1f"),
          fmt(hs / fs, "%.3f"),
          scaling,
          fmt(ha, "%.0f"),
          fmt(fa, "%.0f"),
          fmt(ha / fa, "%.1fx"));
    }
  }

  /**
   * Bytes allocated per operation ({@code gc.alloc.rate.norm}), NaN without the profiler's figure.
   */
  static double alloc(RunResult r) {
    Result<?> a = r.getSecondaryResults().get("·gc.alloc.rate.norm");
    if (a == null) {
      a = r.getSecondaryResults().get("gc.alloc.rate.norm");
    }
    return a == null ? Double.NaN : a.getScore();
  }

  private static String fmt(double d, String f) {
    return Double.isNaN(d) || Double.isInfinite(d) ? "" : String.format(Locale.ROOT, f, d);
  }
}
