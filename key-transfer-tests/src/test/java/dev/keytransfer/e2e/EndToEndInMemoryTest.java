package dev.keytransfer.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.Enrollment;
import dev.keytransfer.KeyTransferHost;
import dev.keytransfer.KeyTransferTerminal;
import dev.keytransfer.ca.DefaultCertificateAuthority;
import dev.keytransfer.core.IssuerAndSerial;
import dev.keytransfer.core.KeyCheckValue;
import dev.keytransfer.core.Role;
import dev.keytransfer.core.ValidationPolicy;
import dev.keytransfer.core.handshake.KeyReceipt;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.DevicePolicy;
import dev.keytransfer.core.spi.DistributionTerminal;
import dev.keytransfer.core.spi.InstalledKey;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.core.store.InMemoryKeyLedger;
import dev.keytransfer.core.store.RandomKeySource;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * S1-S4 end to end in one JVM: the CA issues every certificate from a PKCS#10 request whose key
 * stayed in the provider (S1); 100 terminals each get a key from one host over in-memory
 * transports, four sessions at a time; all keys differ; every terminal's KCV equals the host
 * ledger's (K1, K3).
 */
@Tag("slow")
class EndToEndInMemoryTest {
  private static final int TERMINALS = 100;

  @Test
  void hundredTerminals_oneHost_allReceiveDistinctKeysMatchingTheLedger() throws Exception {
    BcCryptoProvider crypto = new BcCryptoProvider();
    DefaultCertificateAuthority ca = DefaultCertificateAuthority.create("E2E", Clock.systemUTC());
    InMemoryKeyLedger ledger = new InMemoryKeyLedger();
    DistributionTerminal kdh =
        Enrollment.enrollHost(
            ca,
            crypto,
            "E2E KDH",
            RandomKeySource.tdesMasterKeys(crypto.secureRandom()),
            DevicePolicy.anyCertifiedDevice(),
            ledger);
    assertThat(kdh.certificateChain().leaf().getKeyUsage()[0]).as("KDH certificate signs").isTrue();
    KeyTransferHost host =
        KeyTransferHost.builder()
            .distributionTerminal(kdh)
            .cryptoProvider(crypto)
            .validationPolicy(Enrollment.hostPolicy(ca))
            .stepTimeout(Wire.STEP)
            .build();
    ValidationPolicy terminalPolicy = Enrollment.terminalPolicy(ca);

    List<ReceivingTerminal> devices = new ArrayList<>();
    for (int i = 0; i < TERMINALS; i++) {
      devices.add(Enrollment.enrollTerminal(ca, crypto, String.format("POS %04d", i)));
    }
    assertThat(devices.get(0).certificateChain().issuers().get(0))
        .isEqualTo(ca.issuingCertificate(Role.KRD));

    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Wire.Outcome>> runs = new ArrayList<>();
    for (ReceivingTerminal device : devices) {
      KeyTransferTerminal terminal =
          KeyTransferTerminal.builder()
              .receivingTerminal(device)
              .cryptoProvider(crypto)
              .validationPolicy(terminalPolicy)
              .stepTimeout(Wire.STEP)
              .build();
      runs.add(pool.submit(() -> Wire.run(terminal, host, Wire.PASS)));
    }
    List<KeyReceipt> receipts = new ArrayList<>();
    for (Future<Wire.Outcome> f : runs) {
      Wire.Outcome o = f.get();
      assertThat(o.terminalError()).isNull();
      assertThat(o.hostError()).isNull();
      receipts.add(o.terminalReceipt());
    }
    pool.shutdown();
    assertThat(receipts).hasSize(TERMINALS);

    // all keys distinct (compared here in a test; the product compares keys only by KCV)
    Set<String> keys = new HashSet<>();
    Map<IssuerAndSerial, LedgerEntry> byDevice =
        ledger.entries().stream().collect(Collectors.toMap(LedgerEntry::device, e -> e));
    assertThat(byDevice).hasSize(TERMINALS);
    for (ReceivingTerminal device : devices) {
      try (InstalledKey k = device.keyStore().current().orElseThrow()) {
        keys.add(HexFormat.of().withUpperCase().formatHex(k.key().copyBytes()));
        LedgerEntry e = byDevice.get(IssuerAndSerial.of(device.certificateChain().leaf()));
        assertThat(e.status()).isEqualTo(DeliveryStatus.CONFIRMED);
        assertThat(k.kcv().matches(e.kcv())).as("KCV of %s", e.deviceSubject()).isTrue();
        assertThat(k.header()).isEqualTo(e.header());
        assertThat(k.kdh()).isEqualTo(IssuerAndSerial.of(kdh.certificateChain().leaf()));
      }
    }
    assertThat(keys).hasSize(TERMINALS);
    Set<KeyCheckValue> kcvs =
        ledger.entries().stream().map(LedgerEntry::kcv).collect(Collectors.toSet());
    assertThat(kcvs).as("the ledger proves uniqueness by KCV").hasSize(TERMINALS);
  }
}
