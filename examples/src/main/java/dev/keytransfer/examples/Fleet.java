package dev.keytransfer.examples;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.core.KeyTransferException;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.pki.DefaultCertificateAuthority;
import dev.keytransfer.transport.InMemoryTransport;
import dev.keytransfer.transport.tcp.TcpKeyServer;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * The whole S1-S4 method in one place, on an embedded default: a certification authority, one key
 * host (in memory or on a free loopback TCP port), and terminals enrolled from CSRs. The demo and
 * the benchmark run on it; it is also the shortest complete example of both front doors.
 */
public final class Fleet implements AutoCloseable {
  /** How terminals reach the host. */
  public enum Transport { memory, tcp }

  private final CryptoProvider crypto = new BcCryptoProvider();
  private final DefaultCertificateAuthority ca;
  private final InMemoryKeyLedger ledger = new InMemoryKeyLedger();
  private final DistributionTerminal kdh;
  private final KeyTransferHost host;
  private final ValidationPolicy terminalPolicy;
  private final Transport transport;
  private final TcpKeyServer<DeliveryReceipt> server;
  private final ExecutorService memoryHost;
  private final List<ReceivingTerminal> terminals = new ArrayList<>();

  /** S1 for the CA and the host; starts the host. */
  public Fleet(Transport transport, int serverThreads) throws KeyTransferException {
    this.transport = transport;
    this.ca = DefaultCertificateAuthority.create("Demo", Clock.systemUTC());
    this.kdh = Enrollment.enrollHost(ca, crypto, "Demo Key Host", RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
        DevicePolicy.anyCertifiedDevice(), ledger);
    this.host = KeyTransferHost.builder().distributionTerminal(kdh).cryptoProvider(crypto)
        .validationPolicy(Enrollment.hostPolicy(ca)).stepTimeout(Duration.ofSeconds(60)).build();
    this.terminalPolicy = Enrollment.terminalPolicy(ca);
    if (transport == Transport.tcp) {
      server = TcpKeyServer.builder().port(0).threads(serverThreads).backlog(1024).build(host::serve);
      server.start();
      memoryHost = null;
    } else {
      server = null;
      memoryHost = Executors.newFixedThreadPool(serverThreads);
    }
  }

  public DefaultCertificateAuthority ca() {
    return ca;
  }

  public DistributionTerminal host() {
    return kdh;
  }

  public InMemoryKeyLedger ledger() {
    return ledger;
  }

  /** The TCP port, or -1 in memory. */
  public int port() {
    return server == null ? -1 : server.port();
  }

  public List<ReceivingTerminal> terminals() {
    return terminals;
  }

  /** S1 for {@code n} more terminals (key in the provider, CSR, certificate), reporting progress. */
  public void enroll(int n, IntConsumer progress) throws KeyTransferException {
    for (int i = 0; i < n; i++) {
      terminals.add(Enrollment.enrollTerminal(ca, crypto, String.format("POS %04d", terminals.size() + 1)));
      progress.accept(i + 1);
    }
  }

  /** S2-S4 for one terminal over a fresh connection. */
  public KeyReceipt fetch(ReceivingTerminal device) throws KeyTransferException {
    KeyTransferTerminal terminal = KeyTransferTerminal.builder().receivingTerminal(device).cryptoProvider(crypto)
        .validationPolicy(terminalPolicy).stepTimeout(Duration.ofSeconds(60)).build();
    if (transport == Transport.tcp) {
      try (TcpTransport t = TcpTransport.connect("127.0.0.1", server.port(), Duration.ofSeconds(30),
          TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
        return terminal.receiveKey(t);
      }
    }
    InMemoryTransport.Pair pair = InMemoryTransport.pair();
    Future<DeliveryReceipt> served = memoryHost.submit(() -> host.serve(pair.hostEnd()));
    try {
      KeyReceipt r = terminal.receiveKey(pair.terminalEnd());
      served.get();
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyTransferException(dev.keytransfer.core.ErrorCode.TRANSPORT_FAILURE, "interrupted");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof KeyTransferException k ? k
          : new KeyTransferException(dev.keytransfer.core.ErrorCode.INTERNAL_ERROR, "host failed", e.getCause());
    } finally {
      pair.terminalEnd().close();
      pair.hostEnd().close();
    }
  }

  /**
   * Waits until the host has finished {@code sessions} sessions in total (a terminal is done once
   * it has sent its confirmation; the host records it a moment later).
   */
  public void awaitHostSessions(long sessions, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (server != null && server.completedSessions() + server.failedSessions() < sessions
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    if (memoryHost != null) {
      memoryHost.shutdownNow();
    }
  }
}
