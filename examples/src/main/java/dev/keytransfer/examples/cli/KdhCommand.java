package dev.keytransfer.examples.cli;

import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.CertificateValidationException;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.handshake.DeliveryLimit;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.core.tls.TlsSettings;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.PkixCertificateValidator;
import dev.keytransfer.jdbc.JdbcKeyLedger;
import dev.keytransfer.netty.NettyKeyServer;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The key distribution host. */
@Command(
    name = "kdh",
    mixinStandardHelpOptions = true,
    description = "The key distribution host (TR-34 KDH).",
    subcommands = {KdhCommand.Serve.class})
final class KdhCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: serve");
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description =
          "Serve terminals over TCP until stopped: a fresh TDES master key per terminal, one line"
              + " per session. Non-blocking (Netty): no thread waits for a silent peer; deadlines,"
              + " connection caps and a bounded handshake pool bound what any peer can take.")
  static final class Serve implements Callable<Integer> {
    @Option(
        names = "--dir",
        required = true,
        description = "The CA directory holding NAME.crt.pem and NAME.key.pem.")
    Path dir;

    @Option(names = "--name", required = true, description = "The host's certificate name.")
    String name;

    @Option(names = "--port", required = true, description = "TCP port (0 = any free port).")
    int port;

    @Option(
        names = "--bind",
        defaultValue = "127.0.0.1",
        description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(
        names = "--threads",
        description =
            "Handshake threads, which run the sessions' CPU work (certificate checks, the key"
                + " token's RSA, ledger writes) and never wait for a peer; before"
                + " key-transfer-netty this was one thread per connection (default: one per core,"
                + " here ${DEFAULT-VALUE}). Once 32 tasks per thread are waiting, new terminals get"
                + " PEER_TRY_LATER at once.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(
        names = "--step-timeout",
        defaultValue = "30",
        description =
            "Seconds the host waits for each whole frame once it is ready for it; a frame must"
                + " also be whole 10 s (or this, if less) after its first byte (default:"
                + " ${DEFAULT-VALUE}).")
    int stepTimeout;

    @Option(
        names = "--session-timeout",
        defaultValue = "60",
        description =
            "Seconds a session may take from accept to its last frame (default: ${DEFAULT-VALUE}).")
    int sessionTimeout;

    @Option(
        names = "--max-connections",
        defaultValue = "1024",
        description =
            "Connections open at once; one more is closed at once (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(
        names = "--max-connections-per-address",
        defaultValue = "64",
        description =
            "Connections open at once from one source address (default: ${DEFAULT-VALUE});"
                + " raise it for terminals behind one NAT.")
    int maxConnectionsPerAddress;

    @Option(
        names = "--ledger",
        description =
            "JDBC URL of the ledger, e.g. jdbc:postgresql://db/keys?user=kdh (default: an H2 file"
                + " database in DIR/ledger). Hosts sharing one PostgreSQL ledger form a fleet.")
    String ledgerUrl;

    @Option(
        names = "--node-id",
        description = "This host's name in the ledger (default: ${DEFAULT-VALUE}).",
        defaultValue = "local")
    String nodeId;

    @Option(
        names = "--expire-unconfirmed",
        defaultValue = "60",
        description =
            "Minutes after which an unconfirmed delivery becomes EXPIRED (default:"
                + " ${DEFAULT-VALUE}).")
    int expireMinutes;

    @Option(
        names = "--max-keys-per-hour",
        defaultValue = "10",
        description = "Keys one device may get per hour (default: ${DEFAULT-VALUE}).")
    int maxKeysPerHour;

    @Option(
        names = "--tls-cert",
        paramLabel = "FILE",
        description =
            "Serve over TLS 1.3 (only; no older TLS) with this PEM certificate chain, leaf first;"
                + " its subjectAltName must name the address terminals dial (DNS name or IP)."
                + " Needs --tls-key. TR-34 protects the keys with or without TLS.")
    Path tlsCert;

    @Option(
        names = "--tls-key",
        paramLabel = "FILE",
        description =
            "The PEM private key of --tls-cert (RSA; if encrypted, its passphrase is asked like"
                + " every key's: --passphrase-file, $KEYTRANSFER_PASSPHRASE, the console).")
    Path tlsKey;

    @Option(
        names = "--tls-client-ca",
        paramLabel = "FILE",
        description =
            "Mutual TLS: require every terminal to present a TLS client certificate issued by a"
                + " CA in this PEM file (needs --tls-cert).")
    Path tlsClientCa;

    @Mixin PassphraseOption passphrase;

    @Spec CommandSpec spec;

    /** Set by tests to stop a running server. */
    static volatile CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws KeyTransferException, InterruptedException {
      OptionChecks.range(spec, "--port", port, 0, 65535);
      OptionChecks.range(spec, "--threads", threads, 1, 1024);
      OptionChecks.range(spec, "--step-timeout", stepTimeout, 1, 3600);
      OptionChecks.range(spec, "--session-timeout", sessionTimeout, 1, 86_400);
      OptionChecks.range(spec, "--max-connections", maxConnections, 1, 1_000_000);
      OptionChecks.range(
          spec, "--max-connections-per-address", maxConnectionsPerAddress, 1, 1_000_000);
      OptionChecks.range(spec, "--expire-unconfirmed", expireMinutes, 1, 525_600); // a year
      OptionChecks.range(spec, "--max-keys-per-hour", maxKeysPerHour, 1, 1_000_000);
      if (nodeId.isBlank() || nodeId.length() > 64) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--node-id must be 1 to 64 characters");
      }
      TlsSettings tls = TlsOptions.server(spec, tlsCert, tlsKey, tlsClientCa, passphrase);
      CaDirectory d = CaDirectory.open(dir, passphrase);
      CertificateChain chain = CertificateChain.of(d.leaf(name), d.ca(Role.KDH));
      try { // what a terminal will check at S3: refuse to serve with anything else
        new PkixCertificateValidator(d.policy().build())
            .validate(chain, Role.KDH, d.crls("root", "kdh-ca"));
      } catch (CertificateValidationException e) {
        throw new CliException(
            d.file(name + ".crt.pem") + " is not a usable KDH certificate: " + e.getMessage());
      }
      BcCryptoProvider crypto = new BcCryptoProvider();
      try (JdbcKeyLedger ledger = LedgerCommand.open(dir, ledgerUrl, nodeId)) {
        return serve(d, chain, crypto, ledger, tls);
      }
    }

    private int serve(
        CaDirectory d,
        CertificateChain chain,
        BcCryptoProvider crypto,
        JdbcKeyLedger ledger,
        TlsSettings tls)
        throws KeyTransferException, InterruptedException {
      DistributionTerminal kdh =
          DistributionTerminal.of(
              chain,
              d.privateKey(name),
              () -> d.crls("root", "kdh-ca"),
              RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
              DevicePolicy.anyCertifiedDevice(),
              ledger);
      KeyTransferHost host =
          KeyTransferHost.builder()
              .distributionTerminal(kdh)
              .cryptoProvider(crypto)
              .validationPolicy(d.policy().crlSource(() -> d.crls("root", "krd-ca")).build())
              .deliveryLimit(new DeliveryLimit(maxKeysPerHour, Duration.ofHours(1)))
              .build();
      PrintWriter out = spec.commandLine().getOut();
      InetAddress address;
      try {
        address = InetAddress.getByName(bind);
      } catch (UnknownHostException e) {
        throw new CliException("--bind: unknown address " + bind);
      }
      SessionLines lines = new SessionLines(out);
      try (NettyKeyServer<DeliveryReceipt> server =
          NettyKeyServer.builder()
              .bindAddress(address)
              .port(port)
              .threads(threads)
              .stepTimeout(Duration.ofSeconds(stepTimeout))
              .frameTimeout(Duration.ofSeconds(Math.min(10, stepTimeout)))
              .sessionTimeout(Duration.ofSeconds(sessionTimeout))
              .maxConnections(maxConnections)
              .maxConnectionsPerAddress(maxConnectionsPerAddress)
              .tls(tls)
              .build(host::openSession, lines::print)) {
        server.start();
        out.println(
            "KDH "
                + chain.leaf().getSubjectX500Principal().getName()
                + " serving on "
                + address.getHostAddress()
                + ":"
                + server.port()
                + TlsOptions.describe(tls)
                + " (Ctrl-C to stop)");
        out.flush();
        CountDownLatch drained = new CountDownLatch(1);
        Thread hook = // SIGTERM: stop accepting, drain the sessions in flight, print the summary
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    drained.await(20, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService expiry =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "ledger-expiry");
                  t.setDaemon(true);
                  return t;
                });
        expiry.scheduleWithFixedDelay(
            () -> expire(ledger, Duration.ofMinutes(expireMinutes)), 0, 1, TimeUnit.MINUTES);
        try {
          stop.await();
        } finally {
          expiry.shutdownNow();
          server.close(); // drains: waits for the sessions under way
          lines.printUnlisted();
          synchronized (lines) {
            out.println(
                "KDH stopped: "
                    + server.completedSessions()
                    + " sessions completed, "
                    + server.failedSessions()
                    + " failed ("
                    + server.busyRefusals()
                    + " refused busy), "
                    + server.refusedConnections()
                    + " connections over the caps; ledger "
                    + LedgerCommand.summary(ledger));
            out.flush();
          }
          drained.countDown();
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // the hook is what stopped us
          }
        }
      }
      return 0;
    }

    private static void expire(JdbcKeyLedger ledger, Duration after) {
      try {
        ledger.expireUnconfirmed(java.time.Instant.now().minus(after));
      } catch (KeyTransferException e) {
        org.slf4j.LoggerFactory.getLogger(KdhCommand.class)
            .warn("ledger expiry failed: {}", e.getMessage());
      }
    }
  }
}
