package dev.keytransfer.examples.cli;

import dev.keytransfer.KeyType;
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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The product's main job with no set-up. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Create a CA, start a key host on a free loopback port, and run N terminals through S1-S4.")
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--terminals",
      defaultValue = "10",
      description = "How many terminals (default: ${DEFAULT-VALUE}).")
  int terminals;

  @Option(
      names = "--transport",
      defaultValue = "tcp",
      description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Fleet.Transport transport;

  @Option(
      names = "--dukpt",
      arity = "0..1",
      fallbackValue = "tdes",
      paramLabel = "tdes|aes",
      description =
          "Give each terminal a unique DUKPT initial key from a BDK generated for the demo: tdes"
              + " (IPEK with a KS block, the default) or aes (AES-128 initial key with an IK block;"
              + " terminals get RSA-3072 keys, since the host wraps a 128-bit key only under"
              + " RSA-3072 or stronger).")
  DukptKind dukpt;

  @Option(
      names = "--mode",
      defaultValue = "rsa",
      description =
          "rsa: TR-34 key transport to RSA-2048 terminals (the default); ecdh: the ECDH mode"
              + " (docs/ECDH.md), host and terminals on P-256, the key as a TR-31 block under a key"
              + " both derive.")
  Mode mode;

  @Mixin ProviderOption provider;

  enum Mode {
    rsa,
    ecdh
  }

  @Spec CommandSpec spec;

  enum DukptKind {
    tdes,
    aes
  }

  @Override
  public Integer call() throws KeyTransferException, InterruptedException {
    if (terminals < 1 || terminals > 10_000) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--terminals must be between 1 and 10000");
    }
    PrintWriter out = spec.commandLine().getOut();
    Fleet.HostKeys keys =
        dukpt == null
            ? Fleet.HostKeys.TDES_MASTER_KEY
            : dukpt == DukptKind.aes ? Fleet.HostKeys.DUKPT_AES : Fleet.HostKeys.DUKPT_TDES;
    Fleet.Builder setup =
        Fleet.builder()
            .transport(transport)
            .serverThreads(8)
            .hostKeys(keys)
            .cryptoProvider(provider.open());
    if (mode == Mode.ecdh) {
      setup.ecdh(KeyType.EC_P256);
    }
    out.println("S1  certification authority: root, KDH CA, KRD CA (RSA-2048, SHA-256)");
    try (Fleet fleet = setup.build()) {
      out.println(
          "crypto provider: "
              + fleet.cryptoProvider().name()
              + ("pkcs11".equals(fleet.cryptoProvider().name())
                  ? " (host and terminal "
                      + (mode == Mode.ecdh ? "EC" : "RSA")
                      + " keys generated in the token)"
                  : ""));
      if (keys.dukpt()) {
        out.println(
            "host keys: "
                + (keys == Fleet.HostKeys.DUKPT_AES ? "AES-128" : "TDES")
                + " DUKPT initial keys from a BDK "
                + "generated for this demo (kcv="
                + fleet.bdkCheckValue().orElseThrow().hex()
                + "), one "
                + (keys == Fleet.HostKeys.DUKPT_AES ? "initial key ID" : "initial KSN")
                + " per terminal");
      }
      if (mode == Mode.ecdh) {
        out.println(
            "mode: ECDH (docs/ECDH.md): P-256 keys, ECDSA-signed answers, NIST SP 800-56C KDF,"
                + " TR-31 version D key blocks");
      }
      out.println(
          "S1  key host certified: "
              + fleet.host().certificateChain().leaf().getSubjectX500Principal().getName()
              + (mode == Mode.ecdh ? " (EC P-256)" : "")
              + (transport == Fleet.Transport.tcp
                  ? ", listening on 127.0.0.1:" + fleet.port()
                  : ", in memory"));
      fleet.enroll(
          terminals,
          done -> {
            if (done == terminals || done % 25 == 0) {
              out.println(
                  "S1  terminals certified from CSRs: "
                      + done
                      + "/"
                      + terminals
                      + (mode == Mode.ecdh
                          ? " (EC P-256)"
                          : " (RSA-" + fleet.terminalRsaBits() + ")"));
              out.flush();
            }
          });
      out.println("S2-S4  terminals fetching their keys over " + transport);
      AtomicInteger finished = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(Math.min(terminals, 4));
      List<Future<?>> runs = new ArrayList<>();
      AtomicInteger received = new AtomicInteger();
      for (ReceivingTerminal device : fleet.terminals()) {
        String name =
            device
                .certificateChain()
                .leaf()
                .getSubjectX500Principal()
                .getName()
                .replaceAll("^CN=([^,]*).*$", "$1");
        runs.add(
            pool.submit(
                () -> {
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
      long confirmed =
          fleet.ledger().entries().stream()
              .filter(e -> e.status() == DeliveryStatus.CONFIRMED)
              .count();
      long distinct = fleet.ledger().entries().stream().map(e -> e.kcv()).distinct().count();
      out.println(
          "ledger: " + confirmed + " deliveries confirmed by KCV, " + distinct + " distinct KCVs");
      boolean dukptOk = true;
      if (keys.dukpt()) {
        int matching = 0;
        for (ReceivingTerminal device : fleet.terminals()) {
          matching += fleet.installedKeyMatchesBdk(device) ? 1 : 0;
        }
        int distinctKeys = fleet.distinctInstalledKeys();
        out.println(
            "DUKPT: "
                + matching
                + "/"
                + terminals
                + " installed initial keys equal the BDK derivation for their "
                + (keys == Fleet.HostKeys.DUKPT_AES ? "IK" : "KS")
                + " block, "
                + distinctKeys
                + " distinct keys");
        dukptOk = matching == terminals && distinctKeys == terminals;
      }
      out.println(received.get() + "/" + terminals + " terminals received their key");
      return received.get() == terminals && confirmed == terminals && dukptOk ? 0 : 1;
    }
  }
}
