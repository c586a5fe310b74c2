package dev.keytransfer.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.ca.DirectoryCertificateAuthority;
import dev.keytransfer.core.CertificateChain;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.KeyPurpose;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.PrivateKeyHandle;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryBindingStore;
import dev.keytransfer.core.store.InMemoryTerminalKeyStore;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.CertificationRequests;
import dev.keytransfer.crypto.testing.TestDatabases;
import dev.keytransfer.jdbc.AuditRecord;
import dev.keytransfer.jdbc.Delivery;
import dev.keytransfer.jdbc.JdbcKeyLedger;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet: two {@code keytransfer kdh serve} processes (separate JVMs) on one PostgreSQL ledger
 * serve 200 terminals over TCP; one host is killed with SIGKILL while sessions are under way. Every
 * terminal ends with its key (retrying on the other host), no delivery is confirmed twice, nothing
 * is left DELIVERED, and {@code ledger verify} passes; then one value changed with SQL makes it
 * fail.
 */
@Tag("postgres")
@Tag("slow")
class TwoHostFleetTest {
  private static final int TERMINALS = 200;
  private static final int CLIENTS = 24;
  private static final String PASSPHRASE = "fleet test passphrase";
  private static final Pattern SERVING = Pattern.compile("serving on [0-9.]+:(\\d+)");

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KeyTransferCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  /** One host JVM; what it prints goes to a file, read back as it grows. */
  private static final class Host {
    final Process process;
    final Path log;

    Host(Path ca, String ledgerUrl, String node) throws Exception {
      String classpath = System.getProperty("surefire.test.class.path");
      if (classpath == null || classpath.isBlank()) {
        classpath = System.getProperty("java.class.path");
      }
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      log = ca.resolveSibling(node + ".log");
      ProcessBuilder pb =
          new ProcessBuilder(
                  java,
                  "-Xmx384m",
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
                  "--threads",
                  "8",
                  "--ledger",
                  ledgerUrl,
                  "--node-id",
                  node)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("KEYTRANSFER_PASSPHRASE", PASSPHRASE);
      process = pb.start();
    }

    String output() throws java.io.IOException {
      return Files.readString(log, StandardCharsets.UTF_8);
    }

    int okSessions() throws java.io.IOException {
      return (int)
          output().lines().filter(l -> l.startsWith("session ") && l.contains(" OK ")).count();
    }

    int port() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        Matcher m = SERVING.matcher(output());
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
        if (!process.isAlive()) {
          throw new IllegalStateException("host exited:\n" + output());
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException("host did not start:\n" + output());
    }
  }

