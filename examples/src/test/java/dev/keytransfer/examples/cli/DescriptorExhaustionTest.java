package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.ca.DirectoryCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryBindingStore;
import dev.keytransfer.core.store.InMemoryTerminalKeyStore;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keytransfer kdh serve} out of file descriptors: the host runs in a JVM of its own limited
 * to 256 descriptors, with caps above that so that the limit, not a cap, is what the flood meets,
 * and 400 sockets connect and stay silent. While it cannot accept, the host must not spin (under
 * half a core, from the child's CPU time in /proc/PID/stat over the flood window) nor flood its log
 * (under 1 MB in all), and once the sockets close it must serve a terminal again at once.
 */
@Tag("slow")
class DescriptorExhaustionTest {
  private static final String PASSPHRASE = "descriptor test passphrase";
  private static final int LIMIT = 256;
  private static final int FLOOD = 400;
  private static final Duration WINDOW = Duration.ofSeconds(10);
  private static final Pattern SERVING = Pattern.compile("serving on [0-9.]+:(\\d+)");

  @TempDir Path dir;

  @Test
  void floodPastTheDescriptorLimit_noSpinNoLogFlood_servesAgainWhenItEnds() throws Exception {
    Path ca = dir.resolve("ca");
    BcCryptoProvider crypto = new BcCryptoProvider();
    ReceivingTerminal device;
    ValidationPolicy policy;
    try (DirectoryCertificateAuthority authority =
        DirectoryCertificateAuthority.at(ca)
            .weakKeyEncryptionForTests()
            .create(PASSPHRASE.toCharArray())) {
      authority.issue("kdh", Role.KDH, false);
      CertificateChain chain = authority.issue("pos", Role.KRD, false);
      device =
          ReceivingTerminal.of(
              chain,
              authority.privateKey("pos"),
              new InMemoryTerminalKeyStore(),
              new InMemoryBindingStore());
      policy =
          ValidationPolicy.builder()
              .trustAnchor(authority.rootCertificate())
              .roleIssuer(Role.KDH, authority.issuingCertificate(Role.KDH))
              .roleIssuer(Role.KRD, authority.issuingCertificate(Role.KRD))
              .build();
    }
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(crypto)
            .validationPolicy(policy)
            .stepTimeout(Duration.ofSeconds(10))
            .build();

    Path log = dir.resolve("kdh.log");
    Process host = startHost(ca, log);
    List<Socket> flood = new ArrayList<>();
    try {
      int port = port(host, log);
      assertThat(Files.readString(Path.of("/proc", Long.toString(host.pid()), "limits")))
          .as("the host's descriptor limit")
          .containsPattern("Max open files\\s+" + LIMIT + "\\s+" + LIMIT);
      for (int i = 0; i < 3; i++) { // it serves, and the paths are warm
        fetch(terminal, port);
      }

      for (int i = 0; i < FLOOD; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        flood.add(s);
      }
      Thread.sleep(1000); // the host takes what it can, then its accepts fail
      long ticks0 = cpuTicks(host.pid());
      long log0 = Files.size(log);
      long t0 = System.nanoTime();
      Thread.sleep(WINDOW.toMillis());
      long ticks1 = cpuTicks(host.pid());
      long log1 = Files.size(log);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cores = (ticks1 - ticks0) / (double) clockTicksPerSecond() / seconds;
      int openDescriptors = openDescriptors(host.pid());

      for (Socket s : flood) {
        s.close();
      }
      long end = System.nanoTime();
      fetchRetrying(terminal, port, Duration.ofSeconds(30));
      double servedAfter = (System.nanoTime() - end) / 1e9;

      String output = Files.readString(log, StandardCharsets.UTF_8);
      long acceptLines = output.lines().filter(l -> l.contains("accept failed")).count();
      System.out.printf(
          Locale.ROOT,
          "descriptor exhaustion: limit %d, %d sockets; host at %d descriptors; over %.1f s: %.3f"
              + " of a core, %d log bytes (%d 'accept failed' lines in all); served again %.2f s"
              + " after the flood ended; log %d bytes in all%n",
          LIMIT,
          FLOOD,
          openDescriptors,
          seconds,
          cores,
          log1 - log0,
          acceptLines,
          servedAfter,
          Files.size(log));
      output
          .lines()
          .filter(l -> !l.startsWith("session "))
          .forEach(l -> System.out.println("  " + l));
      assertThat(openDescriptors).as("the flood reached the limit").isGreaterThan(LIMIT - 8);
      assertThat(output).contains("accept failed: ");
      assertThat(cores).as("CPU while out of descriptors, in cores").isLessThan(0.5);
      assertThat(Files.size(log)).as("log bytes").isLessThan(1_000_000L);
      assertThat(servedAfter).as("seconds to serve again").isLessThan(5.0);
    } finally {
      for (Socket s : flood) {
        s.close();
      }
      host.destroy();
      host.waitFor(30, TimeUnit.SECONDS);
      host.destroyForcibly();
    }
  }

  /** {@code keytransfer kdh serve} in a JVM limited to {@link #LIMIT} descriptors. */
  private Process startHost(Path ca, Path log) throws IOException {
    String classpath = System.getProperty("surefire.test.class.path");
    if (classpath == null || classpath.isBlank()) {
      classpath = System.getProperty("java.class.path");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    List<String> serve =
        List.of(
            java,
            "-Xmx256m",
            "-cp",
            classpath,
            KeyTransferCli.class.getName(),
            "kdh",
            "serve",
            "--dir",
            ca.toString(),
            "--name",
            "kdh",
            "--port",
            "0",
            "--max-connections",
            "4096",
            "--max-connections-per-address",
            "4096",
            "--step-timeout",
            "60",
            "--session-timeout",
            "120");
    if (Files.isExecutable(Path.of("/usr/bin/prlimit"))) {
      command.addAll(List.of("/usr/bin/prlimit", "--nofile=" + LIMIT + ":" + LIMIT, "--"));
      command.addAll(serve);
    } else {
      command.addAll(List.of("bash", "-c", "ulimit -n " + LIMIT + " && exec \"$@\"", "kdh"));
      command.addAll(serve);
    }
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KEYTRANSFER_PASSPHRASE", PASSPHRASE);
    return pb.start();
  }

  private static int port(Process host, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      String out = Files.readString(log, StandardCharsets.UTF_8);
      Matcher m = SERVING.matcher(out);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!host.isAlive()) {
        throw new IllegalStateException("host exited:\n" + out);
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("host did not start");
  }

  private static void fetch(KeyTransferTerminal terminal, int port) throws KeyTransferException {
    try (TcpTransport t =
        TcpTransport.connect(
            "127.0.0.1", port, Duration.ofSeconds(5), TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
      terminal.receiveKey(t);
    }
  }

  private static void fetchRetrying(KeyTransferTerminal terminal, int port, Duration within)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        fetch(terminal, port);
        return;
      } catch (KeyTransferException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /** utime + stime of {@code pid}, in clock ticks (/proc/PID/stat fields 14 and 15). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14, 15 counted from 1
  }

  private static long clockTicksPerSecond() throws Exception {
    Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
    p.waitFor(10, TimeUnit.SECONDS);
    return out.matches("\\d+") ? Long.parseLong(out) : 100;
  }

  private static int openDescriptors(long pid) throws IOException {
    try (var files = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return (int) files.count();
    }
  }
}
