package dev.keytransfer.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytransfer.core.Role;
import dev.keytransfer.core.SecretKeyMaterial;
import dev.keytransfer.core.handshake.KdhHandshake;
import dev.keytransfer.core.handshake.KrdHandshake;
import dev.keytransfer.core.spi.DeliveryStatus;
import dev.keytransfer.core.spi.KeySource;
import dev.keytransfer.core.spi.LedgerEntry;
import dev.keytransfer.core.spi.ReceivingTerminal;
import dev.keytransfer.crypto.bc.BcCryptoProvider;
import dev.keytransfer.crypto.dukpt.TdesKsn;
import dev.keytransfer.crypto.keyblock.Tr31Header;
import dev.keytransfer.crypto.keysource.DukptInitialKeySource;
import dev.keytransfer.crypto.testing.TestPki;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key host restarted on its embedded H2 ledger keeps every record, and DUKPT KSNs allocated by
 * the ledger stay unique across the restart (the in-memory counter would start over and give the
 * next device the first device's KSN and IPEK).
 */
class HostRestartTest {
  private static final BcCryptoProvider CRYPTO = new BcCryptoProvider();
  private static final TdesKsn FIRST = TdesKsn.parse("FFFF9876543210E00000");

  @TempDir Path dir;

  @Test
  void restartedHost_keepsEveryRecord_andDukptKsnsStayUnique() throws Exception {
    TestPki pki = TestPki.create("Restart");
    TestPki.Leaf kdh = pki.validLeaf(Role.KDH, "Restart KDH");
    List<TestPki.Leaf> devices = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      devices.add(pki.validLeaf(Role.KRD, "Restart POS " + i));
    }
    List<String> ksns = new ArrayList<>();
    List<LedgerEntry> beforeRestart;
    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir);
        SecretKeyMaterial bdk = bdk();
        DukptInitialKeySource source =
            DukptInitialKeySource.tdes(bdk, FIRST, ledger.dukptDeviceNumbers("bdk-1"), CRYPTO)) {
      for (TestPki.Leaf d : devices.subList(0, 3)) {
        ksns.add(ksnOf(serve(pki, kdh, d, source, ledger)));
      }
      beforeRestart = ledger.entries();
    }
    assertThat(beforeRestart).hasSize(3);

    try (JdbcKeyLedger ledger = JdbcKeyLedger.embedded(dir);
        SecretKeyMaterial bdk = bdk();
        DukptInitialKeySource source =
            DukptInitialKeySource.tdes(bdk, FIRST, ledger.dukptDeviceNumbers("bdk-1"), CRYPTO)) {
      assertThat(ledger.entries()).isEqualTo(beforeRestart);
      for (TestPki.Leaf d : devices.subList(3, 6)) {
        ksns.add(ksnOf(serve(pki, kdh, d, source, ledger)));
      }
      assertThat(ledger.entries()).hasSize(6).startsWith(beforeRestart.toArray(LedgerEntry[]::new));
      assertThat(ledger.entries()).allMatch(e -> e.status() == DeliveryStatus.CONFIRMED);
      assertThat(ledger.auditRecords()).hasSize(6 * 3); // DELIVERED, CONFIRMED, SESSION each
      assertThat(ledger.verify().intact()).isTrue();
    }
    assertThat(ksns).doesNotHaveDuplicates().hasSize(6);
    assertThat(ksns.get(0)).isEqualTo(FIRST.initial().hex());

    // what the ledger prevents: a counter kept in memory starts over after a restart
    try (SecretKeyMaterial bdk = bdk();
        DukptInitialKeySource inMemory = DukptInitialKeySource.tdes(bdk, FIRST, CRYPTO);
        var k = inMemory.keyFor(devices.get(5).certificate())) {
      assertThat(Tr31Header.of(k.header()).optionalBlock("KS").orElseThrow().data())
          .isEqualTo(ksns.get(0));
    }
  }

  private static String ksnOf(ReceivingTerminal t) throws Exception {
    try (var k = t.keyStore().current().orElseThrow()) {
      return Tr31Header.of(k.header()).optionalBlock("KS").orElseThrow().data();
    }
  }

  private static ReceivingTerminal serve(
      TestPki pki, TestPki.Leaf kdh, TestPki.Leaf krd, KeySource source, JdbcKeyLedger ledger)
      throws Exception {
    ReceivingTerminal device = pki.terminal(krd);
    KrdHandshake t = pki.terminalMachine(device, CRYPTO);
    KdhHandshake h = pki.hostMachine(kdh, source, ledger, CRYPTO, KdhHandshake.Options.defaults());
    TestPki.exchange(t, h, m -> false);
    assertThat(t.state()).isEqualTo(KrdHandshake.State.COMPLETED);
    assertThat(h.state()).isEqualTo(KdhHandshake.State.COMPLETED);
    return device;
  }

  private static SecretKeyMaterial bdk() {
    return SecretKeyMaterial.adopt(HexFormat.of().parseHex("0123456789ABCDEFFEDCBA9876543210"));
  }
}
