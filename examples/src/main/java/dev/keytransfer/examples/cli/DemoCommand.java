package dev.keytransfer.examples.cli;

import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.examples.Fleet;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The product's main job with no set-up. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Create a CA, start a key host on a free loopback port, and run N terminals through S1-S4.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--terminals", defaultValue = "10", description = "How many terminals (default: ${DEFAULT-VALUE}).")
  int terminals;

  @Option(names = "--transport", defaultValue = "tcp", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Fleet.Transport transport;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws KeyTransferException, InterruptedException {
    if (terminals < 1 || terminals > 10_000) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--terminals must be between 1 and 10000");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("S1  certification authority: root, KDH CA, KRD CA (RSA-2048, SHA-256)");
    try (Fleet fleet = new Fleet(transport, 8)) {
      out.println("S1  key host certified: " + fleet.host().certificateChain().leaf().getSubjectX500Principal().getName()
          + (transport == Fleet.Transport.tcp ? ", listening on 127.0.0.1:" + fleet.port() : ", in memory"));
      fleet.enroll(terminals, done -> {
        if (done == terminals || done % 25 == 0) {
          out.println("S1  terminals certified from CSRs: " + done + "/" + terminals);
          out.flush();
        }
      });
      out.println("S2-S4  terminals fetching their keys over " + transport);
      AtomicInteger finished = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(Math.min(terminals, 4));
      List<Future<?>> runs = new ArrayList<>();
      AtomicInteger received = new AtomicInteger();
      for (ReceivingTerminal device : fleet.terminals()) {
        String name = device.certificateChain().leaf().getSubjectX500Principal().getName().replaceAll("^CN=([^,]*).*$", "$1");
        runs.add(pool.submit(() -> {
          String line;
          try {
            KeyReceipt r = fleet.fetch(device);
            received.incrementAndGet();
            line = name + "  header=" + r.header() + "  kcv=" + r.kcv().hex();
          } catch (KeyTransferException e) {
            line = name + "  FAILED " + e.code() + ": " + e.getMessage();
          }
          synchronized (out) {
            out.println("[" + finished.incrementAndGet() + "/" + terminals + "] " + line);
            out.flush();
          }
        }));
      }
      for (Future<?> f : runs) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw new IllegalStateException(e.getCause());
        }
      }
      pool.shutdown();
      fleet.awaitHostSessions(terminals, java.time.Duration.ofSeconds(30));
      long confirmed = fleet.ledger().entries().stream().filter(e -> e.status() == DeliveryStatus.CONFIRMED).count();
      long distinct = fleet.ledger().entries().stream().map(e -> e.kcv()).distinct().count();
      out.println("ledger: " + confirmed + " deliveries confirmed by KCV, " + distinct + " distinct KCVs");
      out.println(received.get() + "/" + terminals + " terminals received their key");
      return received.get() == terminals && confirmed == terminals ? 0 : 1;
    }
  }
}
