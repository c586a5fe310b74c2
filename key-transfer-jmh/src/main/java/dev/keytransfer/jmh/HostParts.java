package dev.keytransfer.jmh;

import dev.keytransfer.examples.CryptoProviders;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * What the host's ratio to its floor can reach at best, from one JMH run (one thread, GC profiler):
 * the host floor and host handshake ({@link FloorBench}, {@link HandshakeBench}) and the parts of
 * {@link HostPartsBench}, per software provider.
 *
 * <p>A host handshake verifies one signature by RSA (the terminal's certificate, inside the
 * platform's PKIX validation; its issuing CA is validated once and kept), signs once and encrypts
 * once by OAEP, where the floor counts two verifications. So a handshake takes at least {@code
 * floor - 2 x verify + parse-and-validate + symmetric} and allocates at least the same sum of
 * bytes, with nothing yet for CMS, the ledger or the frames; the table prints that lower bound, the
 * best ratio it leaves and the measured ratio (time: floor over handshake, higher is better and
 * above 1 where the saved verification outweighs the parts; bytes: handshake over floor, lower is
 * better). The same bound for accp against jca is {@code min(jca)/min(accp)}: anything both spend
 * beyond the minimum lowers it further. README "Performance".
 */
public final class HostParts {
  private HostParts() {}

  public static void main(String[] args) throws Exception {
    List<String> providers =
        CryptoProviders.NAMES.stream().filter(n -> !n.equals("pkcs11")).toList();
    int warmups = 6;
    int iterations = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--provider" -> providers = List.of(args[++i].split(","));
        case "--warmup-iterations" -> warmups = Integer.parseInt(args[++i]);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        default -> {
          boolean help = args[i].equals("-h") || args[i].equals("--help");
          (help ? System.out : System.err)
              .println(
                  "HostParts [--provider "
                      + String.join(",", providers)
                      + "]"
                      + " [--warmup-iterations 6] [--iterations 3]");
          System.exit(help ? 0 : 2);
        }
      }
    }
    Map<String, RunResult> r = new HashMap<>();
    var o =
        new OptionsBuilder()
            .include(
                "dev\\.keytransfer\\.jmh\\.(HostPartsBench\\..*|(FloorBench|HandshakeBench)\\.host)$")
            .param("provider", providers.toArray(new String[0]))
            .param("mode", "rsa")
            .threads(1)
            .warmupIterations(warmups)
            .warmupTime(TimeValue.seconds(2))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(2))
            .forks(1)
            .addProfiler(GCProfiler.class)
            .shouldFailOnError(true)
            .build();
    for (RunResult rr : new Runner(o).run()) {
      String b = rr.getParams().getBenchmark();
      String name = b.substring(b.lastIndexOf('.', b.lastIndexOf('.') - 1) + 1);
      r.put(rr.getParams().getParam("provider") + " " + name, rr);
    }
    System.out.println();
    System.out.println(
        "| provider | per | floor | handshake | parse | parse + validate | verify | symmetric |"
            + " minimum handshake | best ratio | measured ratio |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    Map<String, Double> minimum = new HashMap<>();
    for (String p : providers) {
      String[] parts = {
        "FloorBench.host",
        "HandshakeBench.host",
        "HostPartsBench.parse",
        "HostPartsBench.parseAndValidate",
        "HostPartsBench.verifyLeaf",
        "HostPartsBench.symmetric"
      };
      double[] us = new double[parts.length];
      double[] bytes = new double[parts.length];
      for (int i = 0; i < parts.length; i++) {
        RunResult rr = r.get(p + " " + parts[i]);
        us[i] = 1e6 / rr.getPrimaryResult().getScore();
        bytes[i] = RatioTable.alloc(rr);
      }
      double minUs = us[0] - 2 * us[4] + us[3] + us[5];
      double minBytes = bytes[0] - 2 * bytes[4] + bytes[3] + bytes[5];
      minimum.put(p, minUs);
      // time: floor over handshake, higher is better; bytes: handshake over floor, lower is better
      row(p, "µs", us, minUs, us[0] / minUs, us[0] / us[1], "%.1f");
      row(p, "B", bytes, minBytes, minBytes / bytes[0], bytes[1] / bytes[0], "%.0f");
    }
    if (minimum.containsKey("jca") && minimum.containsKey("accp")) {
      RunResult j = r.get("jca HandshakeBench.host");
      RunResult a = r.get("accp HandshakeBench.host");
      System.out.printf(
          Locale.ROOT,
          "%naccp/jca host: measured %.2fx, at most %.2fx%n",
          a.getPrimaryResult().getScore() / j.getPrimaryResult().getScore(),
          minimum.get("jca") / minimum.get("accp"));
    }
  }

  private static void row(
      String p, String unit, double[] v, double min, double best, double measured, String f) {
    StringBuilder sb = new StringBuilder("| " + p + " | " + unit + " |");
    for (double d : v) {
      sb.append(' ').append(String.format(Locale.ROOT, f, d)).append(" |");
    }
    sb.append(String.format(Locale.ROOT, " " + f + " | %.3f | %.3f |", min, best, measured));
    System.out.println(sb);
  }
}
