package dev.keytransfer.bench;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.crypto.Pem;
import dev.keytransfer.crypto.SoftwareKeyHandle;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.netty.NettyKeyServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The cold terminal: a host served in this process on {@link NettyKeyServer} over loopback TCP (its
 * own fixtures on the JCA provider), the terminal's files (chain, key, trust anchors) written to a
 * temporary directory, and a few fresh JVMs (the same {@code java} binary as this one) each running
 * {@link ColdTerminal} once. Reports the median of their wall times (first line of main to the
 * installed key) and whether a child loaded a class a terminal must not need: Bouncy Castle, the CA
 * module or Netty (docs/DESIGN.md, "Modules"), read from the {@code -Xlog:class+load} file of one
 * more child that runs first and is not timed (writing that log slows start-up).
 *
 * <p>{@code java -cp <bench's class path> dev.keytransfer.bench.ColdStart [--runs N]
 * [--child-classpath CP]} does the same from a shell (it/cold-start.sh gives the child only the
 * terminal's jars).
 */
public final class ColdStart {
  /** Class name prefixes a terminal must not load. */
  public static final List<String> FORBIDDEN =
      List.of("org.bouncycastle.", "dev.keytransfer.ca.", "io.netty.");

  private static final Pattern FIGURE = Pattern.compile("cold_terminal_ms=([0-9.]+)");
  private static final Pattern LOADED = Pattern.compile("\\]\\s+(\\S+)\\s+source:");

  /**
   * @param runsMs each child's figure
   * @param forbiddenLoaded the forbidden classes any child loaded (empty: the classes are fine)
   */
  public record Result(List<Double> runsMs, double medianMs, List<String> forbiddenLoaded) {
    public boolean classesOk() {
      return forbiddenLoaded.isEmpty();
    }
  }

  private ColdStart() {}

  /**
   * Runs {@code runs} cold terminals with {@code childClasspath}; progress lines to {@code log}.
   */
  public static Result measure(String childClasspath, int runs, PrintStream log)
      throws KeyTransferException, IOException, InterruptedException {
    if (runs < 1) {
      throw new IllegalArgumentException("at least one run");
    }
    Fixtures f = Fixtures.create(new JcaCryptoProvider(), 1);
    Path dir = Files.createTempDirectory("keytransfer-cold-");
    try (NettyKeyServer<DeliveryReceipt> server =
        NettyKeyServer.builder().port(0).threads(1).build(f.host()::openSession)) {
      writeFiles(f, dir);
      server.start();
      List<Double> figures = new ArrayList<>();
      TreeSet<String> forbidden = new TreeSet<>();
      // one run with the class-load log, for the check only: writing the log costs start-up time
      Path classLog = dir.resolve("classes.log");
      runChild(childClasspath, dir, server.port(), classLog);
      forbidden.addAll(forbiddenClasses(classLog));
      for (int i = 0; i < runs; i++) {
        figures.add(runChild(childClasspath, dir, server.port(), null));
        log.printf(Locale.ROOT, "cold terminal run %d/%d: %.1f ms%n", i + 1, runs, figures.get(i));
        log.flush();
      }
      List<Double> sorted = new ArrayList<>(figures);
      sorted.sort(Comparator.naturalOrder());
      int n = sorted.size();
      double median =
          n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      return new Result(figures, median, List.copyOf(forbidden));
    } finally {
      deleteTree(dir);
    }
  }

  private static void writeFiles(Fixtures f, Path dir) throws IOException {
    ReceivingTerminal t = f.terminal(0);
    StringBuilder chain = new StringBuilder();
    for (X509Certificate c : t.certificateChain().certificates()) {
      chain.append(Pem.encode(c));
    }
    write(dir.resolve(ColdTerminal.CHAIN), chain.toString());
    if (!(t.keyTransportKey() instanceof SoftwareKeyHandle key)) {
      throw new IllegalStateException("the cold terminal needs a software key");
    }
    Path keyFile = dir.resolve(ColdTerminal.KEY);
    Files.createFile(
        keyFile,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    write(keyFile, Pem.encode(key.privateKey()));
    write(dir.resolve(ColdTerminal.ROOT), Pem.encode(f.ca().rootCertificate()));
    write(
        dir.resolve(ColdTerminal.KDH_CA),
        Pem.encode(f.ca().issuingCertificate(dev.keytransfer.core.Role.KDH)));
    write(
        dir.resolve(ColdTerminal.KRD_CA),
        Pem.encode(f.ca().issuingCertificate(dev.keytransfer.core.Role.KRD)));
  }

  private static double runChild(String classpath, Path dir, int port, Path classLog)
      throws IOException, InterruptedException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java));
    if (classLog != null) {
      command.add("-Xlog:class+load:file=" + classLog);
    }
    command.addAll(
        List.of(
            "-cp",
            classpath,
            ColdTerminal.class.getName(),
            dir.toString(),
            "127.0.0.1",
            Integer.toString(port)));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("the cold terminal did not finish in 60 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    Matcher m = FIGURE.matcher(text);
    if (p.exitValue() != 0 || !m.find()) {
      throw new IllegalStateException(
          "the cold terminal failed (exit " + p.exitValue() + "): " + text.strip());
    }
    return Double.parseDouble(m.group(1));
  }

  /** The forbidden classes named in a {@code -Xlog:class+load} file. */
  static List<String> forbiddenClasses(Path classLog) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<String> lines = Files.lines(classLog)) {
      lines.forEach(
          line -> {
            Matcher m = LOADED.matcher(line);
            if (m.find()) {
              String name = m.group(1);
              for (String prefix : FORBIDDEN) {
                if (name.startsWith(prefix)) {
                  out.add(name);
                }
              }
            }
          });
    }
    return out;
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.US_ASCII);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory left behind is not worth failing the run
    }
  }

  public static void main(String[] args) throws Exception {
    int runs = 3;
    String cp = System.getProperty("java.class.path");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--child-classpath" -> cp = args[++i];
        default -> {
          System.err.println("usage: ColdStart [--runs N] [--child-classpath CP]");
          System.exit(2);
        }
      }
    }
    Result r = measure(cp, runs, System.err);
    System.out.printf(
        Locale.ROOT,
        "cold_terminal_ms=%.1f (median of %s) cold_terminal_classes_ok=%s%s%n",
        r.medianMs(),
        r.runsMs(),
        r.classesOk(),
        r.classesOk() ? "" : " loaded: " + r.forbiddenLoaded());
    System.exit(0); // the server's threads are gone, but the CA's provider threads may linger
  }
}
