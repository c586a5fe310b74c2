package dev.keytransfer.e2e.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.transport.tcp.TcpKeyServer;
import dev.keytransfer.transport.tcp.TcpTransport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 200 terminals connect at once, over real loopback sockets, to one key host; all receive distinct
 * keys and the ledger confirms each. A correctness test under load; the speed is measured by the
 * {@code keytransfer bench} command, not here.
 */
@Tag("slow")
class TcpLoadTest {
  private static final int TERMINALS = 200;

  @Test
  void twoHundredTerminalsAtOnce_allGetDistinctKeys() throws Exception {
    BcCryptoProvider crypto = new BcCryptoProvider();
    DefaultCertificateAuthority ca = DefaultCertificateAuthority.create("Load", Clock.systemUTC());
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(
                Enrollment.enrollHost(
                    ca,
                    crypto,
                    "Load KDH",
                    RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
                    DevicePolicy.anyCertifiedDevice(),
                    ledger))
            .cryptoProvider(crypto)
            .validationPolicy(Enrollment.hostPolicy(ca))
            .stepTimeout(Duration.ofSeconds(60))
            .build();
    List<ReceivingTerminal> devices = new ArrayList<>();
    for (int i = 0; i < TERMINALS; i++) {
      devices.add(Enrollment.enrollTerminal(ca, crypto, String.format("Load POS %03d", i)));
    }
    try (TcpKeyServer<DeliveryReceipt> server =
        TcpKeyServer.builder().threads(16).backlog(TERMINALS).build(host::serve)) {
      server.start();
      ExecutorService clients = Executors.newFixedThreadPool(TERMINALS);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<KeyReceipt>> runs = new ArrayList<>();
      for (ReceivingTerminal device : devices) {
        KeyTransferTerminal terminal =
            KeyTransferTerminal.builder()
                .receivingTerminal(device)
                .cryptoProvider(crypto)
                .validationPolicy(Enrollment.terminalPolicy(ca))
                .stepTimeout(Duration.ofSeconds(60))
                .build();
        runs.add(
            clients.submit(
                () -> {
                  go.await();
                  try (TcpTransport t =
                      TcpTransport.connect(
                          "127.0.0.1",
                          server.port(),
                          Duration.ofSeconds(30),
                          TcpTransport.DEFAULT_MAX_FRAME_LENGTH)) {
                    return terminal.receiveKey(t);
                  }
                }));
      }
      go.countDown();
      for (Future<KeyReceipt> f : runs) {
        assertThat(f.get()).isNotNull();
      }
      clients.shutdown();
    }
    Set<String> keys = new HashSet<>();
    for (ReceivingTerminal d : devices) {
      try (InstalledKey k = d.keyStore().current().orElseThrow()) {
        keys.add(HexFormat.of().withUpperCase().formatHex(k.key().copyBytes()));
      }
    }
    assertThat(keys).hasSize(TERMINALS);
    assertThat(ledger.entries())
        .hasSize(TERMINALS)
        .allMatch(e -> e.status() == DeliveryStatus.CONFIRMED);
    Set<KeyCheckValue> kcvs =
        ledger.entries().stream().map(LedgerEntry::kcv).collect(Collectors.toSet());
    assertThat(kcvs).hasSize(TERMINALS);
  }
}