  @Test
  void twoHostsOnePostgres_oneKilled_everyTerminalGetsItsKey_ledgerVerifies() throws Exception {
    String url = TestDatabases.freshPostgres();
    Path ca = dir.resolve("ca");
    char[] passphrase = PASSPHRASE.toCharArray();
    BcCryptoProvider crypto = new BcCryptoProvider();
    List<ReceivingTerminal> devices = new ArrayList<>();
    ValidationPolicy terminalPolicy;
    // the CA directory `keytransfer ca` keeps, with a fast KDF: 200 terminals are issued here
    try (DirectoryCertificateAuthority authority =
        DirectoryCertificateAuthority.at(ca).weakKeyEncryptionForTests().create(passphrase)) {
      authority.issue("kdh", Role.KDH, false);
      for (int i = 0; i < TERMINALS; i++) {
        String name = String.format("pos%03d", i);
        PrivateKeyHandle key = crypto.generateRsaKeyPair(2048, name, KeyPurpose.KEY_TRANSPORT);
        byte[] csr =
            CertificationRequests.create(
                crypto, key, new X500Principal("CN=Fleet POS " + i + ",OU=KRD,O=key-transfer"));
        CertificateChain chain = authority.issue(name, Role.KRD, csr, false);
        devices.add(
            ReceivingTerminal.of(
                chain, key, new InMemoryTerminalKeyStore(), new InMemoryBindingStore()));
      }
      terminalPolicy =
          ValidationPolicy.builder()
              .trustAnchor(authority.rootCertificate())
              .roleIssuer(Role.KDH, authority.issuingCertificate(Role.KDH))
              .roleIssuer(Role.KRD, authority.issuingCertificate(Role.KRD))
              .build();
    }

    Host a = new Host(ca, url, "node-a");
    Host b = new Host(ca, url, "node-b");
    int[] ports = {a.port(), b.port()};

    AtomicInteger failedAttempts = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<Integer>> runs = new ArrayList<>();
    for (int i = 0; i < TERMINALS; i++) {
      int first = i % 2;
      KeyTransferTerminal terminal =
          KeyTransferTerminal.builder()
              .receivingTerminal(devices.get(i))
              .cryptoProvider(crypto)
              .validationPolicy(terminalPolicy)
              .stepTimeout(Duration.ofSeconds(30))
              .build();
      runs.add(
          clients.submit(
              () -> {
                for (int attempt = 0; attempt < 12; attempt++) {
                  int port = ports[(first + attempt) % 2]; // retry on the other host
                  try (TcpTransport t =
                      TcpTransport.connect(
                          "127.0.0.1",
                          port,
                          Duration.ofSeconds(5),
                          TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
                    terminal.receiveKey(t);
                    return attempt;
                  } catch (KeyTransferException e) {
                    failedAttempts.incrementAndGet();
                    Thread.sleep(50);
                  }
                }
                throw new AssertionError("no key after 12 attempts");
              }));
    }
    // kill -9 host A while sessions are under way on it
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (a.okSessions() < 30 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(a.okSessions())
        .as("host A served sessions before the kill")
        .isGreaterThanOrEqualTo(30);
    int servedByABeforeKill = a.okSessions();
    Process kill = new ProcessBuilder("kill", "-9", Long.toString(a.process.pid())).start();
    assertThat(kill.waitFor()).isZero();
    assertThat(a.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(a.process.exitValue()).isEqualTo(137); // 128 + SIGKILL

    int retried = 0;
    for (Future<Integer> f : runs) {
      if (f.get(300, TimeUnit.SECONDS) > 0) {
        retried++;
      }
    }
    clients.shutdown();

    // SIGTERM to host B: it drains and prints its summary
    b.process.destroy();
    assertThat(b.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(b.output()).contains("KDH stopped: ");

    try (JdbcKeyLedger ledger = JdbcKeyLedger.builder(url).nodeId("checker").build()) {
      List<Delivery> deliveries = ledger.deliveries();
      Map<IssuerAndSerial, List<LedgerEntry>> byDevice =
          deliveries.stream()
              .map(Delivery::entry)
              .collect(Collectors.groupingBy(LedgerEntry::device));
      for (ReceivingTerminal d : devices) {
        IssuerAndSerial id = IssuerAndSerial.of(d.certificateChain().leaf());
        try (InstalledKey held = d.keyStore().current().orElseThrow()) {
          List<LedgerEntry> mine = byDevice.get(id);
          assertThat(mine).as("deliveries to " + id).isNotEmpty();
          LedgerEntry lastConfirmed =
              mine.stream()
                  .filter(e -> e.status() == DeliveryStatus.CONFIRMED)
                  .reduce((x, y) -> y)
                  .orElseThrow();
          assertThat(lastConfirmed.kcv().matches(held.kcv()))
              .as("the key %s holds is its last confirmed delivery", id)
              .isTrue();
        }
      }
      assertThat(deliveries)
          .extracting(x -> x.entry().status())
          .doesNotContain(DeliveryStatus.DELIVERED);
      Map<String, Long> confirmations =
          ledger.auditRecords().stream()
              .filter(r -> r.event().equals("CONFIRMED"))
              .collect(Collectors.groupingBy(AuditRecord::sessionId, Collectors.counting()));
      assertThat(confirmations.values()).allMatch(n -> n == 1);
      Map<String, Long> perNode =
          deliveries.stream().collect(Collectors.groupingBy(Delivery::node, Collectors.counting()));
      Map<DeliveryStatus, Long> perStatus =
          deliveries.stream()
              .collect(Collectors.groupingBy(x -> x.entry().status(), Collectors.counting()));
      List<AuditRecord> audit = ledger.auditRecords();
      long fromAFinishedByB =
          deliveries.stream()
              .filter(x -> x.node().equals("node-a"))
              .filter(
                  x ->
                      audit.stream()
                          .anyMatch(
                              r ->
                                  r.sessionId().equals(x.entry().sessionId())
                                      && !r.event().equals("DELIVERED")
                                      && !r.event().equals("SESSION")
                                      && r.node().equals("node-b")))
              .count();
      Map<String, Integer> figures = new HashMap<>();
      figures.put("terminals", TERMINALS);
      figures.put("servedByABeforeKill", servedByABeforeKill);
      figures.put("terminalsThatRetried", retried);
      figures.put("failedAttempts", failedAttempts.get());
      figures.put("deliveries", deliveries.size());
      figures.put("confirmedOnce", confirmations.size());
      figures.put("deliveriesOfAResolvedByB", (int) fromAFinishedByB);
      System.out.println(
          "fleet run: " + figures + " per node " + perNode + " per status " + perStatus);
      assertThat(confirmations).hasSizeGreaterThanOrEqualTo(TERMINALS);
      assertThat(perNode).containsKeys("node-a", "node-b");
    }

    Run verify = cli("ledger", "verify", "--ledger", url);
    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).startsWith("ledger intact: ");

    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "UPDATE kt_delivery SET kcv = 'LEGACY_TDES:000000' WHERE session_id ="
              + " (SELECT MIN(session_id) FROM kt_delivery)");
    }
    Run broken = cli("ledger", "verify", "--ledger", url);
    assertThat(broken.exit()).isEqualTo(1);
    assertThat(broken.out()).startsWith("ledger BROKEN: delivery ").contains("KCV");
  }
}
