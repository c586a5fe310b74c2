package dev.keytransfer.examples;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.DefaultCertificateAuthority;
import dev.keytransfer.transport.InMemoryTransport;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The product's main job on an embedded default, with no set-up: a certification authority, one key
 * host, and N terminals that each receive a fresh terminal master key through S1-S4.
 *
 * <pre>
 *   java -jar examples/target/keytransfer.jar demo [--terminals N]
 * </pre>
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line; returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    int terminals = 10;
    int i = 0;
    if (args.length > 0 && args[0].equals("demo")) {
      i = 1;
    } else if (args.length > 0 && !args[0].startsWith("-")) {
      err.println("error: unknown command '" + args[0] + "' (try: demo [--terminals N])");
      return 2;
    }
    for (; i < args.length; i++) {
      switch (args[i]) {
        case "--terminals" -> {
          if (i + 1 >= args.length) {
            err.println("error: --terminals needs a number");
            return 2;
          }
          try {
            terminals = Integer.parseInt(args[++i]);
          } catch (NumberFormatException e) {
            err.println("error: --terminals needs a number, got '" + args[i] + "'");
            return 2;
          }
          if (terminals < 1 || terminals > 10_000) {
            err.println("error: --terminals must be between 1 and 10000");
            return 2;
          }
        }
        case "--help", "-h" -> {
          out.println("usage: keytransfer demo [--terminals N]");
          out.println("  Creates a CA, a key host and N terminals (default 10) in this process, and runs");
          out.println("  S1-S4 for each terminal over an in-memory transport.");
          return 0;
        }
        default -> {
          err.println("error: unknown option '" + args[i] + "' (try --help)");
          return 2;
        }
      }
    }
    try {
      return demo(terminals, out);
    } catch (KeyTransferException e) {
      err.println("error: " + e.code() + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted");
      return 1;
    }
  }

  static int demo(int terminals, PrintStream out) throws KeyTransferException, InterruptedException {
    BcCryptoProvider crypto = new BcCryptoProvider();
    out.println("S1  certification authority: root, KDH CA, KRD CA (RSA-2048, SHA-256)");
    DefaultCertificateAuthority ca = DefaultCertificateAuthority.create("Demo", Clock.systemUTC());
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    DistributionTerminal kdh = Enrollment.enrollHost(ca, crypto, "Demo Key Host",
        RandomKeySource.tdesMasterKeys(crypto.secureRandom()), DevicePolicy.anyCertifiedDevice(), ledger);
    KeyTransferHost host = KeyTransferHost.builder().distributionTerminal(kdh).cryptoProvider(crypto)
        .validationPolicy(Enrollment.hostPolicy(ca)).build();
    out.println("S1  key host certified: " + kdh.certificateChain().leaf().getSubjectX500Principal().getName());

    ExecutorService hostThreads = Executors.newFixedThreadPool(2);
    int received = 0;
    try {
      for (int n = 1; n <= terminals; n++) {
        String name = String.format("POS %04d", n);
        ReceivingTerminal device = Enrollment.enrollTerminal(ca, crypto, name);
        KeyTransferTerminal terminal = KeyTransferTerminal.builder().receivingTerminal(device).cryptoProvider(crypto)
            .validationPolicy(Enrollment.terminalPolicy(ca)).build();
        InMemoryTransport.Pair pair = InMemoryTransport.pair();
        Future<?> served = hostThreads.submit(() -> host.serve(pair.hostEnd()));
        try {
          KeyReceipt r = terminal.receiveKey(pair.terminalEnd());
          served.get();
          received++;
          out.printf("[%d/%d] %s  header=%s  kcv=%s%n", n, terminals, name, r.header(), r.kcv().hex());
        } catch (KeyTransferException e) {
          out.printf("[%d/%d] %s  FAILED %s%n", n, terminals, name, e.code());
        } catch (java.util.concurrent.ExecutionException e) {
          out.printf("[%d/%d] %s  host FAILED %s%n", n, terminals, name, e.getCause());
        } finally {
          pair.terminalEnd().close();
          pair.hostEnd().close();
        }
      }
    } finally {
      hostThreads.shutdownNow();
    }
    long confirmed = ledger.entries().stream()
        .filter(e -> e.status() == dev.keytransfer.core.spi.DeliveryStatus.CONFIRMED).count();
    out.println("ledger: " + confirmed + " deliveries confirmed by KCV");
    out.println(received + "/" + terminals + " terminals received their key");
    return received == terminals && confirmed == terminals ? 0 : 1;
  }
}
