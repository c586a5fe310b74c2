package dev.keytransfer.crypto.accp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.DeliveryReceipt;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.CryptoProvider;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.jca.JcaCryptoProvider;
import dev.keytransfer.transport.InMemoryTransport;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The TR-34 two-pass method (S1 enrollment from CSRs, then KRD nonce and KT-KDH, B.9) over an
 * in-memory transport through the front doors, as examples' InOneJvm builds it: host and terminal
 * on accp, and each of them on accp against the other on jca. The terminal's KCV of the key it
 * installed must equal the one the host recorded, and the host's ledger must hold the delivery as
 * confirmed. Skipped where ACCP's native library cannot load.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccpHandshakeTest {
  private DefaultCertificateAuthority ca;

  @BeforeAll
  void ca() throws Exception {
    assumeTrue(
        AccpCryptoProvider.unavailableReason().isEmpty(),
        () -> "ACCP cannot run here: " + AccpCryptoProvider.unavailableReason().orElse(""));
    ca = DefaultCertificateAuthority.create("Accp", Clock.systemUTC());
  }

  private static CryptoProvider provider(String name) throws Exception {
    return name.equals("accp") ? new AccpCryptoProvider() : new JcaCryptoProvider();
  }

  @ParameterizedTest(name = "host {0}, terminal {1}")
  @CsvSource({"accp, accp", "accp, jca", "jca, accp"})
  void twoPass_inMemory_terminalKcvEqualsTheHostsConfirmedLedgerEntry(
      String hostProvider, String terminalProvider) throws Exception {
    CryptoProvider hostCrypto = provider(hostProvider);
    CryptoProvider terminalCrypto = provider(terminalProvider);
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    DistributionTerminal kdh =
        Enrollment.enrollHost(
            ca,
            hostCrypto,
            "Key Host " + hostProvider,
            RandomKeySource.tdesMasterKeys(hostCrypto.secureRandom()),
            DevicePolicy.anyCertifiedDevice(),
            ledger);
    ReceivingTerminal device =
        Enrollment.enrollTerminal(ca, terminalCrypto, "POS " + terminalProvider);
    ValidationPolicy.Builder policy =
        ValidationPolicy.builder()
            .trustAnchor(ca.rootCertificate())
            .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
            .roleIssuer(Role.KRD, ca.issuingCertificate(Role.KRD));
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(kdh)
            .cryptoProvider(hostCrypto)
            .validationPolicy(policy.crlSource(ca::crls).build())
            .build();
    KeyTransferTerminal terminal =
        KeyTransferTerminal.builder()
            .receivingTerminal(device)
            .cryptoProvider(terminalCrypto)
            .validationPolicy(
                ValidationPolicy.builder()
                    .trustAnchor(ca.rootCertificate())
                    .roleIssuer(Role.KDH, ca.issuingCertificate(Role.KDH))
                    .roleIssuer(Role.KRD, ca.issuingCertificate(Role.KRD))
                    .build())
            .build();

    InMemoryTransport.Pair wire = InMemoryTransport.pair();
    CompletableFuture<DeliveryReceipt> delivered =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return host.serve(wire.hostEnd());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    KeyReceipt receipt = terminal.receiveKey(wire.terminalEnd());
    DeliveryReceipt hostReceipt = delivered.get(60, TimeUnit.SECONDS);

    assertThat(hostReceipt.kcv()).contains(receipt.kcv());
    assertThat(ledger.entries())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.status()).isEqualTo(DeliveryStatus.CONFIRMED);
              assertThat(e.kcv()).isEqualTo(receipt.kcv());
            });
    assertThat(ledger.entries()).extracting(LedgerEntry::header).containsExactly(receipt.header());
  }
}
